import assert from 'node:assert/strict';
import { GATE_LEAD, NOW, order, SLOT_MS, TestBook } from './fixtures';

describe('market continuous matching', () => {
  it('fills in price-time priority at the resting price, in part, and rests what is left', () => {
    const book = new TestBook();
    const a1 = book.place(order('sell', 300, 52_000, 'alice'));
    const a2 = book.place(order('sell', 300, 50_000, 'bob'));
    const a3 = book.place(order('sell', 300, 50_000, 'carol'));
    const bid = book.place(order('buy', 700, 51_000, 'dave'));
    // 50,000 before 52,000; at 50,000 bob came before carol; 52,000 is above the bid's limit.
    assert.deepEqual(book.trades(), [
      [bid.id, a2.id, 300, 50_000, 0],
      [bid.id, a3.id, 300, 50_000, 0],
    ]);
    assert.deepEqual(book.depth('bids'), [[51_000, 100, 1]]);
    assert.deepEqual(book.depth('asks'), [[52_000, 300, 1]]);
    // A seller hitting the resting bid gets the bid's price.
    const hit = book.place(order('sell', 40, 49_000, 'erin'));
    assert.deepEqual(book.trades().at(-1), [bid.id, hit.id, 40, 51_000, 0]);
    assert.deepEqual(book.depth('bids'), [[51_000, 60, 1]]);
    assert.equal(book.out.trades[0].id, 'well-7:20261201T0600:1');
    assert.equal(book.out.trades.at(-1)?.id, 'well-7:20261201T0600:3');
    assert.ok(book.engine.restingOrder(a1.id));
  });

  it('ioc fills what it can and drops the rest', () => {
    const book = new TestBook();
    const ask = book.place(order('sell', 100, 50_000, 'alice'));
    const ioc = book.place(order('buy', 250, 60_000, 'bob', { orderType: 'ioc' }));
    assert.deepEqual(book.trades(), [[ioc.id, ask.id, 100, 50_000, 0]]);
    assert.deepEqual(book.removed(), [[ioc.id, 'ioc-remainder', 150]]);
    assert.deepEqual(book.depth('bids'), []);
  });

  it('fok fills completely at once or not at all, leaving the book as it was', () => {
    const book = new TestBook();
    const ask1 = book.place(order('sell', 100, 50_000, 'alice'));
    const ask2 = book.place(order('sell', 100, 55_000, 'carol'));
    const tooBig = book.place(order('buy', 250, 60_000, 'bob', { orderType: 'fok' }));
    assert.deepEqual(book.trades(), []);
    assert.deepEqual(book.removed(), [[tooBig.id, 'fok-unfilled', 250]]);
    assert.deepEqual(book.depth('asks'), [[50_000, 100, 1], [55_000, 100, 1]]);
    const fits = book.place(order('buy', 150, 60_000, 'bob', { orderType: 'fok' }));
    assert.deepEqual(book.trades(), [[fits.id, ask1.id, 100, 50_000, 0], [fits.id, ask2.id, 50, 55_000, 0]]);
  });

  it('post-only rests when it would not take, and is removed when it would', () => {
    const book = new TestBook();
    book.place(order('sell', 100, 50_000, 'alice'));
    const maker = book.place(order('buy', 100, 49_000, 'bob', { orderType: 'post-only' }));
    const taker = book.place(order('buy', 100, 50_000, 'bob', { orderType: 'post-only' }));
    assert.deepEqual(book.trades(), []);
    assert.deepEqual(book.removed(), [[taker.id, 'post-only-would-take', 100]]);
    assert.deepEqual(book.depth('bids'), [[49_000, 100, 1]]);
    assert.ok(book.engine.restingOrder(maker.id));
  });

  it('minFillWh: no fill below the minimum of either order, unless it completes the order; a resting order passed over keeps its place', () => {
    const book = new TestBook();
    const big = book.place(order('sell', 500, 50_000, 'alice', { minFillWh: 200 }));
    const small = book.place(order('sell', 100, 50_000, 'carol'));
    // 150 Wh would be below alice's 200 Wh minimum: carol, behind her, fills 100 and 50 Wh rest.
    const bid = book.place(order('buy', 150, 50_000, 'bob'));
    assert.deepEqual(book.trades(), [[bid.id, small.id, 100, 50_000, 0]]);
    assert.deepEqual(book.depth('bids'), [[50_000, 50, 1]]);
    assert.deepEqual(book.depth('asks'), [[50_000, 500, 1]]);
    // 400 Wh reach her minimum; the 100 Wh left of her are below it, and a fill that completes her is allowed.
    const enough = book.place(order('buy', 400, 50_000, 'erin'));
    const last = book.place(order('buy', 100, 50_000, 'frank'));
    assert.deepEqual(book.trades().slice(1), [[enough.id, big.id, 400, 50_000, 0], [last.id, big.id, 100, 50_000, 0]]);
    // A taker's own minimum: 700 Wh with at least 600 per fill cannot take a 500 Wh ask, and rests.
    const ask = book.place(order('sell', 500, 50_000, 'gina'));
    assert.equal(book.trades().at(-1)?.[1], ask.id); // bob's 50 Wh remainder takes 50 of it first
    const picky = book.place(order('buy', 700, 50_000, 'hal', { minFillWh: 600 }));
    assert.equal(book.out.trades.filter((t) => t.buyOrderId === picky.id).length, 0);
    assert.ok(book.engine.restingOrder(picky.id));
  });

  for (const [rule, removed, trades] of [
    ['cancel-newest', ['taker'], 0],
    ['cancel-oldest', ['maker'], 1],
    ['cancel-both', ['maker', 'taker'], 0],
  ] as const) {
    it(`self-trade prevention ${rule}: removes the ${removed.join(' and the ')} order`, () => {
      const book = new TestBook({ selfTrade: rule });
      const own = book.place(order('sell', 100, 50_000, 'alice'));
      const other = book.place(order('sell', 100, 51_000, 'bob'));
      const taker = book.place(order('buy', 100, 52_000, 'alice'));
      const ids = { maker: own.id, taker: taker.id };
      assert.deepEqual(book.removed().map(([id, reason]) => [id, reason]), removed.map((who) => [ids[who], 'self-trade']));
      assert.deepEqual(book.trades(), trades === 1 ? [[taker.id, other.id, 100, 51_000, 0]] : []);
      assert.ok(book.out.trades.every((t) => t.buyer !== t.seller));
    });
  }

  it('expiry: an order leaves the book at expiresAt and never trades after it', () => {
    const book = new TestBook();
    const expiring = book.place(order('sell', 100, 50_000, 'alice', { expiresAt: new Date(NOW + 60_000).toISOString() }));
    book.advance(NOW + 59_999);
    assert.deepEqual(book.removed(), []);
    book.advance(NOW + 60_000);
    assert.deepEqual(book.removed(), [[expiring.id, 'expired', 100]]);
    book.place(order('buy', 100, 60_000, 'bob'));
    assert.deepEqual(book.trades(), []);
  });

  it('cancel removes an order from the middle of a crowded level, keeping the others in time order', () => {
    const book = new TestBook();
    const orders = Array.from({ length: 5 }, (_, i) => book.place(order('buy', 10 + i, 50_000, `p${i}`)));
    book.cancel(orders[2]);
    assert.deepEqual(book.removed(), [[orders[2].id, 'cancelled', 12]]);
    assert.deepEqual(book.depth('bids'), [[50_000, 10 + 11 + 13 + 14, 4]]);
    const seller = book.place(order('sell', 25, 50_000, 'q'));
    assert.deepEqual(book.trades(), [[orders[0].id, seller.id, 10, 50_000, 0], [orders[1].id, seller.id, 11, 50_000, 0], [orders[3].id, seller.id, 4, 50_000, 0]]);
  });

  it('gate closure removes what is left and reports the slot: welfare realised against the best', () => {
    const book = new TestBook();
    // bob's resting bid (60,000) takes alice's ask (50,000) at bob's price: a gain of 100 Wh × 10,000 / 1000 = 1,000 msat.
    book.place(order('buy', 100, 60_000, 'bob'));
    book.place(order('sell', 100, 50_000, 'alice'));
    // Then dave asks 46,000 and carol bids 45,000: they do not cross, and both rest until the gate closes.
    const left = book.place(order('sell', 100, 46_000, 'dave'));
    const bid = book.place(order('buy', 100, 45_000, 'carol'));
    book.advance(SLOT_MS - GATE_LEAD);
    assert.deepEqual(book.removed().sort(), [[bid.id, 'gate-closed', 100], [left.id, 'gate-closed', 100]].sort());
    const summary = book.out.clearings[0];
    assert.equal(summary.mode, 'continuous');
    assert.equal(summary.volumeWh, 100);
    assert.equal(summary.welfareMsat, 1_000);
    // The best with all four: bob (60,000) with dave (46,000), 1,400 msat; carol (45,000) and alice (50,000) cannot
    // trade. Efficiency 1,000 / 1,400 = 0.714…: 714 per mille.
    assert.equal(summary.bestWelfareMsat, 1_400);
    assert.equal(summary.efficiencyPerMille, 714);
    assert.equal(book.engine.slots.size, 0);
  });

  it('zones: a buyer pays the fee on top; the cheapest after fees wins; the cap bounds what crosses in the slot', () => {
    const book = new TestBook({ zones: { fees: [{ from: 'north', to: 'south', feeMsatPerKwh: 5_000 }], capsWh: [{ from: 'north', to: 'south', capWh: 150 }] } });
    const north = book.place(order('sell', 500, 44_000, 'alice'), 'north');
    const south = book.place(order('sell', 500, 50_000, 'bob'), 'south');
    // For a southern buyer north costs 44,000 + 5,000 = 49,000 < 50,000: north first, but only 150 Wh may cross.
    const bid = book.place(order('buy', 400, 55_000, 'carol'), 'south');
    assert.deepEqual(book.trades(), [[bid.id, north.id, 150, 44_000, 5_000], [bid.id, south.id, 250, 50_000, 0]]);
    assert.equal(book.out.trades[0].buyerZone, 'south');
    assert.equal(book.out.trades[0].sellerZone, 'north');
    // The limit covers price and fee: a southern bid at 48,000 cannot reach north's 44,000 + 5,000 (nor the cap).
    book.place(order('buy', 10, 48_000, 'dave'), 'south');
    assert.equal(book.out.trades.length, 2);
  });

  it('zones: a resting bid hit from another zone pays its limit; the seller receives it less the fee', () => {
    const book = new TestBook({ zones: { fees: [{ from: 'north', to: 'south', feeMsatPerKwh: 5_000 }] } });
    const bid = book.place(order('buy', 10, 48_000, 'dave'), 'south');
    const seller = book.place(order('sell', 10, 40_000, 'frank'), 'north');
    assert.deepEqual(book.trades(), [[bid.id, seller.id, 10, 43_000, 5_000]]);
    // No rule between west and south: no fee, no cap.
    const west = book.place(order('sell', 10, 47_000, 'gus'), 'west');
    const southBid = book.place(order('buy', 10, 47_000, 'hal'), 'south');
    assert.deepEqual(book.trades().at(-1), [southBid.id, west.id, 10, 47_000, 0]);
  });
});
