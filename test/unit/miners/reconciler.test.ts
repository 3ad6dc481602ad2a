import assert from 'node:assert/strict';
import { Reconciler } from '../../../lib/miners/reconciler';

const T0 = 1_000_000;

function reconciler(): Reconciler {
  return new Reconciler({ confirmTimeoutMs: 60_000, backoff: { initialMs: 2000, maxMs: 8000 } });
}

describe('miner reconciler: desired state to commands', () => {
  it('sets the limit before waking a sleeping miner, then confirms on read-back', () => {
    const r = reconciler();
    r.observe({ mining: false, powerLimitW: 3500 }, T0);
    r.desire({ commandW: 2000, targetW: 2000, reason: 'surplus', sinceMs: T0 });
    assert.deepEqual(r.next(T0), { kind: 'limit', watts: 2000 });
    assert.equal(r.next(T0), undefined, 'one command at a time');
    r.sent({ kind: 'limit', watts: 2000 }, T0, 2000);
    r.observe({ mining: false, powerLimitW: 2000 }, T0 + 1000);
    assert.deepEqual(r.next(T0 + 1000), { kind: 'wake' }, 'the wake follows at once, no back-off');
    r.sent({ kind: 'wake' }, T0 + 1000);
    r.observe({ mining: true, powerLimitW: 2000 }, T0 + 5000);
    assert.deepEqual([r.state.confirmed, r.state.suspect, r.next(T0 + 5000)], [true, false, undefined]);
  });

  it('re-sends a command that did not take after a growing pause, and turns suspect after the timeout', () => {
    const r = reconciler();
    r.observe({ mining: true, powerLimitW: 3500 }, T0);
    r.desire({ commandW: 2000, targetW: 2000, reason: 'x', sinceMs: T0 });
    const sends: number[] = [];
    for (let t = T0; t <= T0 + 70_000; t += 500) {
      r.observe({ mining: true, powerLimitW: 3500 }, t);
      const action = r.next(t);
      if (action) {
        sends.push(t - T0);
        r.sent(action, t, 2000);
      }
    }
    assert.deepEqual(sends.slice(0, 4), [0, 2000, 6000, 14_000]);
    assert.ok(sends.every((t, i) => i === 0 || t - sends[i - 1]! <= 8000), 'the pause is capped');
    assert.equal(r.state.suspect, true);
    assert.match(r.state.problem ?? '', /has not shown a limit of 2000 W 60 s after/);
  });

  it('a repeated target changes nothing; a miner that drifts is steered back', () => {
    const r = reconciler();
    r.observe({ mining: true, powerLimitW: 3500 }, T0);
    r.desire({ commandW: 2000, targetW: 2000, reason: 'x', sinceMs: T0 });
    r.sent(r.next(T0)!, T0, 2000);
    r.observe({ mining: true, powerLimitW: 2000 }, T0 + 1000);
    r.desire({ commandW: 2000, targetW: 2040, reason: 'again', sinceMs: T0 + 2000 });
    assert.deepEqual([r.state.confirmed, r.state.desired?.targetW, r.state.desired?.sinceMs], [true, 2040, T0]);
    r.observe({ mining: true, powerLimitW: 3500 }, T0 + 3000);
    assert.deepEqual(r.next(T0 + 3000), { kind: 'limit', watts: 2000 });
  });

  it('expects the limit the firmware says it applied, which may be its own step', () => {
    const r = reconciler();
    r.observe({ mining: true, powerLimitW: 3500 }, T0);
    r.desire({ commandW: 2450, targetW: 2450, reason: 'x', sinceMs: T0 });
    r.sent(r.next(T0)!, T0, 2400);
    r.observe({ mining: true, powerLimitW: 2400 }, T0 + 1000);
    assert.equal(r.state.confirmed, true);
  });

  it('sleep is confirmed when the miner no longer mines; the shed action skips the queue', () => {
    const r = reconciler();
    r.observe({ mining: true, powerLimitW: 3500 }, T0);
    r.desire({ commandW: 3000, targetW: 3000, reason: 'x', sinceMs: T0 });
    const slow = r.next(T0)!;
    r.desire({ commandW: 0, targetW: 0, reason: 'deficit', sinceMs: T0 + 10 });
    assert.deepEqual(r.shedAction(), { kind: 'sleep' });
    r.sent({ kind: 'sleep' }, T0 + 10, undefined, true);
    r.failed(slow, T0 + 20, new Error('late'));
    r.observe({ mining: false, powerLimitW: 3500 }, T0 + 2000);
    assert.equal(r.state.confirmed, true);
    r.desire({ commandW: 1400, targetW: 1400, reason: 'x', sinceMs: T0 + 3000 });
    assert.equal(r.shedAction(), undefined, 'a raise from sleep is no shed');
  });
});
