import assert from 'node:assert/strict';
import { RollingSum, SpendingGuard, type SpendingCaps } from '../../../lib/payments/caps';

const HOUR = 3_600_000;
const caps = (over: Partial<SpendingCaps> = {}): SpendingCaps => ({
  perPaymentMsat: 10_000,
  perTradeMsat: 50_000,
  perHourMsat: 80_000,
  perDayMsat: 200_000,
  maxFeeMsat: 100,
  maxFeePpm: 5_000,
  ...over,
});

describe('payments: spending caps', () => {
  it('limits the fee to the smaller of the absolute and the ppm cap', () => {
    const guard = new SpendingGuard(caps());
    assert.equal(guard.feeLimitMsat(10_000), 50);
    assert.equal(guard.feeLimitMsat(100_000), 100);
    assert.equal(guard.feeLimitMsat(199), 0);
  });

  it('refuses per payment, per trade, per hour and per day, naming the cap, and claims nothing then', () => {
    const guard = new SpendingGuard(caps({ perDayMsat: 120_000 }));
    assert.throws(() => guard.reserve('t1', 10_001, 0), { code: 'CAP_PER_PAYMENT' });
    for (let i = 0; i < 4; i++) guard.reserve('t1', 10_000, 0);
    assert.equal(guard.tradeSpentMsat('t1'), 40_200);
    assert.throws(() => guard.reserve('t1', 10_000, 0), { code: 'CAP_PER_TRADE' });
    assert.equal(guard.tradeSpentMsat('t1'), 40_200, 'a refusal claims nothing');
    for (let i = 0; i < 3; i++) guard.reserve('t2', 10_000, 0);
    assert.throws(() => guard.reserve('t3', 10_000, 0), { code: 'CAP_PER_HOUR' });
    // an hour and two minutes later the hour has room again, the day has not
    const later = HOUR + 2 * 60_000;
    for (let i = 0; i < 4; i++) guard.reserve(`t${4 + i}`, 10_000, later);
    assert.throws(() => guard.reserve('t9', 10_000, later + 5 * HOUR), { code: 'CAP_PER_DAY' });
  });

  it('gives back the unused fee on confirmation and everything on a certain failure', () => {
    const guard = new SpendingGuard(caps({ perTradeMsat: 10_100 }));
    const first = guard.reserve('t1', 10_000, 0);
    assert.throws(() => guard.reserve('t1', 100, 0), { code: 'CAP_PER_TRADE' });
    guard.release(first);
    const second = guard.reserve('t1', 10_000, 0);
    guard.settle(second, 20);
    assert.equal(guard.tradeSpentMsat('t1'), 10_020);
    assert.equal(guard.largestPaymentMsat('t1', 0), 80, 'room 80, fee limit 0 at that size');
  });

  it('sizes the largest payment so that amount and fee fit every cap', () => {
    const guard = new SpendingGuard(caps({ perHourMsat: 25_000 }));
    guard.reserve('t1', 10_000, 0);
    guard.reserve('t1', 10_000, 0);
    const largest = guard.largestPaymentMsat('t2', 0);
    assert.ok(largest > 0);
    assert.doesNotThrow(() => guard.reserve('t2', largest, 0));
    assert.equal(guard.largestPaymentMsat('t3', 0), 0);
  });

  it('a rolling sum forgets a bucket a whole window after it ends, never sooner', () => {
    const sum = new RollingSum(HOUR, 60_000);
    sum.add(30_000, 5);
    sum.add(90_000, 7);
    assert.equal(sum.sum(HOUR + 59_999), 12);
    assert.equal(sum.sum(HOUR + 60_000), 7);
    sum.remove(90_000, 3);
    assert.equal(sum.sum(HOUR + 60_000), 4);
    assert.equal(sum.sum(HOUR + 120_000), 0);
  });

  it('refuses caps that are not whole msat', () => {
    assert.throws(() => new SpendingGuard(caps({ perDayMsat: -1 })), { code: 'SETTINGS' });
    assert.throws(() => new SpendingGuard(caps({ maxFeePpm: 0.5 })), { code: 'SETTINGS' });
  });

  it('a stream restores its spends only into a guard that does not have them', () => {
    const guard = new SpendingGuard(caps());
    assert.equal(guard.attachStream('s1'), true);
    assert.equal(guard.attachStream('s1'), false);
    guard.restoreWindow(0, 75_000);
    guard.restoreTrade('t1', 45_000);
    assert.throws(() => guard.reserve('t2', 6_000, 0), { code: 'CAP_PER_HOUR' });
    assert.throws(() => guard.reserve('t1', 5_000, HOUR * 2), { code: 'CAP_PER_TRADE' });
  });
});
