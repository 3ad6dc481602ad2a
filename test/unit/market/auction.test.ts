import assert from 'node:assert/strict';
import { GATE_LEAD, NOW, order, SLOT_MS, TestBook } from './fixtures';

/** The worked example of docs/market.md (prices in msat/kWh; 1 sat/kWh = 1,000). */
function workedExample(book: TestBook) {
  return {
    alice: book.place(order('buy', 400, 60_000, 'alice')),
    bob: book.place(order('buy', 300, 55_000, 'bob')),
    carol: book.place(order('buy', 500, 50_000, 'carol')),
    dave: book.place(order('buy', 200, 40_000, 'dave')),
    erin: book.place(order('sell', 300, 35_000, 'erin')),
    frank: book.place(order('sell', 400, 45_000, 'frank')),
    gina: book.place(order('sell', 300, 48_000, 'gina')),
    hal: book.place(order('sell', 400, 58_000, 'hal')),
    ivan: book.place(order('buy', 200, 50_000, 'ivan')),
  };
}

describe('market call auction', () => {
  it('clears the worked example by hand: maximum volume, least excess, midpoint, marginal orders by time', () => {
    const book = new TestBook({ mode: 'auction' });
    const o = workedExample(book);
    book.clear();
    // Demand D(p) = Wh bid at p or more; supply S(p) = Wh asked at p or less (sat/kWh):
    //   p       35–40  41–44  45–47  48–50  51–55  56–57  58–60
    //   D(p)     1600   1400   1400   1400    700    400    400
    //   S(p)      300    300    700   1000   1000   1000   1400
    //   volume    300    300    700   1000    700    400    400
    // The most volume, 1,000 Wh, trades at any p in 48–50; there D − S = +400 everywhere, so the excess does not
    // narrow the range, and the price is its midpoint, 49 sat/kWh = 49,000 msat/kWh.
    // Sellers erin 300, frank 400, gina 300 fill. Buyers alice 400 and bob 300 fill; at 50 sat/kWh 300 Wh are
    // left for 700 Wh bid: carol (earlier) gets 300, ivan (later) none. dave (40) and hal (58) are outside.
    const summary = book.out.clearings[0];
    assert.equal(summary.priceMsatPerKwh, 49_000);
    assert.equal(summary.volumeWh, 1_000);
    assert.deepEqual(book.trades(), [
      [o.alice.id, o.erin.id, 300, 49_000, 0],
      [o.alice.id, o.frank.id, 100, 49_000, 0],
      [o.bob.id, o.frank.id, 300, 49_000, 0],
      [o.carol.id, o.gina.id, 300, 49_000, 0],
    ]);
    // Welfare, Σ Wh × (bid − ask) / 1000: 300 × 25,000 + 100 × 15,000 + 300 × 10,000 + 300 × 2,000
    //   = 7,500,000 + 1,500,000 + 3,000,000 + 600,000 = 12,600,000 → 12,600 msat, the best there is.
    assert.equal(summary.welfareMsat, 12_600);
    assert.equal(summary.bestWelfareMsat, 12_600);
    assert.equal(summary.efficiencyPerMille, 1_000);
    assert.equal(summary.budgetSurplusMsat, 0);
    // carol keeps 200 Wh, ivan 200, dave 200 and hal 400 in the book for a later auction.
    assert.deepEqual(book.depth('bids'), [[50_000, 400, 2], [40_000, 200, 1]]);
    assert.deepEqual(book.depth('asks'), [[58_000, 400, 1]]);
  });

  it('trade reduction: the marginal pair sits out, buyers pay its bid, sellers get its ask, the spread is reported', () => {
    const book = new TestBook({ mode: 'auction', mechanism: 'trade-reduction' });
    const o = workedExample(book);
    book.clear();
    // The pay-as-clear allocation's marginal buyer is carol (50) and its marginal seller gina (48). Without them:
    // bids of 50 or more: alice 400, bob 300, ivan 200 (900 Wh); asks of 48 or less: erin 300, frank 400 (700 Wh).
    // 700 Wh trade; buyers pay 50 sat/kWh, sellers receive 48; alice and bob fill, ivan does not.
    assert.deepEqual(book.trades(), [
      [o.alice.id, o.erin.id, 300, 48_000, 0],
      [o.alice.id, o.frank.id, 100, 48_000, 0],
      [o.bob.id, o.frank.id, 300, 48_000, 0],
    ]);
    assert.ok(book.out.trades.every((t) => t.surplusMsatPerKwh === 2_000));
    const summary = book.out.clearings[0];
    assert.equal(summary.priceMsatPerKwh, 48_000);
    assert.equal(summary.buyerPriceMsatPerKwh, 50_000);
    // Budget surplus 700 Wh × 2,000 / 1000 = 1,400 msat. Welfare 300 × 25,000 + 100 × 15,000 + 300 × 10,000
    // = 12,000,000 → 12,000 msat of the best 12,600: 952 per mille (one marginal trade given up).
    assert.equal(summary.budgetSurplusMsat, 1_400);
    assert.equal(summary.welfareMsat, 12_000);
    assert.equal(summary.efficiencyPerMille, 952);
  });

  it('zones: the allocation respects the cap and pays the fee; one price per sellers\' zone', () => {
    const book = new TestBook({
      mode: 'auction',
      zones: { fees: [{ from: 'north', to: 'south', feeMsatPerKwh: 5_000 }], capsWh: [{ from: 'north', to: 'south', capWh: 250 }] },
    });
    const northSeller = book.place(order('sell', 500, 30_000, 'n-gen'), 'north');
    const northBuyer = book.place(order('buy', 100, 40_000, 'n-load'), 'north');
    const southSeller = book.place(order('sell', 300, 50_000, 's-gen'), 'south');
    const southBuyer = book.place(order('buy', 400, 60_000, 's-load'), 'south');
    book.place(order('buy', 200, 45_000, 's-miner'), 'south');
    book.clear();
    // Best flows: north sells 100 at home and 250 south (the cap; 30 + 5 fee < 50 in the south); the south's own
    // seller covers the other 150 of s-load. s-miner (45) finds nothing: north's rest cannot cross, the south's
    // seller asks 50. Welfare: 100 × 10,000 + 250 × 25,000 + 150 × 10,000 = 8,750,000 → 8,750 msat.
    // North's price: from its highest filled ask (30) to min(north's lowest filled bid 40, south's 60 − 5) = 40;
    // north's excess there is (100 + 250 exported) − 500 = −150 throughout: the midpoint, 35. The south: 50 to 60,
    // excess 400 − (300 + 250 imported) = −150 throughout: 55.
    assert.deepEqual(book.out.clearings[0].zones, [
      { zone: 'north', priceMsatPerKwh: 35_000, soldWh: 350 },
      { zone: 'south', priceMsatPerKwh: 55_000, soldWh: 150 },
    ]);
    assert.deepEqual(book.trades(), [
      [northBuyer.id, northSeller.id, 100, 35_000, 0],
      [southBuyer.id, northSeller.id, 250, 35_000, 5_000],
      [southBuyer.id, southSeller.id, 150, 55_000, 0],
    ]);
    assert.equal(book.out.clearings[0].welfareMsat, 8_750);
    assert.equal(book.out.clearings[0].bestWelfareMsat, 8_750);
    assert.equal(book.out.clearings[0].feesMsat, 1_250);
    // The cap is used up for the slot: a later auction cannot send more north → south.
    book.place(order('buy', 100, 90_000, 's-late'), 'south');
    book.clear();
    assert.equal(book.out.trades.filter((t) => t.sellerZone === 'north' && t.buyerZone === 'south').length, 1);
  });

  it('self-trade prevention before the auction: a participant whose bid covers its own ask loses one of them', () => {
    const book = new TestBook({ mode: 'auction', selfTrade: 'cancel-newest' });
    book.place(order('buy', 100, 60_000, 'alice'));
    const own = book.place(order('sell', 100, 50_000, 'alice'));
    const other = book.place(order('sell', 100, 55_000, 'bob'));
    book.clear();
    assert.deepEqual(book.removed(), [[own.id, 'self-trade', 100]]);
    assert.equal(book.trades()[0][1], other.id);
    assert.ok(book.out.trades.every((t) => t.buyer !== t.seller));
  });

  it('minFillWh: an order whose share would be too small sits out, and the auction is computed without it', () => {
    const book = new TestBook({ mode: 'auction' });
    const bid = book.place(order('buy', 300, 60_000, 'alice'));
    const cheap = book.place(order('sell', 200, 40_000, 'bob'));
    const picky = book.place(order('sell', 200, 50_000, 'carol', { minFillWh: 150 }));
    book.clear();
    // With carol, 300 Wh would trade and carol get 100 < 150; without her 200 Wh trade. Excess D − S = 300 − 200
    // from 40 to 60: the midpoint, 50.
    assert.deepEqual(book.trades(), [[bid.id, cheap.id, 200, 50_000, 0]]);
    assert.ok(book.engine.restingOrder(picky.id));
  });

  it('ioc and fok take part in the next auction only; fok fills completely or not at all', () => {
    const book = new TestBook({ mode: 'auction' });
    book.place(order('sell', 200, 40_000, 'bob'));
    const fok = book.place(order('buy', 300, 60_000, 'alice', { orderType: 'fok' }));
    const ioc = book.place(order('buy', 250, 55_000, 'carol', { orderType: 'ioc' }));
    book.clear();
    assert.deepEqual(book.trades().map(([buy, , wh]) => [buy, wh]), [[ioc.id, 200]]);
    assert.deepEqual(book.removed(), [[fok.id, 'fok-unfilled', 300], [ioc.id, 'ioc-remainder', 50]]);
  });

  it('runs every auctionIntervalMs and at gate closure, then closes the slot', () => {
    const book = new TestBook({ mode: 'auction', auctionIntervalMs: 60_000 });
    book.place(order('buy', 100, 60_000, 'alice'));
    book.place(order('sell', 100, 50_000, 'bob'));
    book.advance(NOW);
    assert.equal(book.out.clearings.length, 1, 'the first periodic auction is due at once');
    book.place(order('buy', 100, 60_000, 'carol'));
    book.place(order('sell', 50, 50_000, 'dave'));
    book.advance(NOW + 30_000);
    assert.equal(book.out.clearings.length, 1);
    book.advance(NOW + 60_000);
    assert.equal(book.out.clearings.length, 2);
    assert.equal(book.out.trades.length, 2);
    book.advance(SLOT_MS - GATE_LEAD);
    assert.equal(book.out.clearings.length, 3);
    assert.deepEqual(book.removed().map(([, reason, wh]) => [reason, wh]), [['gate-closed', 50]]);
    assert.equal(book.engine.slots.size, 0);
  });

  it('equal excess on both sides of a jump keeps the whole range, and half a tick rounds down', () => {
    const book = new TestBook({ mode: 'auction' });
    book.place(order('buy', 100, 60_000, 'alice'));
    book.place(order('buy', 100, 50_000, 'bob'));
    book.place(order('sell', 100, 40_000, 'carol'));
    book.place(order('sell', 100, 51_000, 'dave'));
    book.clear();
    // 100 Wh trade from 40 to 60. D − S is +100 up to 50 (both bids, one ask) and −100 from 51 (one bid, both
    // asks): the least excess, 100, holds on 40–50 and on 51–60, so the range is 40–60 and the price 50.
    assert.equal(book.out.clearings[0].priceMsatPerKwh, 50_000);
    const odd = new TestBook({ mode: 'auction' });
    odd.place(order('buy', 100, 61_000, 'alice'));
    odd.place(order('sell', 100, 40_000, 'carol'));
    // range 40–61: the midpoint 50.5 rounds down to 50
    odd.clear();
    assert.equal(odd.out.clearings[0].priceMsatPerKwh, 50_000);
  });

  it('an empty auction reports no price and no volume', () => {
    const book = new TestBook({ mode: 'auction' });
    book.place(order('buy', 100, 40_000, 'alice'));
    book.place(order('sell', 100, 50_000, 'bob'));
    book.clear();
    const summary = book.out.clearings[0];
    assert.equal(summary.priceMsatPerKwh, undefined);
    assert.equal(summary.volumeWh, 0);
    assert.equal(summary.efficiencyPerMille, 1_000);
  });
});
