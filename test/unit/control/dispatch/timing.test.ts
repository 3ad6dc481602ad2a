// Hand-checked cases, one per parameter of the surplus, the reserve, the delays, the ramp and the steps. The site
// is harness.ts's: one 100 kW genset (cap 95 kW), 20 kW of firm load, S21-class miners (1,400 … 3,500 W in 100 W).
import assert from 'node:assert/strict';
import { Site, total } from './harness';

/** Ten miners at 3,000 W (30 kW), so that the spare is what a test sets with availableW. */
const atThreeKw = (params: Record<string, unknown> = {}) => new Site({ miners: 10, startW: 3000, params });

describe('dispatch parameters: surplus, reserve, delays, ramp and steps (hand-checked)', () => {
  it('hysteresisKw 3.5: a spare of 3.4 kW adds nothing; 3.6 kW adds 1.8 kW, filled to 1.75 kW under the budget', () => {
    const site = atThreeKw();
    // availableW 53.4 kW − 20 kW firm − 30 kW of targets = 3.4 kW spare, inside the 3.5 kW dead band.
    assert.equal(total(site.step({ availableW: 53_400 })), 30_000);
    // 3.6 kW spare: add 3.6 − 1.75 = 1.85 kW: all ten +100 W (1.0 kW), then eight of them +100 W more (0.8 kW).
    const d = site.step({ availableW: 53_600 });
    assert.equal(total(d), 31_800);
    assert.equal(d.targets.filter((t) => t.targetW === 3200).length, 8);
    assert.equal(d.targets.filter((t) => t.targetW === 3100).length, 2);
  });

  it('enableDelayS 60: a spare held 59 decisions adds nothing; the 60th adds', () => {
    const site = atThreeKw({ enableDelayS: 60 });
    for (let i = 1; i <= 59; i++) assert.equal(total(site.step({ availableW: 60_000 })), 30_000, `decision ${i}`);
    assert.ok(total(site.step({ availableW: 60_000 })) > 30_000);
    assert.match(site.last!.reasons[0]!, /^add: 10\.0 kW spare for 60 s$/);
  });

  it('cycleS: the first decision counts one cycle on the delays (cycle 5 s fires a 5 s delay at once; 1 s needs five)', () => {
    const slow = atThreeKw({ enableDelayS: 5, cycleS: 5 });
    assert.ok(total(slow.step({ availableW: 60_000 }, 5000)) > 30_000);
    const fast = atThreeKw({ enableDelayS: 5, cycleS: 1 });
    assert.equal(fast.run({ availableW: 60_000 }, (d) => total(d) > 30_000), 5);
  });

  describe('timerMode, with a 10 s enable delay and a 40 kW reserve', () => {
    // Ten running miners draw 30 kW of the 40 kW reserve, so 10 kW is kept free: on 64 kW of gas, 20 kW of firm load
    // leaves a spare of 64 − 20 − 10 − 30 = 4 kW (≥ 3.5: for), 25 kW leaves −1 kW (a soft deficit: against; the
    // disable delay is long). The firm load moves, not the gas, so the capacity estimate stays put.
    const params = { enableDelayS: 10, disableDelayS: 600, reserveKw: 40 };
    const sequence = (site: Site) => {
      for (let i = 0; i < 8; i++) site.step({ availableW: 64_000 });
      site.step({ availableW: 64_000, firmDemandW: 25_000 });
      return site.run({ availableW: 64_000 }, (d) => total(d) > 30_000);
    };

    it('decay: one cycle against runs the timer back one second, so three more cycles fire it', () => {
      assert.equal(sequence(atThreeKw({ ...params, timerMode: 'decay' })), 3);
    });

    it('reset: one cycle against clears it, so ten more cycles are needed', () => {
      assert.equal(sequence(atThreeKw({ ...params, timerMode: 'reset' })), 10);
    });

    it('a cycle inside the dead band neither counts nor decays', () => {
      const site = atThreeKw(params);
      for (let i = 0; i < 8; i++) site.step({ availableW: 64_000 });
      // 22 kW of firm load: spare 2 kW, inside the dead band: the timer holds at 8 s.
      for (let i = 0; i < 20; i++) site.step({ availableW: 64_000, firmDemandW: 22_000 });
      assert.equal(site.run({ availableW: 64_000 }, (d) => total(d) > 30_000), 2);
    });
  });

  it('reserveKw 40: running miners count toward it, the rest is held free', () => {
    const site = new Site({ miners: 10, startW: [3500, 3500], params: { reserveKw: 40 } });
    // Two miners draw 7 kW: 40 − 7 = 33 kW held; budget = 95 − 20 − 33 = 42 kW.
    const d = site.step({});
    assert.deepEqual([d.reserveHeldW, d.budgetW], [33_000, 42_000]);
    // All ten at 3.5 kW draw 35 kW: 5 kW held.
    assert.equal(site.step({}).reserveHeldW, 5000);
  });

  it('disableDelayS 30: a soft deficit (the reserve eaten, the gas still carrying it) is shed on the 30th decision', () => {
    const site = atThreeKw({ disableDelayS: 30, reserveKw: 40, gensetSoftMinPct: 30, enableDelayS: 600 });
    // 59 kW: spare −1 kW. The shed asks 1 + 1.75 = 2.75 kW: all to 2,700 W takes 3 kW, two keep 2,800 W: 2.8 kW.
    for (let i = 1; i < 30; i++) assert.equal(total(site.step({ availableW: 59_000 })), 30_000, `decision ${i}`);
    assert.equal(total(site.step({ availableW: 59_000 })), 27_200);
    assert.match(site.last!.reasons[0]!, /^shed: 1\.0 kW into the 40\.0 kW reserve for 30 s$/);
  });

  it('deficitImmediateKw: a soft deficit larger than it is shed at once, a smaller one waits', () => {
    // 55 kW: spare 55 − 20 − 10 − 30 = −5 kW.
    const params = { disableDelayS: 30, reserveKw: 40, gensetSoftMinPct: 30, enableDelayS: 600 };
    assert.equal(total(atThreeKw({ ...params, deficitImmediateKw: 40 }).step({ availableW: 55_000 })), 30_000);
    const site = atThreeKw({ ...params, deficitImmediateKw: 4 });
    // 5 + 1.75 = 6.75 kW: all to 2,300 W takes 7 kW, two keep 2,400 W: 6.8 kW shed.
    assert.equal(total(site.step({ availableW: 55_000 })), 23_200);
    assert.match(site.last!.reasons[0]!, /beyond the immediate threshold/);
  });

  it('rampUpKwPerS 2: with no step interval, at most 2 kW is added per 1 s decision', () => {
    const site = new Site({ miners: 20, params: { rampUpKwPerS: 2 } });
    const totals = Array.from({ length: 10 }, () => total(site.step({})));
    // wake one at 1.4 kW and raise it 0.6 kW; raise it 1.5 kW to its top; wake the next …
    assert.deepEqual(totals, [2000, 3500, 5500, 7000, 9000, 10_500, 12_500, 14_000, 16_000, 17_500]);
  });

  it('maxStepKw 10: one decision adds at most 10 kW (seven miners woken at 1.4 kW, two of them raised 100 W)', () => {
    const site = new Site({ miners: 20, params: { maxStepKw: 10 } });
    assert.equal(total(site.step({})), 10_000);
  });

  it('stepIntervalS 10: load is added at decisions 1, 11 and 21, nothing in between', () => {
    const site = new Site({ miners: 30, params: { stepIntervalS: 10, maxStepKw: 5 } });
    const added: number[] = [];
    let before = 0;
    for (let i = 1; i <= 21; i++) {
      const now = total(site.step({}));
      if (now > before) added.push(i);
      before = now;
    }
    assert.deepEqual(added, [1, 11, 21]);
  });
});
