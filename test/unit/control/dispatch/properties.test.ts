// Properties of the dispatch controller over random fleets, parameters and balances (fast-check): no target outside
// a miner's limits; the targets within the gas-limited surplus plus the trim tolerance; no added step past the step
// limit; no shed that takes the gensets below their minimum load while the gas carries it.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gridOf, isOnGrid, minerLimitsOf, NOISE_ALLOWANCE_SHARE, withParams, DEFAULT_DISPATCH_PARAMS, type DispatchDecision } from '../../../../lib/control/dispatch';
import { Site } from './harness';

interface Case {
  params: Record<string, unknown>;
  startW: number[];
  deaf: boolean[];
  steps: { availableShare: number; firmShare: number; silentMs: number; busVoltageV: number; quality: 'good' | 'suspect' | 'stale' }[];
}

interface Ranges {
  deaf: boolean;
  available: [number, number];
  firm: [number, number];
  ratingKw: [number, number];
  gensets: [number, number];
  miners: [number, number];
}

const WIDE: Ranges = { deaf: true, available: [0, 1.1], firm: [0, 0.6], ratingKw: [50, 200], gensets: [1, 2], miners: [1, 30] };
/** A fleet larger than the surplus, so that the surplus binds. */
const CROWDED: Ranges = { deaf: true, available: [0.1, 1.1], firm: [0, 0.5], ratingKw: [50, 100], gensets: [1, 1], miners: [15, 30] };
/** A fleet that can carry the gensets above their floor, on gas that moves between 45% and 100% of the rating. */
const NEAR_FLOOR: Ranges = { deaf: false, available: [0.45, 1], firm: [0.05, 0.25], ratingKw: [50, 100], gensets: [1, 1], miners: [15, 30] };

const caseArb = (r: Ranges): fc.Arbitrary<Case> =>
  fc
    .record({
      params: fc.record({
        hysteresisKw: fc.double({ min: 0.5, max: 10, noNaN: true }),
        maxStepKw: fc.integer({ min: 5, max: 100 }),
        rampUpKwPerS: fc.integer({ min: 1, max: 50 }),
        stepIntervalS: fc.integer({ min: 0, max: 20 }),
        enableDelayS: fc.integer({ min: 0, max: 30 }),
        disableDelayS: fc.integer({ min: 0, max: 30 }),
        deficitImmediateKw: fc.integer({ min: 0, max: 40 }),
        minOnS: fc.integer({ min: 0, max: 60 }),
        minOffS: fc.integer({ min: 0, max: 60 }),
        reserveKw: fc.integer({ min: 0, max: 50 }),
        gensetRatingKw: fc.integer({ min: r.ratingKw[0], max: r.ratingKw[1] }),
        gensetCount: fc.integer({ min: r.gensets[0], max: r.gensets[1] }),
        minerMinPct: fc.integer({ min: 30, max: 60 }),
        minerStepW: fc.constantFrom(50, 100, 200),
        timerMode: fc.constantFrom('decay', 'reset'),
        priorityMode: fc.constantFrom('efficiency', 'fixed'),
        confirmTimeoutS: fc.integer({ min: 5, max: 60 }),
      }),
      miners: fc.integer({ min: r.miners[0], max: r.miners[1] }),
      seedPowers: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 30, maxLength: 30 }),
      deaf: fc.array(r.deaf ? fc.boolean() : fc.constant(false), { minLength: 30, maxLength: 30 }),
      steps: fc.array(
        fc.record({
          availableShare: fc.double({ min: r.available[0], max: r.available[1], noNaN: true }),
          firmShare: fc.double({ min: r.firm[0], max: r.firm[1], noNaN: true }),
          silentMs: fc.constantFrom(0, 0, 0, 0, 0, 0, 6000),
          busVoltageV: fc.constantFrom(378, 378, 378, 378, 360, 400),
          quality: fc.constantFrom('good', 'good', 'good', 'suspect', 'stale'),
        }),
        { minLength: 10, maxLength: 60 },
      ),
    })
    .map(({ params, miners, seedPowers, deaf, steps }) => {
      const limits = minerLimitsOf(withParams(DEFAULT_DISPATCH_PARAMS, params));
      const grid = gridOf(limits);
      // A miner starts asleep or at a limit of its grid.
      const startW = seedPowers.slice(0, miners).map((k) => (k < 8 ? 0 : grid[k % grid.length]!));
      return { params: { ...params, gensetSoftMinPct: 50, gensetMinLoadPct: 30, failSafePct: 50 }, startW, deaf: deaf.slice(0, miners), steps };
    });

