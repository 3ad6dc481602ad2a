// The fail-safe and the data it distrusts: staleAfterS, failSafePct, busMinV / busMaxV, no generation, and
// confirmTimeoutS for miners that do not act on their targets (harness.ts's site, hand-checked).
import assert from 'node:assert/strict';
import { RESEND_AFTER_MS } from '../../../../lib/control/dispatch';
import { Site, total } from './harness';

/** Ten miners at 3.5 kW (35 kW) on 20 kW of firm load: 55 kW of a 100 kW set. */
const running = (params: Record<string, unknown> = {}) => new Site({ miners: 10, startW: 3500, params: { failSafePct: 50, ...params } });

describe('dispatch fail-safe (hand-checked)', () => {
  it('staleAfterS 5: a balance 5.0 s old is followed; 5.1 s old is the fail-safe', () => {
    const site = running();
    site.step({});
    assert.equal(site.ctl.decide(site.nowMs + 5000).mode, 'follow');
    const stale = site.ctl.decide(site.nowMs + 5100);
    assert.equal(stale.mode, 'fail-safe');
    assert.match(stale.reasons[0]!, /^fail-safe: SiteBalance is 5\.1 s old; shed to 30\.0 kW and hold$/);
  });

  it('failSafePct 50: site load is shed to half the rating (30 kW of miners beside 20 kW firm), one step a cycle, then held', () => {
    const site = running({ maxStepKw: 10 });
    site.step({});
    // Six seconds without a balance. 35 − 30 = 5 kW over the safe level: two miners sleep (7 kW covers it).
    const first = site.step(null, 6000);
    assert.deepEqual([first.mode, first.budgetW, total(first)], ['fail-safe', 30_000, 28_000]);
    const held = site.step(null);
    assert.equal(total(held), 28_000, 'held, not raised back toward the safe level');
    assert.match(held.reasons[0]!, /^fail-safe: .*; holding 28\.0 kW$/);
  });

  it('failSafePct 30 with a 10 kW max step: 25 kW over the safe level is shed at most a step a cycle', () => {
    const site = running({ failSafePct: 30, maxStepKw: 10 });
    site.step({});
    // The safe level is 30 − 20 = 10 kW: 10 kW a cycle (three miners cover it), then the 4 kW left (two miners).
    assert.deepEqual([site.step(null, 6000), site.step(null), site.step(null)].map(total), [24_500, 14_000, 7000]);
  });

  it('a balance of quality stale or bad is the fail-safe; suspect is followed', () => {
    for (const quality of ['stale', 'bad'] as const) {
      const site = running();
      const d = site.step({ quality, qualityReason: 'genset meter genset1 is stale' });
      assert.equal(d.mode, 'fail-safe');
      assert.match(d.reasons[0]!, new RegExp(`SiteBalance is ${quality}: genset meter genset1 is stale`));
    }
    assert.equal(running().step({ quality: 'suspect', qualityReason: 'imbalance' }).mode, 'follow');
  });

  it('busMinV 365 / busMaxV 395: a bus outside the band is the fail-safe; moving the band moves it', () => {
    const site = running();
    site.step({});
    assert.equal(site.step({ busVoltageV: 364 }).mode, 'fail-safe');
    assert.match(site.last!.reasons[0]!, /bus at 364\.0 V is outside 365–395 V/);
    assert.equal(site.step({ busVoltageV: 396 }).mode, 'fail-safe');
    assert.equal(site.step({ busVoltageV: 370 }).mode, 'follow');
    site.ctl.setParams({ busMinV: 360 });
    assert.equal(site.step({ busVoltageV: 364 }).mode, 'follow');
  });

  it('a bus out of band with a fresh balance: load over the gas is shed at once, and the safe level comes from that balance', () => {
    const site = running();
    // The very first balance: 20 kW firm + 35 kW of miners on 45 kW of gas, the bus sagging to 358 V. 10 kW over:
    // 10 + 1.75 kW needs four miners asleep at once (14 kW). The safe level is min(50 − 20, 45 − 20) = 25 kW.
    const d = site.step({ availableW: 45_000, busVoltageV: 358 });
    assert.deepEqual([d.mode, total(d), d.budgetW], ['fail-safe', 21_000, 25_000]);
    assert.match(d.reasons[0]!, /^shed: load is 10\.0 kW over the gas-limited capacity/);
  });

  it('holds until good data returns, then adds again only after the enable delay', () => {
    const site = running({ enableDelayS: 5, failSafePct: 40 });
    site.step({});
    site.step(null, 6000);
    site.step(null);
    const low = total(site.last!);
    assert.ok(low <= 20_000, `shed to the 20 kW safe level, ${low} W`);
    // Good data: 75 kW of budget, but the enable timer starts from zero.
    for (let i = 1; i < 5; i++) assert.equal(total(site.step({})), low, `decision ${i} after recovery`);
    assert.ok(total(site.step({})) > low);
  });

  it('no generation at all (availableW and generationW 0): every miner sleeps at once, no step limit', () => {
    const site = running({ maxStepKw: 5 });
    const d = site.step({ availableW: 0, generationW: 0 });
    assert.deepEqual([d.mode, total(d)], ['stopped', 0]);
    assert.match(d.reasons[0]!, /^stop: no genset generates$/);
  });

  it('confirmTimeoutS 30: a miner that ignores a sleep is repeated every 2 s, then left out as suspect, its draw counted as load', () => {
    const site = running({ confirmTimeoutS: 30, minOffS: 600 });
    site.miner('m-10').deaf = true;
    site.miner('m-09').deaf = true;
    // 20 kW firm + 35 kW on 50 kW of gas: 5 kW over: the two worst (m-10, m-09) are told to sleep, and do not.
    const shed = site.step({ availableW: 50_000 });
    assert.deepEqual(shed.commands.map((c) => [c.minerId, c.targetW]), [['m-10', 0], ['m-09', 0]]);
    const repeats: number[] = [];
    const reasons: string[] = [];
    for (let s = 1; s <= 32; s++) {
      const d = site.step({ availableW: 70_000 });
      if (d.commands.some((c) => c.minerId === 'm-10' && c.targetW === 0)) repeats.push(s);
      reasons.push(...d.reasons);
    }
    assert.deepEqual(repeats.slice(0, 3), [2, 4, 6], `repeated every ${RESEND_AFTER_MS / 1000} s`);
    const d = site.last!;
    assert.equal(d.minersSuspect, 2);
    assert.ok(reasons.some((r) => /m-10 did not act on 0 W within 30 s: left out as suspect/.test(r)), reasons.join(' | '));
    // Their 7 kW are counted as load: 70 − 20 − 7 = 43 kW of budget for the other eight.
    assert.equal(d.budgetW, 43_000);
  });

  it('a suspect miner that acts again rejoins', () => {
    const site = running({ confirmTimeoutS: 5, minOffS: 600 });
    site.miner('m-10').deaf = true;
    site.step({ availableW: 50_000 });
    for (let s = 0; s < 8; s++) site.step({ availableW: 70_000 });
    assert.equal(site.last!.minersSuspect, 1);
    const m = site.miner('m-10');
    m.deaf = false;
    m.powerW = m.targetW;
    assert.equal(site.step({ availableW: 70_000 }).minersSuspect, 0);
  });
});
