import assert from 'node:assert/strict';
import { EmitThrottle } from '../../../lib/control/emit-throttle';
import { FakeClock } from '../../support/fake-clock';

function setup(wake: (nowMs: number) => number | undefined = () => undefined) {
  const timers = new FakeClock(0);
  const emittedAtMs: number[] = [];
  const throttle = new EmitThrottle(
    () => {
      emittedAtMs.push(timers.nowMs());
      return wake(timers.nowMs());
    },
    { minIntervalMs: 1000, heartbeatMs: 10_000 },
    timers,
  );
  return { timers, emittedAtMs, throttle };
}

describe('EmitThrottle', () => {
  it('emits the first change at once and a burst inside the interval once, at its end', () => {
    const { timers, emittedAtMs, throttle } = setup();
    throttle.start();
    timers.advanceTo(100);
    throttle.change();
    timers.advanceTo(400);
    throttle.change();
    timers.advanceTo(700);
    throttle.change();
    assert.deepEqual(emittedAtMs, [100]);
    timers.advanceTo(1099);
    assert.deepEqual(emittedAtMs, [100]);
    timers.advanceTo(1100);
    assert.deepEqual(emittedAtMs, [100, 1100]);
  });

  it('emits a change after a quiet interval immediately', () => {
    const { timers, emittedAtMs, throttle } = setup();
    throttle.start();
    throttle.change();
    timers.advanceTo(2500);
    throttle.change();
    assert.deepEqual(emittedAtMs, [0, 2500]);
  });

  it('beats every heartbeat when nothing changes, counting from the last emission', () => {
    const { timers, emittedAtMs, throttle } = setup();
    throttle.start();
    timers.advanceTo(10_000);
    assert.deepEqual(emittedAtMs, [10_000]);
    timers.advanceTo(13_000);
    throttle.change();
    timers.advanceTo(30_000);
    assert.deepEqual(emittedAtMs, [10_000, 13_000, 23_000]);
  });

  it('wakes when the state is due to change by itself, but not sooner than the minimum interval', () => {
    const { timers, emittedAtMs, throttle } = setup((nowMs) => (nowMs === 0 ? 4000 : nowMs === 4000 ? 4200 : undefined));
    throttle.start();
    throttle.change();
    timers.advanceTo(6000);
    // 4000 as asked; the wake at 4200 is held back to 4000 + 1000 ms
    assert.deepEqual(emittedAtMs, [0, 4000, 5000]);
    timers.advanceTo(15_000);
    assert.deepEqual(emittedAtMs, [0, 4000, 5000, 15_000]);
  });

  it('leaves no timer behind and ignores changes once stopped', () => {
    const { timers, emittedAtMs, throttle } = setup();
    throttle.start();
    throttle.change();
    throttle.change();
    assert.equal(timers.pendingCount, 1);
    throttle.stop();
    assert.equal(timers.pendingCount, 0);
    throttle.change();
    timers.advanceTo(60_000);
    assert.deepEqual(emittedAtMs, [0]);
  });
});
