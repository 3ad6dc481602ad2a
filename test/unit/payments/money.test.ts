import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coveredWh, intervalMsat, operatorShareMsat, owedMsat, tradePriceMsatPerKwh, tradeTotalMsat } from '../../../lib/payments/money';
import { trade } from './fixtures';

describe('payments: money in integer msat', () => {
  it('owes floor(E × P / 1000)', () => {
    assert.equal(owedMsat(1, 999), 0);
    assert.equal(owedMsat(1, 1000), 1);
    assert.equal(owedMsat(1234, 91_124), 112_447);
    assert.equal(owedMsat(0, 91_124), 0);
  });

  it('stays exact past 2^53 (BigInt), and refuses what integer msat cannot hold', () => {
    // 10^9 Wh at 9,007,199 msat/kWh: the product passes 2^53, the result does not
    assert.equal(owedMsat(1_000_000_000, 9_007_199), 9_007_199_000_000);
    assert.throws(() => owedMsat(Number.MAX_SAFE_INTEGER, 2_000_000), { code: 'AMOUNT' });
    assert.throws(() => owedMsat(1.5, 1000), { code: 'AMOUNT' });
    assert.throws(() => owedMsat(-1, 1000), { code: 'AMOUNT' });
  });

  it('the intervals of any split of a trade sum to owed(total) exactly: the remainder is carried', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }), (price, steps) => {
        let position = 0;
        let paid = 0;
        for (const step of steps) {
          paid += intervalMsat(position, position + step, price);
          position += step;
        }
        assert.equal(paid, owedMsat(position, price));
      }),
    );
  });

  it('coveredWh is the most energy a sum pays for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (price, paid) => {
        const cap = 1_000_000_000;
        const energy = coveredWh(paid, price, cap);
        assert.ok(owedMsat(energy, price) <= paid);
        if (energy < cap) assert.ok(owedMsat(energy + 1, price) > paid);
      }),
    );
    assert.equal(coveredWh(0, 0, 500), 500, 'a free trade is covered');
    assert.equal(coveredWh(10 ** 9, 1000, 500), 500, 'capped');
  });

  it('a trade costs its quantity at price plus zone fee', () => {
    const t = trade();
    assert.equal(tradePriceMsatPerKwh(t), 91_124);
    assert.equal(tradeTotalMsat(t), owedMsat(5000, 91_124));
    assert.equal(tradeTotalMsat(t), 455_620);
  });
});

describe("payments: a trade's all-in price", () => {
  it('is price plus zone fee plus trade-reduction surplus, and the operator gets fee and surplus of what was delivered', () => {
    const trade = { priceMsatPerKwh: 48_000, feeMsatPerKwh: 1_500, surplusMsatPerKwh: 2_000, quantityWh: 700 };
    assert.equal(tradePriceMsatPerKwh(trade), 51_500);
    // 700 Wh × 51,500 msat/kWh / 1000 = 36,050 msat
    assert.equal(tradeTotalMsat(trade), 36_050);
    // 333 Wh delivered: floor(333 × 3,500 / 1000) = 1,165 msat for the operator
    assert.equal(operatorShareMsat(333, trade), 1_165);
    assert.equal(tradePriceMsatPerKwh({ priceMsatPerKwh: 48_000, feeMsatPerKwh: 0 }), 48_000);
  });
});
