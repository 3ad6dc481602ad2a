import assert from 'node:assert/strict';
import { Alarm, PhysicsOptions, PlantPhysics, RunState } from '../../../sim/plant';

const NOON = Date.parse('2026-06-01T12:00:00Z');

/** A quiet plant: constant gas, exact load profiles, no aux, so every figure can be computed by hand. */
function quiet(overrides: Partial<PhysicsOptions> = {}): PlantPhysics {
  return new PlantPhysics({
    startTimeMs: NOON,
    seed: 7,
    gas: { meanFlowMcfd: 150, heatingValueBtuPerScf: 1200, diurnalAmplitude: 0, noiseSigma: 0, randomEvents: false },
    loadNoise: false,
    auxLoadW: 0,
    prosumers: [],
    ...overrides,
  });
}

function load(baseLoadW: number) {
  return [{ name: 'load', baseLoadW }];
}

describe('sim physics', () => {
  it('gas-limited power: 150 Mcf/d × 1,200 BTU/scf ÷ 10,500 BTU/kWh = 714.3 kW', () => {
    // 150 Mcf/d = 150,000 scf/d; × 1,200 BTU/scf = 180,000,000 BTU/d; ÷ 24 = 7,500,000 BTU/h;
    // ÷ 10,500 BTU/kWh = 714.2857 kW, shared by rating: 357.1429 kW per 400 kW genset.
    const plant = quiet({ prosumers: load(100_000) });
    plant.advance(1000);
    const expectedTotalW = ((150_000 * 1200) / 24 / 10_500) * 1000;
    assert.ok(Math.abs(expectedTotalW - 714_285.7) < 0.1);
    for (const g of plant.gensets) assert.ok(Math.abs(g.availableW - expectedTotalW / 2) < 1e-6);
    assert.ok(Math.abs(plant.bus.availableW - expectedTotalW) < 1e-6);
  });

  it('part-load curve lowers the gas-limited power (31% at full load → heat rate 11,007 BTU/kWh)', () => {
    const plant = quiet({ prosumers: load(100_000), partLoadCurve: true });
    plant.advance(1000);
    // Each genset gets 3,750,000 BTU/h. At 31%: 3,412.14 / 0.31 = 11,006.9 BTU/kWh → 340.7 kW would need
    // load 85%, where the curve gives 30.4%: solve P = 3,750,000 × η(P/400k) / 3,412.14 → about 334 kW.
    const g = plant.gensets[0]!;
    const efficiency = 0.3 + ((0.31 - 0.3) * (g.availableW / 400_000 - 0.75)) / 0.25;
    assert.ok(Math.abs((3_750_000 * efficiency) / 3412.14 - g.availableW / 1000) < 0.01);
    assert.ok(g.availableW > 330_000 && g.availableW < 345_000);
  });

  it('trips on fuel shortfall after more than 5 s, then restarts after 60 s and 60 s of warm-up', () => {
    // 750 kW asked, 714.3 kW of gas: each genset is asked 375 kW against 357.1 kW available.
    const plant = quiet({ prosumers: load(750_000) });
    plant.advance(5000);
    const g = plant.gensets[0]!;
    assert.equal(g.state, RunState.Running);
    assert.equal(g.alarms & Alarm.LowGasSupply, Alarm.LowGasSupply);
    assert.ok(plant.bus.voltageV < 374.3, 'the bus sags while the gas falls short');
    plant.advance(200);
    assert.equal(g.state, RunState.Tripped);
    assert.equal(g.alarms & Alarm.FuelShortfallTrip, Alarm.FuelShortfallTrip);
    assert.equal(plant.bus.voltageV, 0);
    plant.advance(60_000);
    assert.equal(g.state, RunState.Starting);
    assert.equal(g.alarms, 0);
    plant.advance(60_000);
    assert.equal(g.state, RunState.Running);
  });

  it('trips on overload above 110% after more than 2 s', () => {
    // Plenty of gas (300 Mcf/d carries 1,428.6 kW); 900 kW asks 450 kW = 112.5% of each 400 kW set.
    const plant = quiet({
      gas: { meanFlowMcfd: 300, diurnalAmplitude: 0, noiseSigma: 0, randomEvents: false },
      prosumers: load(900_000),
    });
    plant.advance(2000);
    assert.equal(plant.gensets[0]!.state, RunState.Running);
    plant.advance(200);
    assert.equal(plant.gensets[0]!.state, RunState.Tripped);
    assert.equal(plant.gensets[0]!.alarms & Alarm.OverloadTrip, Alarm.OverloadTrip);
  });

  it('flags the soft minimum and trips below the hard minimum (30%) after the set time', () => {
    // 100 kW over two 400 kW sets = 12.5% each: below 50% (soft) and 30% (hard).
    const plant = quiet({ prosumers: load(100_000), hardMinTripMs: 10_000 });
    plant.advance(10_000);
    const g = plant.gensets[1]!;
    assert.equal(g.alarms & Alarm.BelowSoftMin, Alarm.BelowSoftMin);
    assert.equal(g.state, RunState.Running);
    plant.advance(100);
    assert.equal(g.state, RunState.Tripped);
    assert.equal(g.alarms & Alarm.HardMinTrip, Alarm.HardMinTrip);
  });

  it('ramps up at 2 %/s and down at 10 %/s of rating; the bus sags while the ramp lags', () => {
    const plant = quiet({ prosumers: load(200_000) });
    plant.advance(1000);
    const g = plant.gensets[0]!;
    assert.ok(Math.abs(g.outputW - 100_000) < 1e-6);
    plant.setMinerSlotPowerW(0, 157_500); // each set's target rises by 78.75 kW to 178.75 kW
    plant.advance(1000);
    // 2% × 400 kW = 8 kW/s: one second later the set point is 108 kW.
    assert.ok(Math.abs(g.setpointW - 108_000) < 1e-6);
    assert.ok(Math.abs(g.outputW - 108_000) < 1e-6);
    // Asked 357.5 kW, delivered 216 kW: imbalance 141.5 kW / 800 kW online; loading 357.5 / 714.29.
    const loading = 357_500 / (((150_000 * 1200) / 24 / 10_500) * 1000);
    const expectedV = 380 * (1 + 0.03 * (0.5 - loading) - 0.5 * (141_500 / 800_000));
    assert.ok(Math.abs(plant.bus.voltageV - expectedV) < 1e-9);
    assert.equal(plant.bus.excursionCount, 1);
    plant.advance(9000);
    assert.ok(Math.abs(g.outputW - 178_750) < 1e-6);
    plant.setMinerSlotPowerW(0, 0);
    plant.advance(1000);
    // 10% × 400 kW = 40 kW/s down: the set point lags at 138.75 kW while the load takes only 100 kW.
    assert.ok(Math.abs(g.setpointW - 138_750) < 1e-6);
    assert.ok(Math.abs(g.outputW - 100_000) < 1e-6);
    assert.ok(plant.bus.voltageV > 380);
  });

  it('droop: 380 V at half the available power, +0.75% at a quarter', () => {
    const availableW = ((150_000 * 1200) / 24 / 10_500) * 1000;
    const half = quiet({ prosumers: load(availableW / 2) });
    half.advance(1000);
    assert.ok(Math.abs(half.bus.voltageV - 380) < 1e-9);
    const quarter = quiet({ prosumers: load(availableW / 4) });
    quarter.advance(1000);
    // V = 380 × (1 + 0.03 × (0.5 − 0.25)) = 382.85 V
    assert.ok(Math.abs(quarter.bus.voltageV - 382.85) < 1e-9);
    assert.equal(quarter.bus.excursionCount, 0);
  });

  it('flare accounting: one hour of 150 Mcf/d with nothing burned', () => {
    const plant = quiet({ hardMinTripMs: 1e9 });
    plant.advance(3_600_000);
    // 150,000 scf/d ÷ 24 = 6,250 scf in one hour, all to the flare.
    assert.ok(Math.abs(plant.ledger.suppliedScf - 6250) < 1e-6);
    assert.ok(Math.abs(plant.ledger.flaredScf - 6250) < 1e-6);
    assert.equal(plant.ledger.burnedScf, 0);
    // CH4: 0.70 × (16.043 lb/lbmol × 0.45359 kg/lb ÷ 379.3 scf/lbmol) = 0.013430 kg/scf; 8.9% escapes the
    // flare: × 0.089 × 29.8 = 0.035620 kg CO2e/scf. CO2: 1,200 BTU/scf = 0.0012 MMBtu × 53.06 × 0.911 burned
    // = 0.058005 kg/scf. Total 0.093625 kg/scf × 6,250 scf = 585.2 kg CO2e.
    const ch4 = 0.7 * ((16.043 * 0.45359237) / 379.3);
    const perScf = ch4 * (1 - 0.911) * 29.8 + 0.0012 * 53.06 * 0.911;
    assert.ok(Math.abs(perScf - 0.093625) < 1e-5);
    assert.ok(Math.abs(plant.ledger.emittedKg - 6250 * perScf) < 1e-6);
    assert.equal(plant.ledger.avoidedKg, 0);
  });

  it('flare accounting: gas burned in the gensets is not flared and counts as avoided', () => {
    // 300 kW for one hour at 10,500 BTU/kWh = 3,150,000 BTU ÷ 1,200 = 2,625 scf burned of 6,250 supplied.
    const plant = quiet({ prosumers: load(300_000) });
    plant.advance(3_600_000);
    assert.ok(Math.abs(plant.ledger.burnedScf - 2625) < 1e-6);
    assert.ok(Math.abs(plant.ledger.flaredScf - 3625) < 1e-6);
    const ch4 = 0.7 * ((16.043 * 0.45359237) / 379.3);
    const flare = ch4 * 0.089 * 29.8 + 0.0012 * 53.06 * 0.911;
    const engine = ch4 * 0.01 * 29.8 + 0.0012 * 53.06 * 0.99;
    assert.ok(Math.abs(plant.ledger.avoidedKg - 2625 * (flare - engine)) < 1e-6);
    assert.ok(Math.abs(plant.ledger.emittedKg - (3625 * flare + 2625 * engine)) < 1e-6);
  });

  it('integrates energy exactly: 1,234 W for 30 min is 617 Wh, in 100 ms steps', () => {
    const plant = quiet({ prosumers: load(1234), hardMinTripMs: 1e9 });
    plant.advance(1_800_000);
    assert.equal(plant.prosumerMeters[0]!.forward.wh, 617n);
    assert.equal(plant.busMeter.forward.wh, 617n);
    assert.equal(plant.gensets[0]!.energyForward.wh, 308n); // 617 W × 0.5 h = 308.5 Wh: the floor is shown
    assert.ok(Math.abs(plant.gensets[0]!.energyForward.exactWh - 308.5) < 1e-9);
    plant.advance(1_800_000);
    assert.equal(plant.gensets[0]!.energyForward.wh, 617n);
  });

  it('counter presets wrap and meter reset zeroes the counters', () => {
    const plant = quiet({
      prosumers: load(72_000),
      counterPresets: { genset1: { forwardWh: 2 ** 32 - 10 }, prosumer1: { forwardWh: 2n ** 64n - 5n } },
    });
    // 36 kW per genset = 10 Wh per second.
    plant.advance(2000);
    assert.equal(plant.gensets[0]!.energyForward.wh, 2n ** 32n + 10n);
    assert.equal(plant.prosumerMeters[0]!.forward.wh, 2n ** 64n + 35n);
    plant.resetMeter('prosumer1');
    assert.equal(plant.prosumerMeters[0]!.forward.wh, 0n);
    assert.equal(plant.prosumerMeters[0]!.resetSincePowerUp, true);
    assert.throws(() => plant.resetMeter('nope'), { code: 'ERR_DEVICE' });
  });

  it('is deterministic per seed and independent of how time is chunked', () => {
    const noisy = (seed: number) =>
      new PlantPhysics({ startTimeMs: NOON, seed, gas: { randomEvents: true }, minerSlots: 2 });
    const a = noisy(3);
    const b = noisy(3);
    const c = noisy(4);
    a.advance(7_200_000);
    for (let i = 0; i < 72; i++) b.advance(100_000);
    c.advance(7_200_000);
    assert.equal(a.gas.flowMcfd, b.gas.flowMcfd);
    assert.deepEqual(a.ledger, b.ledger);
    assert.equal(a.prosumerMeters[1]!.forward.exactWh, b.prosumerMeters[1]!.forward.exactWh);
    assert.notEqual(a.gas.flowMcfd, c.gas.flowMcfd);
  });

  it('an operator stop cools down for 60 s, then the set is stopped and the other carries the bus', () => {
    const plant = quiet({ prosumers: load(300_000) });
    plant.commandGenset(0, 'stop');
    plant.advance(1000);
    assert.equal(plant.gensets[0]!.state, RunState.CoolingDown);
    assert.equal(plant.gensets[0]!.outputW, 0);
    plant.advance(60_000);
    assert.equal(plant.gensets[0]!.state, RunState.Stopped);
    assert.ok(Math.abs(plant.gensets[1]!.outputW - 300_000) < 1e-6);
    assert.throws(() => plant.commandGenset(5, 'start'), { code: 'ERR_GENSET' });
  });

  it('gas events: a shut-in drops the flow to zero for its duration', () => {
    const plant = quiet({ prosumers: load(100_000) });
    plant.injectGasEvent({ kind: 'shut-in', factor: 0, durationMs: 60_000 });
    plant.advance(1000);
    assert.equal(plant.gas.flowMcfd, 0);
    plant.advance(60_000);
    assert.equal(plant.gas.flowMcfd, 150);
    plant.injectGasEvent({ kind: 'step', factor: 0.7 });
    plant.advance(3_600_000);
    assert.ok(Math.abs(plant.gas.flowMcfd - 105) < 1e-9, 'a well off line stays off until cleared');
    plant.clearGasEvents();
    plant.advance(100);
    assert.equal(plant.gas.flowMcfd, 150);
  });
});
