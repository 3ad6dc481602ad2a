import assert from 'node:assert/strict';
import type { MeterRole } from '../../../lib/schemas/contracts';
import { MeterTracker, type MeterTrackerOptions } from '../../../lib/metering/tracker';
import type { MeterProfile } from '../../../lib/metering/types';
import { builtin } from './fixtures';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const S = 1000;

function tracker(profile: MeterProfile, role: MeterRole, extra: Partial<MeterTrackerOptions> = {}): MeterTracker {
  return new MeterTracker({ site: 'well-7', meterId: 'm1', role, profile, staleAfterMs: 10 * S, ...extra });
}

/** a profile with power only, to exercise derived energy */
const POWER_ONLY: MeterProfile = {
  id: 'power-only',
  name: 'power only',
  manufacturer: 't',
  model: 't',
  source: 'test',
  kind: 'load',
  registers: [{ name: 'W', address: 0, fc: 3, type: 's32', field: 'powerW' }],
  ranges: { powerW: { min: -10_000, max: 10_000 } },
};

describe('metering MeterTracker', () => {
  it('signs power and assigns counters per role: sources forward into the bus, consumers forward out', () => {
    const values = { powerW: 500, forwardEnergyWh: 1000, reverseEnergyWh: 200, currentA: 2 };
    const genset = tracker(builtin('flaregrid-pm1'), 'genset').accept(values, T0);
    assert.deepEqual([genset.powerW, genset.energyInWh, genset.energyOutWh, genset.currentA], [500, 1000, 200, 2]);
    for (const role of ['load', 'prosumer', 'miner', 'battery'] as const) {
      const reading = tracker(builtin('flaregrid-pm1'), role).accept(values, T0);
      assert.deepEqual([reading.powerW, reading.energyInWh, reading.energyOutWh, reading.currentA], [-500, 200, 1000, -2], role);
    }
    const bus = tracker(builtin('flaregrid-bm1'), 'bus').accept(values, T0);
    assert.equal(bus.powerW, 500);
    const inverted = tracker(builtin('flaregrid-pm1'), 'prosumer', { invert: true }).accept(values, T0);
    assert.deepEqual([inverted.powerW, inverted.energyInWh, inverted.energyOutWh], [500, 1000, 200]);
  });

  it('builds a complete good reading with an ISO 8601 UTC timestamp', () => {
    const reading = tracker(builtin('flaregrid-gc1'), 'genset').accept(
      { powerW: 400_000, forwardEnergyWh: 5000, voltageV: 380.1, availablePowerW: 600_000, fuelScfm: 123.4, ratedPowerW: 1e6, runState: 2 },
      T0,
    );
    assert.deepEqual(reading, {
      site: 'well-7',
      meterId: 'm1',
      role: 'genset',
      ts: '2026-11-25T12:00:00.000Z',
      powerW: 400_000,
      energyInWh: 5000,
      energyOutWh: 0,
      voltageV: 380.1,
      availablePowerW: 600_000,
      fuelScfm: 123.4,
      quality: 'good',
      profile: 'flaregrid-gc1',
      energyDerived: true,
    });
  });

  it('counts a u32 counter across its wrap when the step fits the power', () => {
    const t = tracker(builtin('flaregrid-gc1'), 'genset');
    const wrap = { forwardEnergyWrapWh: 2 ** 32, ratedPowerW: 1e6, powerW: 900_000 };
    t.accept({ ...wrap, forwardEnergyWh: 2 ** 32 - 100 }, T0);
    const after = t.accept({ ...wrap, forwardEnergyWh: 150 }, T0 + S);
    assert.equal(after.quality, 'good');
    assert.equal(after.energyInWh, 2 ** 32 + 150);
  });

  it('re-bases on a counter reset without counting energy, and keeps the total monotonic', () => {
    const t = tracker(builtin('flaregrid-pm1'), 'prosumer');
    t.accept({ powerW: -1000, forwardEnergyWh: 10, reverseEnergyWh: 800_000 }, T0);
    const reset = t.accept({ powerW: -1000, forwardEnergyWh: 10, reverseEnergyWh: 0 }, T0 + S);
    assert.equal(reset.quality, 'suspect');
    assert.equal(reset.qualityReason, 'counter reset');
    assert.equal(reset.energyInWh, 800_000);
    const next = t.accept({ powerW: -1000, forwardEnergyWh: 10, reverseEnergyWh: 3 }, T0 + 11 * S);
    assert.equal(next.quality, 'good');
    assert.equal(next.energyInWh, 800_003);
  });

  it('flags a counter that goes backwards and does not count it; a one-read glitch costs nothing', () => {
    const t = tracker(builtin('flaregrid-pm1'), 'load');
    t.accept({ powerW: 1000, forwardEnergyWh: 500_000, reverseEnergyWh: 0 }, T0);
    const back = t.accept({ powerW: 1000, forwardEnergyWh: 400_000, reverseEnergyWh: 0 }, T0 + S);
    assert.equal(back.quality, 'suspect');
    assert.equal(back.qualityReason, 'counter went backwards from 500000 to 400000 Wh');
    assert.equal(back.energyOutWh, 500_000);
    const recovered = t.accept({ powerW: 1000, forwardEnergyWh: 500_001, reverseEnergyWh: 0 }, T0 + 2 * S);
    assert.equal(recovered.quality, 'good');
    assert.equal(recovered.energyOutWh, 500_001);
  });

  it('flags a jump faster than the power allows, never counts it, and follows the meter once it continues from there', () => {
    const t = tracker(builtin('flaregrid-pm1'), 'load', { maxPowerW: 36_000 });
    t.accept({ powerW: 1000, forwardEnergyWh: 1000, reverseEnergyWh: 0 }, T0);
    // 36 kW × 1.5 for 10 s is 150 Wh (+10 Wh slack); 5,000 Wh is impossible.
    const jump = t.accept({ powerW: 1000, forwardEnergyWh: 6000, reverseEnergyWh: 0 }, T0 + 10 * S);
    assert.equal(jump.quality, 'suspect');
    assert.equal(jump.qualityReason, 'counter jumped by 5000 Wh in 10 s, more than 36000 W allows');
    assert.equal(jump.energyOutWh, 1000);
    const continued = t.accept({ powerW: 1000, forwardEnergyWh: 6003, reverseEnergyWh: 0 }, T0 + 20 * S);
    assert.equal(continued.quality, 'good');
    assert.equal(continued.energyOutWh, 1003);
  });

  it('integrates power (trapezoid) where the meter has no counters, split by direction', () => {
    const t = tracker(POWER_ONLY, 'load');
    t.accept({ powerW: 3600 }, T0); // drawing 3.6 kW: powerW -3600
    const r1 = t.accept({ powerW: 3600 }, T0 + 5 * S);
    assert.equal(r1.energyOutWh, 5);
    assert.equal(r1.energyDerived, true);
    // from drawing 3600 W to feeding 3600 W in 2 s: 0.5 Wh out, 0.5 Wh in; whole Wh are reported, halves carried
    const r2 = t.accept({ powerW: -3600 }, T0 + 7 * S);
    assert.equal(r2.energyOutWh, 5);
    assert.equal(r2.energyInWh, 0);
    // back to drawing 3600 W in 2 s: another 0.5 Wh each way, and the carried halves make whole Wh
    const r3 = t.accept({ powerW: 3600 }, T0 + 9 * S);
    assert.equal(r3.energyOutWh, 6);
    assert.equal(r3.energyInWh, 1);
  });

  it('carries the fraction of integrated energy exactly over 86,400 one-second steps', () => {
    // Drawing 1,000.3 W for a day: 24,007.2 Wh. A float running sum of 0.2778 Wh steps would drift; whole Wh with a
    // carried remainder do not. Power varies a little each second (a seeded sawtooth) to keep the sums honest:
    // expected = sum over steps of (p0 + p1) / 2 × 1 s, computed here in exact integer milliwatt-milliseconds.
    const t = tracker(POWER_ONLY, 'load', { staleAfterMs: 5 * S });
    const powerAt = (step: number) => 1000.3 + ((step * 37) % 11) - 5;
    let expectedMwMs = 0n;
    t.accept({ powerW: powerAt(0) }, T0);
    let reading = t.accept({ powerW: powerAt(0) }, T0);
    for (let step = 1; step <= 86_400; step++) {
      expectedMwMs += BigInt(Math.round(powerAt(step - 1) * 1000) + Math.round(powerAt(step) * 1000)) * 1000n / 2n;
      reading = t.accept({ powerW: powerAt(step) }, T0 + step * S);
    }
    const expectedWholeWh = Number(expectedMwMs / 3_600_000_000n);
    assert.equal(reading.energyOutWh, expectedWholeWh);
    assert.ok(Number.isInteger(reading.energyOutWh));
    assert.ok(Math.abs(expectedWholeWh - 24_007) <= 1, `about 24,007 Wh, got ${expectedWholeWh}`);
    // and the remainder survives a restart: a resumed tracker continues to the same whole Wh
    const resumed = tracker(POWER_ONLY, 'load', { staleAfterMs: 5 * S, resume: t.snapshot() });
    resumed.accept({ powerW: powerAt(86_400) }, T0 + 86_400 * S);
    assert.equal(resumed.accept({ powerW: powerAt(86_400) }, T0 + 86_401 * S).energyOutWh, Number((expectedMwMs + BigInt(Math.round(powerAt(86_400) * 1000)) * 1000n) / 3_600_000_000n));
  });

  it('reports a fine-grained counter in whole Wh without losing the fraction over a day', () => {
    // An SDM630-like float kWh counter stepping 0.2778 Wh a second; 86,400 steps add 24,001.92 Wh exactly.
    const profile = builtin('eastron-sdm630');
    const t = tracker(profile, 'load', { maxPowerW: 100_000 });
    const startWh = 12_345_678.9;
    let reading = t.accept({ powerW: 1000, forwardEnergyWh: startWh, reverseEnergyWh: 0 }, T0);
    assert.equal(reading.energyOutWh, 12_345_678);
    for (let step = 1; step <= 86_400; step++) {
      reading = t.accept({ powerW: 1000, forwardEnergyWh: startWh + step * 0.2778, reverseEnergyWh: 0 }, T0 + step * S);
    }
    assert.equal(reading.energyOutWh, Math.floor(startWh + 86_400 * 0.2778));
  });

  it('resumes from a snapshot saved by release 0.1 (float totals, no site) without losing or inventing a Wh', () => {
    const old = {
      meterId: 'm1', profileId: 'power-only', derivedForwardWh: 10.75, derivedReverseWh: 0,
      last: { meterId: 'm1', role: 'load', ts: '2026-11-25T11:59:00.000Z', powerW: -3600, energyInWh: 0, energyOutWh: 10.75, quality: 'good' },
    };
    const t = tracker(POWER_ONLY, 'load', { resume: old as never });
    assert.equal(t.fail('timeout', T0).site, 'well-7');
    t.accept({ powerW: 3600 }, T0);
    // 0.75 carried + 0.25 Wh in the next quarter second = 11 whole Wh
    assert.equal(t.accept({ powerW: 3600 }, T0 + 250).energyOutWh, 11);
  });

  it('flags out-of-range values, skips them in integration, and does not integrate over a gap', () => {
    const t = tracker(POWER_ONLY, 'load');
    t.accept({ powerW: 3600 }, T0);
    const wild = t.accept({ powerW: 50_000 }, T0 + S);
    assert.equal(wild.quality, 'suspect');
    assert.equal(wild.qualityReason, 'powerW 50000 is outside the plausible range -10000…10000');
    assert.equal(wild.energyOutWh, 0);
    assert.equal(t.accept({ powerW: 3600 }, T0 + 2 * S).energyOutWh, 2);
    const gap = t.accept({ powerW: 3600 }, T0 + 60 * S);
    assert.equal(gap.quality, 'suspect');
    assert.equal(gap.qualityReason, 'energy not integrated over a gap of 58 s');
    assert.equal(gap.energyOutWh, 2);
  });

  it('a failed poll is a bad reading carrying the last values and the reason', () => {
    const t = tracker(builtin('flaregrid-pm1'), 'prosumer');
    const none = t.fail('timeout', T0);
    assert.deepEqual([none.quality, none.qualityReason, none.powerW, none.energyInWh], ['bad', 'timeout (no reading yet)', 0, 0]);
    t.accept({ powerW: 2000, forwardEnergyWh: 70, reverseEnergyWh: 30 }, T0 + S);
    const bad = t.fail('Modbus exception 02', T0 + 2 * S);
    assert.deepEqual(
      [bad.quality, bad.qualityReason, bad.powerW, bad.energyInWh, bad.energyOutWh, bad.ts],
      ['bad', 'Modbus exception 02', -2000, 30, 70, '2026-11-25T12:00:02.000Z'],
    );
  });

  it('reports stale once per episode, and again after a fresh answer goes quiet', () => {
    const t = tracker(builtin('flaregrid-pm1'), 'prosumer');
    assert.equal(t.checkStale(T0), undefined);
    assert.equal(t.checkStale(T0 + 9 * S), undefined);
    assert.equal(t.checkStale(T0 + 10 * S)?.qualityReason, 'no good answer for 10 s (no reading yet)');
    assert.equal(t.checkStale(T0 + 11 * S), undefined);
    t.accept({ powerW: 100, forwardEnergyWh: 1, reverseEnergyWh: 0 }, T0 + 20 * S);
    assert.equal(t.checkStale(T0 + 25 * S), undefined);
    const stale = t.checkStale(T0 + 31 * S);
    assert.deepEqual([stale?.quality, stale?.qualityReason, stale?.powerW], ['stale', 'no good answer for 11 s', -100]);
    assert.equal(t.checkStale(T0 + 60 * S), undefined);
  });

  it('says when the meter reports no power at all', () => {
    const reading = tracker(builtin('flaregrid-bm1'), 'bus').accept({ voltageV: 380 }, T0);
    assert.equal(reading.quality, 'suspect');
    assert.equal(reading.qualityReason, 'the meter did not report power');
    assert.equal(reading.powerW, 0);
  });
});