/** Runs a case, calling `check` after every decision with what the site looked like before it. */
function play(c: Case, check: (d: DispatchDecision, before: { targets: Map<string, number>; suspect: Set<string>; firmW: number; availableW: number }, site: Site) => void): void {
  const site = new Site({ miners: c.startW.length, startW: c.startW, params: c.params });
  c.deaf.forEach((deaf, i) => (site.miners[i]!.deaf = deaf));
  const ratingW = (c.params.gensetRatingKw as number) * 1000 * (c.params.gensetCount as number);
  let previous: DispatchDecision | undefined;
  for (const step of c.steps) {
    const availableW = Math.round(step.availableShare * ratingW);
    const firmW = Math.round(step.firmShare * ratingW);
    const before = {
      targets: new Map(site.miners.map((m) => [m.id, previous?.targets.find((t) => t.minerId === m.id)?.targetW ?? m.targetW])),
      suspect: new Set((previous?.targets ?? []).filter((t) => t.suspect).map((t) => t.minerId)),
      firmW,
      availableW,
    };
    const balance = step.silentMs > 0 ? null : { availableW, firmDemandW: firmW, busVoltageV: step.busVoltageV, quality: step.quality };
    const d = site.step(balance, 1000 + step.silentMs);
    check(d, before, site);
    previous = d;
  }
}

describe('dispatch properties (fast-check)', () => {
  it('never sends a target outside a miner\'s limits: 0 or a limit on its grid, whole W', () => {
    fc.assert(
      fc.property(caseArb(WIDE), (c) => {
        const grid = gridOf(minerLimitsOf(withParams(DEFAULT_DISPATCH_PARAMS, c.params)));
        play(c, (d) => {
          for (const t of [...d.commands, ...d.targets]) assert.ok(Number.isInteger(t.targetW) && isOnGrid(grid, t.targetW), `${t.minerId}: ${t.targetW} W`);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the targets within the gas-limited surplus, plus the meter-noise allowance and half the hysteresis', () => {
    let binding = 0;
    fc.assert(
      fc.property(caseArb(CROWDED), (c) => {
        const ratingW = (c.params.gensetRatingKw as number) * 1000 * (c.params.gensetCount as number);
        const hysteresisW = (c.params.hysteresisKw as number) * 1000;
        play(c, (d, before, site) => {
          if (d.mode !== 'follow') return;
          const suspectDrawW = site.miners.filter((m) => before.suspect.has(m.id)).reduce((sum, m) => sum + m.powerW, 0);
          const capW = Math.min(before.availableW + NOISE_ALLOWANCE_SHARE * ratingW, 0.95 * ratingW);
          const surplusW = Math.max(0, capW - before.firmW - suspectDrawW);
          const targetsW = d.targets.filter((t) => !before.suspect.has(t.minerId)).reduce((sum, t) => sum + t.targetW, 0);
          if (targetsW > surplusW - 2 * hysteresisW) binding++;
          assert.ok(targetsW <= surplusW + hysteresisW / 2 + 1, `targets ${targetsW} W over the surplus ${Math.round(surplusW)} W (${d.reasons.join(' | ')})`);
        });
      }),
      { numRuns: 150 },
    );
    assert.ok(binding > 200, `only ${binding} decisions near the surplus`);
  });

  it('never adds more than the step limit in one decision, nor anything in the fail-safe', () => {
    fc.assert(
      fc.property(caseArb(CROWDED), (c) => {
        const maxStepW = (c.params.maxStepKw as number) * 1000;
        play(c, (d, before) => {
          const beforeW = [...before.targets.values()].reduce((a, b) => a + b, 0);
          const afterW = d.targets.reduce((sum, t) => sum + t.targetW, 0);
          if (d.mode === 'follow') assert.ok(afterW - beforeW <= maxStepW + 1, `added ${afterW - beforeW} W in one decision`);
          else assert.ok(afterW <= beforeW, `added ${afterW - beforeW} W in ${d.mode}`);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never sheds the gensets below their minimum load (but for one miner\'s granularity) while the gas carries it', () => {
    let checked = 0;
    let binding = 0;
    fc.assert(
      fc.property(caseArb(NEAR_FLOOR), (c) => {
        const hysteresisW = (c.params.hysteresisKw as number) * 1000;
        const maxW = Math.max(...gridOf(minerLimitsOf(withParams(DEFAULT_DISPATCH_PARAMS, c.params))));
        play(c, (d, before) => {
          if (d.mode !== 'follow') return;
          const headroomW = d.budgetW + d.reserveHeldW;
          const floorMinersW = d.floorW - before.firmW;
          if (headroomW < floorMinersW + maxW + hysteresisW) return;
          const beforeW = [...before.targets.values()].reduce((a, b) => a + b, 0);
          const afterW = d.targets.reduce((sum, t) => sum + t.targetW, 0);
          const allowedW = Math.min(beforeW, floorMinersW - maxW - hysteresisW);
          checked++;
          if (afterW < beforeW && beforeW >= floorMinersW) binding++;
          assert.ok(afterW >= allowedW, `shed to ${afterW} W, below the floor's ${Math.round(floorMinersW)} W (${d.reasons.join(' | ')})`);
        });
      }),
      { numRuns: 150 },
    );
    // The property is about sheds from at or above the floor: the runs must contain many.
    assert.ok(checked > 1000 && binding > 50, `checked ${checked} decisions, ${binding} sheds from at or above the floor`);
  });
});
