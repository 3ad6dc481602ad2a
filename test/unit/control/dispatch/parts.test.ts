// The dispatch controller's parts: parameter checks, miner id lists, limit grids, the capacity estimate, the
// decaying timer and the mining value of a kWh.
import assert from 'node:assert/strict';
import {
  DecayingTimer,
  DEFAULT_DISPATCH_PARAMS,
  describeGrid,
  fitLine,
  gridOf,
  LEAD_S,
  minerLimitsOf,
  miningValueMsatPerKwh,
  NUMERIC_PARAMS,
  parseMinerIds,
  parsePriorities,
  plannedAvailableW,
  SOFT_LEAD_S,
  withParams,
  type AvailableSample,
} from '../../../../lib/control/dispatch';

const series = (values: number[], startMs = 0): AvailableSample[] => values.map((availableW, i) => ({ atMs: startMs + i * 1000, availableW }));

describe('dispatch parts', () => {
  describe('parameters', () => {
    it('every dispatch parameter has a unit, a default inside its range and a meaning', () => {
      assert.equal(NUMERIC_PARAMS.length, 26);
      for (const p of NUMERIC_PARAMS) {
        assert.ok(p.default >= p.min && p.default <= p.max && !(p.exclusiveMin && p.default === p.min), p.key);
        assert.ok(p.meaning.length > 10 && p.source.length > 0, p.key);
      }
      assert.deepEqual(withParams(DEFAULT_DISPATCH_PARAMS, {}), DEFAULT_DISPATCH_PARAMS);
    });

    it('takes dialog strings, refuses out of range, fractional counts, unknown keys and bad enums, all or nothing', () => {
      assert.equal(withParams(DEFAULT_DISPATCH_PARAMS, { reserveKw: '55.5' }).reserveKw, 55.5);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { reserveKw: '' }), /reserveKw must be a number from 0 to 100000 kW, got ""/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { staleAfterS: 0 }), /staleAfterS must be a number above 0 and at most 3600 s, got 0/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { gensetCount: 1.5 }), /gensetCount must be a whole number from 1 to 20, got 1.5/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { reserveKW: 5 }), { code: 'PARAM_INVALID', message: /unknown dispatch parameter reserveKW/ });
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { timerMode: 'sometimes' }), /timerMode must be one of decay, reset/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { economicMode: 'yes' }), /economicMode must be true or false/);
      assert.equal(withParams(DEFAULT_DISPATCH_PARAMS, { economicMode: 'true' }).economicMode, true);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { gensetMinLoadPct: 60 }), /gensetMinLoadPct \(60%\) must not exceed gensetSoftMinPct \(50%\)/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { failSafePct: 20 }), /failSafePct \(20%\) must not be below gensetMinLoadPct \(30%\)/);
      assert.throws(() => withParams(DEFAULT_DISPATCH_PARAMS, { minerStepW: 5000 }), /minerStepW \(5000 W\) must not exceed minerMaxKw \(3500 W\)/);
    });
  });

  describe('miner ids', () => {
    it('expands ranges with the first id\'s padding, with or without the prefix repeated', () => {
      assert.deepEqual(parseMinerIds('s21-008..011, spare-1, s21-009'), ['s21-008', 's21-009', 's21-010', 's21-011', 'spare-1']);
      assert.deepEqual(parseMinerIds('a1..a3'), ['a1', 'a2', 'a3']);
      assert.equal(parseMinerIds('s21-001..180').length, 180);
      assert.deepEqual(parseMinerIds(' '), []);
    });

    it('refuses a backwards range, a huge one and an id that cannot be a topic level', () => {
      assert.throws(() => parseMinerIds('m-9..2'), /runs backwards/);
      assert.throws(() => parseMinerIds('m-0..99999'), /more than 10000 ids/);
      assert.throws(() => parseMinerIds('bad/id'), { code: 'PARAM_INVALID' });
    });

    it('reads fixed priorities per id or range', () => {
      assert.deepEqual([...parsePriorities('s21-001..002=10, spare=-1')], [['s21-001', 10], ['s21-002', 10], ['spare', -1]]);
      assert.throws(() => parsePriorities('s21-001'), /must read id=N/);
      assert.throws(() => parsePriorities('s21-001=high'), /must read id=N/);
    });
  });

  describe('limit grids', () => {
    const limits = minerLimitsOf(DEFAULT_DISPATCH_PARAMS);

    it('the dialog\'s grid, narrowed by a miner\'s own range and step', () => {
      assert.equal(gridOf(limits).length, 22);
      assert.equal(describeGrid(gridOf(limits)), '1400 … 3500 W in 100 W steps');
      const narrowed = gridOf(limits, { controllable: true, minW: 2000, maxW: 4000, stepW: 500, rampWPerS: 100, wakeS: 90, sleepS: 2, lagS: 20 });
      assert.deepEqual(narrowed, [2000, 2500, 3000, 3500]);
    });

    it('LuxOS profiles are the only limits; a read-only miner has none', () => {
      const profiles = gridOf(limits, { controllable: true, minW: 1000, maxW: 3600, stepW: 1, levelsW: [3600, 1000, 2800, 2000], rampWPerS: 100, wakeS: 90, sleepS: 2, lagS: 20 });
      assert.deepEqual(profiles, [2000, 2800], '1,000 W is under the dialog\'s 1,400 W, 3,600 W over its 3,500 W');
      assert.deepEqual(gridOf(limits, { controllable: false, minW: 0, maxW: 3500, stepW: 1, rampWPerS: 0, wakeS: 0, sleepS: 0, lagS: 0 }), []);
      assert.equal(describeGrid([]), 'none: the miner is read only');
    });
  });

  describe('capacity estimate', () => {
    it('a straight line through steady readings: the noise of one reading is not planned with', () => {
      const fit = fitLine(series([600_000, 604_000, 596_000, 600_000, 600_000]));
      assert.ok(Math.abs(fit.atLatestW - 600_000) < 1500 && Math.abs(fit.slopeWPerS) < 1000);
      const planned = plannedAvailableW(series([600_000, 604_000, 596_000, 600_000, 620_000]), 800_000);
      assert.ok(planned.availableW < 612_000, `one high reading is not believed: ${planned.availableW}`);
    });

    it('a fast fall is met LEAD_S ahead; a slow drift lowers what targets are planned against, SOFT_LEAD_S ahead', () => {
      // 5 kW/s down for eight seconds on an 800 kW rating (the noise threshold is 1.2 kW/s).
      const falling = plannedAvailableW(series([640_000, 635_000, 630_000, 625_000, 620_000, 615_000, 610_000, 605_000]), 800_000);
      assert.ok(Math.abs(falling.fallingWPerS - 5000) < 1);
      assert.ok(Math.abs(falling.availableW - (605_000 - LEAD_S * 5000)) < 1);
      // 0.5 kW/s down over 30 s: below the fast threshold; targets planned 20 s ahead, 10 kW lower.
      const drift = plannedAvailableW(series(Array.from({ length: 30 }, (_, i) => 650_000 - 500 * i)), 800_000);
      assert.equal(drift.fallingWPerS, 0);
      assert.ok(Math.abs(drift.availableW - 635_500) < 1);
      assert.ok(Math.abs(drift.plannedW - (635_500 - SOFT_LEAD_S * 500)) < 1);
    });

    it('a step (a set tripping) is taken at once and restarts the line', () => {
      const tripped = plannedAvailableW(series([640_000, 640_000, 640_000, 320_000]), 800_000);
      assert.equal(tripped.availableW, 320_000);
      const after = plannedAvailableW(series([640_000, 640_000, 640_000, 320_000, 321_000, 319_000]), 800_000);
      assert.ok(Math.abs(after.availableW - 320_000) < 1500, 'the line starts again after the step');
    });
  });

  describe('decaying timer', () => {
    it('counts for, holds in the dead band, runs back against (decay) or clears (reset)', () => {
      const timer = new DecayingTimer();
      assert.equal(timer.update('for', 4000, 5000, 'decay'), false);
      timer.update('hold', 60_000, 5000, 'decay');
      assert.equal(timer.elapsedMs, 4000);
      timer.update('against', 1000, 5000, 'decay');
      assert.equal(timer.elapsedMs, 3000);
      assert.equal(timer.update('for', 2000, 5000, 'decay'), true);
      timer.update('against', 1000, 5000, 'reset');
      assert.equal(timer.elapsedMs, 0);
      assert.equal(new DecayingTimer().update('for', 1000, 0, 'decay'), true, 'a delay of 0 fires at once');
    });
  });

  it('mining value: hashprice × TH/s per kW ÷ 24 h, in msat per kWh', () => {
    assert.equal(miningValueMsatPerKwh(44), 104_761);
    assert.equal(miningValueMsatPerKwh(44, 15.4), Math.floor((44 * (1000 / 15.4) * 1000) / 24));
    assert.equal(miningValueMsatPerKwh(0), 0);
  });
});
