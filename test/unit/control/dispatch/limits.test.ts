// Hand-checked cases, one per parameter of the miners, the gensets, priority and economics (harness.ts's site).
import assert from 'node:assert/strict';
import { DispatchController, gridOf, minerLimitsOf, DEFAULT_DISPATCH_PARAMS } from '../../../../lib/control/dispatch';
import { Site, total } from './harness';

describe('dispatch parameters: miners, gensets, priority and economics (hand-checked)', () => {
  it('minOnS 300: a soft shed leaves a miner woken a second ago at its minimum; a fast shed sleeps it anyway', () => {
    const site = new Site({ miners: 1, params: { minOnS: 300, deficitImmediateKw: 1, gensetSoftMinPct: 0, gensetMinLoadPct: 0, failSafePct: 0 } });
    // 25.2 kW of gas − 20 kW firm: spare 5.2 kW, add 3.45 kW: woken at 1.4 kW and raised to 3.4 kW.
    assert.equal(total(site.step({ availableW: 25_200 })), 3400);
    site.ctl.setParams({ reserveKw: 10 });
    // The reserve now holds 10 − 3.4 = 6.6 kW free: spare −4.8 kW, beyond the 1 kW threshold. Lowered to 1.4 kW, not slept.
    assert.equal(total(site.step({ availableW: 25_200 })), 1400);
    assert.equal(site.targetOf('m-01'), 1400);
    // Gas falls to 19 kW: load 21.4 kW is 2.4 kW over the cap for three cycles: asleep, whatever its time on.
    site.step({ availableW: 19_000 });
    site.step({ availableW: 19_000 });
    assert.equal(total(site.step({ availableW: 19_000 })), 0);
    const soft = new Site({ miners: 1, params: { minOnS: 0, deficitImmediateKw: 1, gensetSoftMinPct: 0, gensetMinLoadPct: 0, failSafePct: 0 } });
    soft.step({ availableW: 25_200 });
    soft.ctl.setParams({ reserveKw: 10 });
    assert.equal(total(soft.step({ availableW: 25_200 })), 0, 'with no minimum on time the soft shed sleeps it');
  });

  it('minOffS 120: a miner slept by a shed is woken again no sooner than 120 s later', () => {
    const site = new Site({ miners: 1, startW: 3500, params: { minOffS: 120 } });
    // 20 kW firm + 3.5 kW on 19 kW of gas: 4.5 kW over, beyond the hysteresis: asleep at once.
    assert.equal(total(site.step({ availableW: 19_000 })), 0);
    assert.equal(site.run({ availableW: 100_000 }, (d) => total(d) > 0), 120);
  });

  it('minerMinPct 50: a woken miner starts at 1,750 W, and the top of the grid is 3,450 W (1,750 + 17 × 100)', () => {
    const site = new Site({ miners: 1, params: { minerMinPct: 50, rampUpKwPerS: 1.75 } });
    assert.equal(total(site.step({})), 1750);
    site.run({}, (d) => total(d) >= 3450);
    assert.equal(total(site.step({})), 3450);
  });

  it('minerMaxKw 3: no target above 3,000 W however large the surplus', () => {
    const site = new Site({ miners: 5, params: { minerMaxKw: 3 } });
    const d = site.step({});
    assert.deepEqual(d.targets.map((t) => t.targetW), [3000, 3000, 3000, 3000, 3000]);
  });

  it('minerStepW 250: targets are 1,400 W plus whole 250 W steps (1,400 … 3,400 W)', () => {
    assert.deepEqual(gridOf(minerLimitsOf({ ...DEFAULT_DISPATCH_PARAMS, minerStepW: 250 })), [1400, 1650, 1900, 2150, 2400, 2650, 2900, 3150, 3400]);
    const site = new Site({ miners: 4, startW: 2900, params: { minerStepW: 250 } });
    // 20 kW firm + 11.6 kW on 35 kW of gas: 3.4 kW spare, below the hysteresis. On 36 kW, 4.4 kW: 2.65 kW to add;
    // two 250 W steps each take all four to 3,400 W, the top of the grid (2 kW), and the rest has nowhere to go.
    assert.equal(total(site.step({ availableW: 35_000 })), 11_600);
    const d = site.step({ availableW: 36_000 });
    assert.deepEqual(d.targets.map((t) => t.targetW), [3400, 3400, 3400, 3400]);
  });

  it('gensetRatingKw and gensetCount: the cap is 95% of the rating online; a genset reading with no power or gas takes a set out', () => {
    const site = new Site({ miners: 40, params: { gensetRatingKw: 50, gensetCount: 2 } });
    assert.deepEqual([site.step({}).onlineRatingW, site.last!.capW], [100_000, 95_000]);
    const reading = (meterId: string, powerW: number, availablePowerW: number) => ({
      site: 'well-7', meterId, role: 'genset', ts: new Date(site.nowMs).toISOString(), powerW, energyInWh: 0, energyOutWh: 0, availablePowerW, quality: 'good',
    });
    site.ctl.onGensetReading(reading('g1', 30_000, 50_000), site.nowMs);
    site.ctl.onGensetReading(reading('g2', 0, 0), site.nowMs);
    assert.deepEqual([site.step({ availableW: 50_000 }).onlineRatingW, site.last!.capW], [50_000, 47_500]);
  });

  it('gensetMaxLoadPct 80: with ample gas the cap is 80 kW of the 100 kW set', () => {
    const site = new Site({ miners: 40, params: { gensetMaxLoadPct: 80, gensetSoftMinPct: 50 } });
    const d = site.step({});
    assert.deepEqual([d.capW, d.budgetW], [80_000, 60_000]);
  });

  it('gensetMinLoadPct 30: below it, load is added without waiting for the enable delay', () => {
    const site = new Site({ miners: 10, params: { enableDelayS: 600 } });
    // 20 kW firm on a 100 kW set: 10 kW short of 30%. Seven woken at 1.4 kW, two raised 100 W: exactly 10 kW.
    const d = site.step({});
    assert.equal(total(d), 10_000);
    assert.match(d.reasons[0]!, /^add: the gensets are below their 30% minimum load$/);
    assert.equal(total(site.step({})), 10_000, 'and no further until the enable delay has passed');
  });

  it('gensetSoftMinPct 50: a soft shed never takes the set below half load', () => {
    // Ten at 3 kW, 40 kW reserve (10 kW held), 59 kW of gas: a 1 kW soft deficit; site load 50 kW is the soft minimum.
    const site = new Site({ miners: 10, startW: 3000, params: { reserveKw: 40, gensetSoftMinPct: 50, enableDelayS: 600 } });
    assert.equal(total(site.step({ availableW: 59_000 })), 30_000);
    site.ctl.setParams({ gensetSoftMinPct: 40 });
    assert.equal(total(site.step({ availableW: 59_000 })), 27_200);
  });

  it('priorityMode efficiency: the lowest J/TH wakes first and sleeps last; fixed: the highest priority does', () => {
    const efficient = new Site({ miners: 3, startW: 3500 });
    efficient.miners[0]!.efficiencyJPerTh = 19;
    efficient.miners[1]!.efficiencyJPerTh = 16;
    efficient.miners[2]!.efficiencyJPerTh = 17.5;
    efficient.report();
    // 20 kW + 10.5 kW on 26 kW of gas: 4.5 kW over: 4.5 + 1.75 = 6.25 kW: the two worst sleep (19 then 17.5 J/TH).
    const d = efficient.step({ availableW: 26_000 });
    assert.deepEqual(d.targets.map((t) => t.targetW), [0, 3500, 0]);
    const fixed = new Site({ miners: 3, startW: 3500, params: { priorityMode: 'fixed' }, priorities: new Map([['m-01', 9], ['m-02', 1], ['m-03', 5]]) });
    assert.deepEqual(fixed.step({ availableW: 26_000 }).targets.map((t) => t.targetW), [3500, 0, 0]);
  });

  it('ties rotate by run-hours: of two equal miners the one that ran less wakes first', () => {
    const site = new Site({ miners: 2, startW: [3500, 0], params: { gensetMinLoadPct: 0, gensetSoftMinPct: 0, failSafePct: 0 } });
    // m-01 hashes for 100 s on a budget with no room (1.5 kW spare); then it is shed. 4 kW of spare adds 2.25 kW:
    // room to wake one (at 1.4 kW, raised to 2.2 kW), and the one that has not run is it.
    for (let i = 0; i < 100; i++) site.step({ availableW: 25_000 });
    site.step({ availableW: 18_000 });
    assert.deepEqual(site.last!.targets.map((t) => t.targetW), [0, 0]);
    const d = site.step({ availableW: 24_000 });
    assert.deepEqual(d.targets.map((t) => [t.minerId, t.targetW]), [['m-01', 0], ['m-02', 2200]]);
  });

  it('economicMode with hashpriceSatPerThDay and marketPriceMsatPerKwh: an offer only while the bid beats mining', () => {
    const site = new Site({ miners: 4, startW: 3500, params: { economicMode: true, hashpriceSatPerThDay: 44, marketPriceMsatPerKwh: 150_000 } });
    const offered = site.step({ availableW: 40_000 });
    // 44 sat/TH/day × 57.14 TH/s per kW ÷ 24 h × 1,000 = 104,761 msat/kWh; 150,000 beats it.
    assert.deepEqual([offered.economic, offered.offer?.offerW, offered.offer?.floorPriceMsatPerKwh], [true, 14_000, 104_761]);
    site.ctl.setParams({ hashpriceSatPerThDay: 80 });
    // 80 × 57.14 / 24 × 1,000 = 190,476 msat/kWh: mining pays more, no offer.
    assert.equal(site.step({ availableW: 40_000 }).offer, undefined);
    site.ctl.setParams({ hashpriceSatPerThDay: 44, economicMode: false });
    assert.equal(site.step({ availableW: 40_000 }).offer, undefined, 'economic mode off: never an offer');
  });

  it('refuses a controller with an invalid parameter, naming it', () => {
    assert.throws(() => new DispatchController({ site: 'well-7', params: { hysteresisKw: -1 } }), /hysteresisKw must be a number from 0 to 10000 kW, got -1/);
  });
});
