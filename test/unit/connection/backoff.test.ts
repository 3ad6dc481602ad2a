import assert from 'node:assert/strict';
import { Backoff, BackoffError } from '../../../lib/connection/backoff';
import { Prng } from '../../../sim/plant/prng';

describe('connection back-off', () => {
  it('grows the delay by its factor per attempt and stops at maxMs', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0 });
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(backoff.attempt, 8);
  });

  it('keeps every jittered delay between (1 - jitter) x ceiling and the ceiling, and uses the whole range', () => {
    for (const jitter of [0.25, 0.5, 1]) {
      const prng = new Prng(20261201);
      const backoff = new Backoff({ initialMs: 500, maxMs: 20_000, factor: 3, jitter, random: () => prng.next() });
      for (let attempt = 1; attempt <= 12; attempt++) {
        const ceiling = Math.min(20_000, 500 * 3 ** (attempt - 1));
        const floor = (1 - jitter) * ceiling;
        const samples = Array.from({ length: 400 }, () => backoff.delayMs(attempt));
        for (const delay of samples) {
          assert.ok(delay >= floor && delay <= ceiling, `attempt ${attempt}, jitter ${jitter}: ${delay} outside [${floor}, ${ceiling}]`);
          assert.ok(delay <= 20_000);
        }
        // 400 uniform draws reach within 2% of either end of the range: the jitter is really applied.
        const spread = ceiling - floor;
        assert.ok(Math.min(...samples) < floor + 0.02 * spread, `attempt ${attempt}, jitter ${jitter}: low end unused`);
        assert.ok(Math.max(...samples) > ceiling - 0.02 * spread, `attempt ${attempt}, jitter ${jitter}: high end unused`);
      }
    }
  });

  it('equal jitter (0.5) never waits less than half the ceiling; full jitter (1) may wait almost nothing', () => {
    const lowest = (jitter: number) => new Backoff({ initialMs: 1000, jitter, random: () => 0.999999 }).delayMs(1);
    assert.ok(Math.abs(lowest(0.5) - 500) < 0.01);
    assert.ok(lowest(1) < 0.01);
    assert.equal(new Backoff({ initialMs: 1000, jitter: 1, random: () => 0 }).delayMs(1), 1000);
  });

  it('a random source outside [0, 1) cannot push a delay out of its bounds', () => {
    assert.equal(new Backoff({ initialMs: 1000, jitter: 0.5, random: () => -3 }).delayMs(1), 1000);
    assert.equal(new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 7 }).delayMs(1), 500);
  });

  it('starts over at the first ceiling after reset()', () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 5000, jitter: 0 });
    backoff.next();
    backoff.next();
    assert.equal(backoff.next(), 800);
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.equal(backoff.next(), 200);
  });

  it('does not overflow after thousands of attempts', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0 });
    assert.equal(backoff.delayMs(5000), 60_000);
    assert.equal(backoff.ceilingMs(1_000_000), 60_000);
  });

  it('refuses options that cannot make a bounded back-off', () => {
    for (const options of [{ initialMs: 0 }, { initialMs: 2000, maxMs: 1000 }, { factor: 0.5 }, { jitter: 1.5 }, { jitter: -0.1 }, { maxMs: Number.NaN }]) {
      assert.throws(() => new Backoff(options), (err: unknown) => err instanceof BackoffError && err.code === 'BACKOFF_OPTIONS', JSON.stringify(options));
    }
  });
});
