// The simulator's timer wheel: one clock timer for the earliest deadline, due work in time order, a deadline
// beyond Node's 2^31 ms timer limit (a one-year invoice) reached in steps instead of firing at once.
import assert from 'node:assert/strict';
import { Deadlines } from '../../../../sim/lnd/deadlines';
import { FakeClock } from '../../../support/fake-clock';

describe('sim/lnd Deadlines', () => {
  it('runs due work in time order on one timer, replaces by key, forgets cancelled work', () => {
    const clock = new FakeClock(0);
    const deadlines = new Deadlines(clock);
    const ran: string[] = [];
    deadlines.at('b', 2000, () => ran.push('b'));
    deadlines.at('a', 1000, () => ran.push('a'));
    deadlines.at('c', 3000, () => ran.push('c'));
    deadlines.at('c', 1500, () => ran.push('c-earlier'));
    deadlines.at('d', 2500, () => ran.push('d'));
    deadlines.cancel('d');
    assert.equal(clock.pendingCount, 1);
    clock.advance(999);
    assert.deepEqual(ran, []);
    clock.advance(5000);
    assert.deepEqual(ran, ['a', 'c-earlier', 'b']);
    assert.equal(clock.pendingCount, 0);
  });

  it('reaches a deadline beyond 2^31 ms in steps, exactly once', () => {
    const clock = new FakeClock(0);
    const deadlines = new Deadlines(clock);
    let runs = 0;
    const yearMs = 365 * 24 * 3600_000;
    deadlines.at('year', yearMs, () => runs++);
    clock.advance(yearMs - 1);
    assert.equal(runs, 0);
    clock.advance(1);
    assert.equal(runs, 1);
    clock.advance(yearMs);
    assert.equal(runs, 1);
  });

  it('work added while due work runs is scheduled too; stop() cancels everything', () => {
    const clock = new FakeClock(0);
    const deadlines = new Deadlines(clock);
    const ran: number[] = [];
    deadlines.at('first', 10, () => {
      ran.push(clock.nowMs());
      deadlines.at('second', 20, () => ran.push(clock.nowMs()));
    });
    clock.advance(100);
    assert.deepEqual(ran, [10, 20]);
    deadlines.at('third', 200, () => ran.push(200));
    deadlines.stop();
    clock.advance(1000);
    assert.deepEqual(ran, [10, 20]);
    assert.equal(clock.pendingCount, 0);
  });
});
