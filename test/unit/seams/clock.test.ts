import assert from 'node:assert/strict';
import { ScaledClock, TimerSet, type Clock } from '../../../lib/clock';
import { FakeClock } from '../../support/fake-clock';

describe('the clock seam', () => {
  it('a scaled clock runs speedup times faster than its base, from its start time, timers included', () => {
    const base = new FakeClock(1_000_000);
    const scaled = new ScaledClock({ speedup: 60, startMs: Date.UTC(2026, 0, 1), base });
    const fired: number[] = [];
    scaled.setInterval(() => fired.push(scaled.nowMs()), 60_000);
    base.advance(3_000);
    // 3 s of base time are 180 s of scaled time: three one-minute ticks, each at its minute.
    assert.equal(scaled.nowMs(), Date.UTC(2026, 0, 1) + 180_000);
    assert.deepEqual(fired, [60_000, 120_000, 180_000].map((ms) => Date.UTC(2026, 0, 1) + ms));
  });

  it('refuses a speed-up that is not a positive number', () => {
    assert.throws(() => new ScaledClock({ speedup: 0 }), /speed-up must be a number above 0/);
    assert.throws(() => new ScaledClock({ speedup: Number.NaN }), /speed-up/);
  });

  it('a fake clock fires timers in due order with the clock at each due time', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.nowMs()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.nowMs()}`), 10);
    const every = clock.setInterval(() => seen.push(`i@${clock.nowMs()}`), 15);
    clock.advance(31);
    every.cancel();
    clock.advance(100);
    assert.deepEqual(seen, ['a@10', 'i@15', 'b@20', 'i@30']);
    assert.equal(clock.nowMs(), 131);
  });

  it('a timer set cancels every timer it started, and forgets those that fired', () => {
    const clock: FakeClock = new FakeClock(0);
    const timers = new TimerSet(clock as Clock);
    let fired = 0;
    timers.setTimeout(() => fired++, 10);
    timers.setTimeout(() => fired++, 50);
    timers.setInterval(() => fired++, 20);
    clock.advance(10);
    assert.equal(fired, 1);
    assert.equal(timers.size, 2);
    timers.cancelAll();
    assert.equal(clock.pendingCount, 0);
    clock.advance(1000);
    assert.equal(fired, 1);
  });
});
