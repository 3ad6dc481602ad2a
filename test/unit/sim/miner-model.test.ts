import assert from 'node:assert/strict';
import { MinerModel, S21_SPEC } from '../../../sim/miners/model';

const T0 = Date.parse('2026-06-01T12:00:00Z');

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

describe('sim miner model (S21 class)', () => {
  it('hashes at 3.5 kW and 200 TH/s, and a lower limit is more efficient per TH', () => {
    const miner = new MinerModel({ startMs: T0 });
    const full = miner.read(T0);
    assert.equal(full.phase, 'hashing');
    assert.equal(full.powerW, 3500);
    near(full.hashrateThs, 200, 1e-9, 'hashrate');
    const low = new MinerModel({ startMs: T0, powerLimitW: 1400 }).read(T0);
    assert.equal(low.powerW, 1400);
    assert.ok(low.powerW / low.hashrateThs < full.powerW / full.hashrateThs, 'J/TH falls with the limit');
  });

  it('snaps a limit down to the 100 W step and refuses one outside 1,400 … 3,500 W', () => {
    const miner = new MinerModel({ startMs: T0 });
    const outcome = miner.setPowerLimit(T0, 2_468);
    assert.equal(outcome.kind, 'applied');
    assert.equal(miner.powerLimitW, 2_400);
    assert.deepEqual(
      [1_399, 3_501, Number.NaN].map((w) => {
        const o = miner.setPowerLimit(T0, w);
        return o.kind === 'rejected' ? o.code : o.kind;
      }),
      ['below-floor', 'above-max', 'invalid'],
    );
  });

  it('a live limit change takes 10–30 s and passes through every power on the way', () => {
    const miner = new MinerModel({ startMs: T0, seed: 3 });
    const outcome = miner.setPowerLimit(T0, 2000);
    assert.equal(outcome.kind, 'applied');
    if (outcome.kind !== 'applied') return;
    const durationMs = outcome.settlesAtMs - T0;
    assert.ok(durationMs >= 10_000 && durationMs <= 30_000, `took ${durationMs} ms`);
    assert.equal(miner.read(T0 + 1).phase, 'adjusting');
    near(miner.powerW(T0 + durationMs / 2), 2750, 1e-6, 'halfway');
    assert.equal(miner.read(outcome.settlesAtMs).phase, 'hashing');
    assert.equal(miner.powerW(outcome.settlesAtMs + 1), 2000);
  });

  it('sleeps within 2 s, then a cold start takes 60–120 s to reach the limit', () => {
    const miner = new MinerModel({ startMs: T0, seed: 5 });
    miner.sleep(T0);
    assert.equal(miner.read(T0 + 500).phase, 'stopping');
    const asleep = miner.read(T0 + 2000);
    assert.equal(asleep.phase, 'sleeping');
    assert.equal(asleep.powerW, S21_SPEC.sleepPowerW);
    assert.equal(asleep.hashrateThs, 0);
    assert.equal(asleep.mining, false);
    const wake = miner.wake(T0 + 10_000);
    assert.equal(wake.kind, 'applied');
    if (wake.kind !== 'applied') return;
    const startMs = wake.settlesAtMs - (T0 + 10_000);
    assert.ok(startMs >= 60_000 && startMs <= 120_000, `took ${startMs} ms`);
    const booting = miner.read(T0 + 10_000 + 0.4 * startMs);
    assert.equal(booting.phase, 'starting');
    assert.equal(booting.powerW, S21_SPEC.idlePowerW);
    assert.equal(booting.hashrateThs, 0);
    assert.equal(miner.read(wake.settlesAtMs).powerW, 3500);
    assert.equal(miner.read(wake.settlesAtMs).phase, 'hashing');
  });

  it('temperature follows power with a lag, the same whatever the read cadence', () => {
    const coarse = new MinerModel({ startMs: T0, initial: 'sleeping' });
    const fine = new MinerModel({ startMs: T0, initial: 'sleeping' });
    assert.equal(coarse.read(T0).temperatureC, S21_SPEC.ambientC);
    coarse.wake(T0);
    fine.wake(T0);
    for (let t = T0; t <= T0 + 600_000; t += 777) fine.read(t);
    const a = coarse.read(T0 + 600_000).temperatureC;
    near(fine.read(T0 + 600_000).temperatureC, a, 1e-9, 'chunking');
    near(a, S21_SPEC.ambientC + S21_SPEC.boardRiseC, 0.5, 'settled at full power');
    coarse.sleep(T0 + 600_000);
    const cooling = coarse.read(T0 + 690_000).temperatureC;
    assert.ok(cooling < a && cooling > S21_SPEC.ambientC, `cools with a lag: ${cooling}`);
  });

  it('a hashboard error loses one board of three: a third of the hashing power and hashrate', () => {
    const miner = new MinerModel({ startMs: T0 });
    miner.setFault(T0, 'hashboard', true);
    const r = miner.read(T0);
    assert.equal(r.powerW, 200 + (3300 * 2) / 3);
    near(r.hashrateThs, 200 * (2 / 3), 1e-9, 'hashrate');
    assert.deepEqual(r.boards.map((b) => b.ok), [true, true, false]);
    assert.deepEqual(r.faults, ['hashboard']);
  });

  it('with the floor fault a target below the minimum is acknowledged and silently ignored', () => {
    const miner = new MinerModel({ startMs: T0 });
    miner.setFault(T0, 'ignore-below-floor', true);
    assert.deepEqual(miner.setPowerLimit(T0, 700), { kind: 'ignored', reason: 'below-floor' });
    assert.equal(miner.powerLimitW, 3500);
  });

  it('a restarting limit change (Whatsminer) takes the API down, resets Elapsed and refuses commands meanwhile', () => {
    const miner = new MinerModel({ startMs: T0 - 3_600_000, spec: { restartOnLimitChange: true }, seed: 2 });
    assert.equal(miner.read(T0).elapsedS, 3600);
    const outcome = miner.setPowerLimit(T0, 2500);
    assert.equal(outcome.kind, 'applied');
    if (outcome.kind !== 'applied') return;
    assert.equal(outcome.restarts, true);
    const down = miner.read(T0 + 5000);
    assert.equal(down.phase, 'restarting');
    assert.equal(down.ready, false);
    assert.equal(miner.sleep(T0 + 5000).kind, 'rejected');
    const after = miner.read(outcome.settlesAtMs);
    assert.equal(after.powerW, 2500);
    assert.ok(after.elapsedS < 120, `Elapsed restarted: ${after.elapsedS}`);
  });

  it('a seeded share of commands is acknowledged but never applied, the same for one seed', () => {
    const kinds = (seed: number) => {
      const miner = new MinerModel({ startMs: T0, seed, spec: { unconfirmedShare: 0.3 } });
      return Array.from({ length: 200 }, (_, i) => miner.setPowerLimit(T0 + i * 60_000, 1400 + (i % 10) * 200).kind);
    };
    const first = kinds(11);
    const dropped = first.filter((k) => k === 'dropped').length;
    assert.ok(dropped > 30 && dropped < 90, `${dropped} of 200 dropped`);
    assert.deepEqual(kinds(11), first);
    assert.notDeepEqual(kinds(12), first);
  });

  it('refuses to run backwards and refuses an impossible spec', () => {
    const miner = new MinerModel({ startMs: T0 });
    assert.throws(() => miner.read(T0 - 1), { code: 'ERR_TIME' });
    assert.throws(() => new MinerModel({ startMs: T0, spec: { minPowerW: 100 } }), { code: 'ERR_OPTION' });
    assert.throws(() => new MinerModel({ startMs: T0, powerLimitW: 5000 }), { code: 'ERR_OPTION' });
  });
});
