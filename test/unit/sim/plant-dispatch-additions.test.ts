// The plant additions the dispatch scenario needs: line pack, priming with miners set, time below the hard minimum.
import assert from 'node:assert/strict';
import { PhysicsOptions, PlantPhysics } from '../../../sim/plant';

const NOON = Date.parse('2026-06-01T12:00:00Z');

function quiet(overrides: Partial<PhysicsOptions> = {}, linePackMs = 0): PlantPhysics {
  return new PlantPhysics({
    startTimeMs: NOON,
    seed: 3,
    gas: { meanFlowMcfd: 150, heatingValueBtuPerScf: 1200, diurnalAmplitude: 0, noiseSigma: 0, randomEvents: false, linePackMs },
    loadNoise: false,
    auxLoadW: 0,
    prosumers: [{ name: 'load', baseLoadW: 100_000 }],
    ...overrides,
  });
}

describe('sim plant: additions for the dispatch scenario', () => {
  it('line pack: the intake follows a dip to ×0.5 by exp(−t/τ), τ = 60 s; without it, in the same step', () => {
    const packed = quiet({}, 60_000);
    const direct = quiet();
    for (const plant of [packed, direct]) plant.injectGasEvent({ kind: 'dip', factor: 0.5, durationMs: 600_000 });
    packed.advance(100);
    direct.advance(100);
    assert.equal(direct.gas.intakeFlowMcfd, 75);
    // One 100 ms step: 150 − 75 × (1 − e^(−0.1/60)) = 149.875
    assert.ok(Math.abs(packed.gas.intakeFlowMcfd - (150 - 75 * (1 - Math.exp(-0.1 / 60)))) < 1e-9);
    packed.advance(59_900);
    // After τ: 150 − 75 × (1 − 1/e) = 102.59 Mcf/d at the intake while the wellhead gives 75.
    assert.equal(packed.gas.flowMcfd, 75);
    assert.ok(Math.abs(packed.gas.intakeFlowMcfd - (150 - 75 * (1 - Math.exp(-1)))) < 1e-6);
    const expectedAvailableW = ((packed.gas.intakeFlowMcfd * 1000 * 1200) / 24 / 10_500) * 1000;
    assert.ok(Math.abs(packed.bus.availableW - expectedAvailableW) < 1e-6, 'the gensets see the intake, not the wellhead');
  });

  it('line pack: the ledger counts the intake, so flared = intake − burned', () => {
    const plant = quiet({ hardMinTripMs: 1e9 }, 60_000);
    plant.advance(3_600_000);
    // Steady 150 Mcf/d for an hour: 6,250 scf at the intake; 100 kW burns 100 × 10,500 / 1,200 = 875 scf/h.
    assert.ok(Math.abs(plant.ledger.suppliedScf - 6250) < 1e-6);
    assert.ok(Math.abs(plant.ledger.burnedScf - 875) < 1e-6);
    assert.ok(Math.abs(plant.ledger.flaredScf - 5375) < 1e-6);
    assert.throws(() => quiet({}, -1), { code: 'ERR_OPTION' });
  });

  it('prime(): miners set before the first step start in steady state, with no ramp and no sag', () => {
    const plant = quiet({ minerSlots: 4 });
    for (let slot = 0; slot < 4; slot++) plant.setMinerSlotPowerW(slot, 140_000);
    plant.prime();
    // 100 kW + 560 kW of miners on 714.3 kW of gas: each set at 330 kW at once.
    for (const g of plant.gensets) assert.ok(Math.abs(g.setpointW - 330_000) < 1e-6);
    plant.advance(100);
    assert.ok(Math.abs(plant.bus.generationW - 660_000) < 1e-6);
    assert.ok(plant.bus.voltageV > 370 && plant.bus.voltageV < 390);
    assert.equal(plant.bus.excursionCount, 0);
  });

  it('counts the total time below the hard minimum, across episodes', () => {
    // 100 kW on 800 kW is 12.5%: below 30% from the start. Then 300 kW (37.5%) for a minute, then 100 kW again.
    const plant = quiet({ prosumers: [{ name: 'load', baseLoadW: 100_000 }] });
    plant.advance(60_000);
    const g = plant.gensets[0]!;
    assert.ok(Math.abs(g.belowHardMinTotalMs - 60_000) <= 100);
    assert.ok(Math.abs(g.belowSoftMinMs - 60_000) <= 100);
    plant.miners.set(0, 157_500);
    plant.miners.set(1, 42_500);
    plant.advance(60_000);
    assert.ok(g.belowHardMinTotalMs < 75_000, 'not below 30% once the miners draw');
    plant.miners.set(0, 0);
    plant.miners.set(1, 0);
    plant.advance(60_000);
    assert.ok(g.belowHardMinTotalMs > 110_000 && g.belowHardMinTotalMs < 135_000);
    assert.ok(g.belowHardMinMs < g.belowHardMinTotalMs, 'the trip timer restarted; the total did not');
  });
});
