// The plant on a shared clock (lib/clock.ts): its time line is the clock's, whoever drives it.
import assert from 'node:assert/strict';
import { ScaledClock } from '../../../lib/clock';
import { PlantClock, startPlant } from '../../../sim';
import { FakeClock } from '../../support/fake-clock';
import { delay } from './raw-modbus';

const START = Date.parse('2026-06-01T06:00:00Z');

describe('sim plant clock', () => {
  it('on a FakeClock-backed ScaledClock at ×60 runs 60 s of physics per base second, on the clock’s now', async () => {
    const base = new FakeClock(START);
    const clock = new ScaledClock({ speedup: 60, base });
    const plant = await startPlant({ clock });
    try {
      assert.equal(plant.clock, clock);
      assert.equal(plant.physics.nowMs, START);
      await delay(50);
      assert.equal(plant.physics.nowMs, START, 'wall time does not move the plant');
      base.advance(1000);
      // The driver ticks every 100 ms of plant time on the clock's own timers; a tick landing a hair after the
      // base second leaves at most one step for the next observation.
      assert.ok(plant.physics.nowMs >= START + 59_900, `driver reached ${plant.physics.nowMs - START} ms`);
      assert.ok(plant.physics.stepCount >= 599);
      assert.equal(plant.truth().simTimeMs, clock.nowMs());
      assert.equal(plant.truth().simTimeMs, START + 60_000);
      base.advance(9000);
      assert.equal(plant.truth().simTimeMs, START + 600_000);
      assert.equal(plant.physics.stepCount, 6000);
    } finally {
      await plant.stop();
    }
    assert.equal(base.pendingCount, 0, 'stop cancels the driver');
  });

  it('a command lands at the clock’s now, not at the last driver tick', async () => {
    const base = new FakeClock(START);
    const plant = await startPlant({ clock: base, tickMs: 60_000 });
    try {
      base.advance(30_000);
      assert.equal(plant.physics.nowMs, START, 'no driver tick yet');
      plant.setMinerSlotPowerW(0, 50_000);
      assert.equal(plant.physics.nowMs, START + 30_000);
    } finally {
      await plant.stop();
    }
  });

  it('refuses startTime or speedup with a clock: the clock holds both', async () => {
    const clock = new FakeClock(START);
    await assert.rejects(() => startPlant({ clock, startTime: START, realtime: false }), {
      code: 'ERR_OPTION',
      message: /startTime cannot be given with clock/,
    });
    await assert.rejects(() => startPlant({ clock, speedup: 10, startTime: 0, realtime: false }), {
      code: 'ERR_OPTION',
      message: /startTime and speedup cannot be given with clock/,
    });
  });

  it('without a clock builds its own from speedup and startTime, which advance(ms) moves ahead', async () => {
    const plant = await startPlant({ speedup: 30, startTime: START, tickMs: 60_000 });
    try {
      assert.ok(plant.clock instanceof PlantClock);
      assert.equal(plant.clock.speedup, 30);
      assert.ok(plant.physics.nowMs >= START && plant.physics.nowMs < START + 1000);
      await delay(100);
      const before = plant.truth().simTimeMs;
      assert.ok(before >= START + 2000, `×30 wall time moved the plant ${before - START} ms in 100 ms`);
      plant.advance(600_000);
      assert.ok(plant.physics.nowMs >= before + 600_000);
      assert.ok(plant.clock.nowMs() >= before + 600_000, 'the clock jumped with the plant');
      assert.ok(plant.truth().simTimeMs - plant.clock.nowMs() <= 0);
    } finally {
      await plant.stop();
    }
  });

  it('a real-time plant on a given clock refuses advance(ms); one that is not real time steps on its own', async () => {
    const clock = new FakeClock(START);
    const live = await startPlant({ clock });
    const manual = await startPlant({ clock, realtime: false });
    try {
      assert.throws(() => live.advance(1000), { code: 'ERR_TIME', message: /advance that clock instead/ });
      manual.advance(1000);
      assert.equal(manual.truth().simTimeMs, START + 1000);
      assert.equal(clock.nowMs(), START, 'the shared clock did not move');
    } finally {
      await Promise.all([live.stop(), manual.stop()]);
    }
  });
});
