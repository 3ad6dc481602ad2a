// Property tests of research/market.md (c) on random books of thousands of orders, in both modes. The auction's
// volume and price, the best welfare and continuous price-time priority are held to the reference clearings
// of reference.ts, written from the rules' text.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../lib/canonical-json';
import { engineFromState, engineHash, engineState } from '../../../lib/market/engine-state';
import { cancelRecordJson, orderRecordJson, tradeJson } from '../../../lib/market/records';
import type { ClearingSummary, Order, Trade } from '../../../lib/schemas';
import { order, SLOT_MS, TestBook } from './fixtures';
import { referenceAuction, referenceBestWelfare, referenceContinuous } from './reference';

const TICK = 1_000;
const CAP = 100 * TICK;

interface Spec {
  buy: boolean;
  wh: number;
  ticks: number;
  who: number;
  type: Order['orderType'];
  minFill: number;
}

const spec = (types: Order['orderType'][], participants: number, wide = false) =>
  fc.record({
    buy: fc.boolean(),
    // Small books of round quantities over the whole grid make price ranges and ties; big ones crowd the middle.
    wh: wide ? fc.integer({ min: 1, max: 5 }).map((n) => n * 100) : fc.integer({ min: 1, max: 1_000 }),
    ticks: wide ? fc.integer({ min: 0, max: 100 }) : fc.integer({ min: 30, max: 70 }),
    who: fc.integer({ min: 0, max: participants - 1 }),
    type: fc.constantFrom(...types),
    minFill: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
  });

/** a small book of round quantities over the whole grid, or thousands of orders around the middle */
const books = () => fc.oneof(fc.array(spec(['limit'], 30, true), { minLength: 2, maxLength: 40 }), fc.array(spec(['limit'], 300), { minLength: 1_000, maxLength: 4_000 }));

function ordersOf(specs: Spec[], sideBound: boolean): Order[] {
  return specs.map((s) => {
    // side-bound participants are buyers or sellers, never both: no self-trade prevention gets in the way
    const who = sideBound ? `${s.buy ? 'b' : 's'}${s.who}` : `p${s.who}`;
    const extra: Partial<Order> = {};
    if (s.type !== 'limit') extra.orderType = s.type;
    if (s.minFill > 0) extra.minFillWh = Math.min(s.minFill, s.wh);
    return order(s.buy ? 'buy' : 'sell', s.wh, s.ticks * TICK, who, extra);
  });
}

/** Invariants every clearing keeps: conservation, no over-fill, individual rationality, grid, no self-trade, the summary's sums. */
function checkTrades(orders: readonly Order[], trades: readonly Trade[], leftWh: (id: string) => number): void {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const filled = new Map<string, number>();
  for (const t of trades) {
    assert.ok(Number.isSafeInteger(t.quantityWh) && t.quantityWh > 0, 'a trade is a positive whole number of Wh');
    assert.equal(tradeJson(t), canonicalJson(t), 'the journal writes the canonical JSON of the trade');
    const buy = byId.get(t.buyOrderId) as Order;
    const sell = byId.get(t.sellOrderId) as Order;
    assert.equal(buy.side, 'buy');
    assert.equal(sell.side, 'sell');
    assert.notEqual(t.buyer, t.seller, 'no self-trade');
    const paid = t.priceMsatPerKwh + t.feeMsatPerKwh + (t.surplusMsatPerKwh ?? 0);
    assert.ok(paid <= buy.priceMsatPerKwh, `the buyer pays ${paid}, at most its limit ${buy.priceMsatPerKwh}`);
    assert.ok(t.priceMsatPerKwh >= sell.priceMsatPerKwh, `the seller receives ${t.priceMsatPerKwh}, at least its limit ${sell.priceMsatPerKwh}`);
    assert.equal(t.priceMsatPerKwh % TICK, 0, 'prices lie on the tick grid');
    assert.ok(t.priceMsatPerKwh >= 0 && t.priceMsatPerKwh <= CAP);
    filled.set(buy.id, (filled.get(buy.id) ?? 0) + t.quantityWh);
    filled.set(sell.id, (filled.get(sell.id) ?? 0) + t.quantityWh);
  }
  for (const o of orders) {
    const f = filled.get(o.id) ?? 0;
    assert.ok(f <= o.quantityWh, `order ${o.id} is not over-filled`);
    const left = leftWh(o.id);
    if (left > 0) assert.equal(left, o.quantityWh - f, `order ${o.id}: remaining = quantity − filled`);
  }
  const bought = trades.reduce((sum, t) => sum + t.quantityWh, 0);
  assert.equal(bought, [...filled.entries()].filter(([id]) => byId.get(id)?.side === 'sell').reduce((sum, [, wh]) => sum + wh, 0), 'energy bought = energy sold');
}

function checkSummary(summary: ClearingSummary, orders: readonly Order[], trades: readonly Trade[]): void {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const sum = (f: (t: Trade) => number) => trades.reduce((s, t) => s + BigInt(t.quantityWh) * BigInt(f(t)), 0n) / 1000n;
  assert.equal(BigInt(summary.welfareMsat), sum((t) => (byId.get(t.buyOrderId) as Order).priceMsatPerKwh - (byId.get(t.sellOrderId) as Order).priceMsatPerKwh - t.feeMsatPerKwh));
  assert.equal(BigInt(summary.feesMsat), sum((t) => t.feeMsatPerKwh));
  assert.equal(BigInt(summary.budgetSurplusMsat), sum((t) => t.surplusMsatPerKwh ?? 0));
  assert.equal(summary.volumeWh, trades.reduce((s, t) => s + t.quantityWh, 0));
}

describe('market properties', function () {
  this.timeout(120_000);

  it('continuous: price-time priority, order types, minimum fills and self-trade rules as the reference; book never crossed', () => {
    fc.assert(
      fc.property(fc.array(spec(['limit', 'limit', 'limit', 'ioc', 'fok', 'post-only'], 40), { minLength: 1_000, maxLength: 3_000 }), fc.constantFrom('cancel-newest', 'cancel-oldest', 'cancel-both' as const), (specs, rule) => {
        const orders = ordersOf(specs, false);
        const book = new TestBook({ selfTrade: rule, priceCapMsatPerKwh: CAP });
        for (const o of orders) {
          book.place(o);
          // Not crossed, unless minimum fills keep the two best apart.
          const bid = book.depth('bids')[0]?.[0];
          const ask = book.depth('asks')[0]?.[0];
          if (bid !== undefined && ask !== undefined && bid >= ask) assert.ok(orders.some((x) => (x.minFillWh ?? 1) > 1), 'only minimum fills keep a crossed book');
        }
        const ref = referenceContinuous(orders, rule);
        assert.deepEqual(book.out.trades.map((t) => ({ buy: t.buyOrderId, sell: t.sellOrderId, wh: t.quantityWh, price: t.priceMsatPerKwh })), ref.trades);
        assert.deepEqual(book.removed(), ref.removed);
        const resting = new Map<string, number>();
        for (const o of orders) {
          const r = book.engine.restingOrder(o.id);
          if (r) resting.set(o.id, r.remainingWh);
        }
        assert.deepEqual(resting, ref.resting);
        checkTrades(orders, book.out.trades, (id) => book.engine.restingOrder(id)?.remainingWh ?? 0);
      }),
      { numRuns: 25 },
    );
  });

  it('auction, pay-as-clear: the volume and price of the reference rule, the best welfare, marginal orders by time', () => {
    fc.assert(
      fc.property(books(), (specs) => {
        const orders = ordersOf(specs.map((s) => ({ ...s, minFill: 0 })), true);
        const book = new TestBook({ mode: 'auction', priceCapMsatPerKwh: CAP });
        for (const o of orders) book.place(o);
        book.clear();
        const summary = book.out.clearings[0];
        const ref = referenceAuction(orders, 0, CAP, TICK);
        assert.equal(summary.volumeWh, ref.volumeWh);
        assert.equal(summary.priceMsatPerKwh, ref.price);
        assert.equal(BigInt(summary.bestWelfareMsat), referenceBestWelfare(orders) / 1000n);
        assert.equal(summary.welfareMsat, summary.bestWelfareMsat, 'pay-as-clear gives up no welfare');
        assert.ok(book.out.trades.every((t) => t.priceMsatPerKwh === ref.price), 'one price');
        checkTrades(orders, book.out.trades, (id) => book.engine.restingOrder(id)?.remainingWh ?? 0);
        checkSummary(summary, orders, book.out.trades);
        if (ref.price === undefined) return;
        // Outside the price nothing fills; on each side the levels fill best first, and the last one in time order.
        const price = ref.price;
        for (const side of ['buy', 'sell'] as const) {
          const mine = orders.filter((o) => o.side === side);
          const fillOf = (o: Order) => o.quantityWh - (book.engine.restingOrder(o.id)?.remainingWh ?? 0);
          for (const o of mine) if (side === 'buy' ? o.priceMsatPerKwh < price : o.priceMsatPerKwh > price) assert.equal(fillOf(o), 0);
          const inPriority = [...mine].sort((x, y) => (side === 'buy' ? y.priceMsatPerKwh - x.priceMsatPerKwh : x.priceMsatPerKwh - y.priceMsatPerKwh) || orders.indexOf(x) - orders.indexOf(y));
          let short = false;
          for (const o of inPriority) {
            const f = fillOf(o);
            if (short) assert.equal(f, 0, `order ${o.id} fills only when every order before it in priority filled completely`);
            if (f < o.quantityWh) short = true;
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('auction, trade reduction: individually rational, budget surplus reported, at most the best welfare, less volume', () => {
    fc.assert(
      fc.property(books(), (specs) => {
        const orders = ordersOf(specs.map((s) => ({ ...s, minFill: 0 })), true);
        const book = new TestBook({ mode: 'auction', mechanism: 'trade-reduction', priceCapMsatPerKwh: CAP });
        for (const o of orders) book.place(o);
        book.clear();
        const summary = book.out.clearings[0];
        const ref = referenceAuction(orders, 0, CAP, TICK);
        assert.ok(summary.volumeWh <= ref.volumeWh);
        if (ref.volumeWh > 0) assert.ok(summary.volumeWh < ref.volumeWh, 'one marginal trade is given up');
        assert.equal(BigInt(summary.bestWelfareMsat), referenceBestWelfare(orders) / 1000n);
        assert.ok(summary.welfareMsat <= summary.bestWelfareMsat);
        const buyerPrices = new Set(book.out.trades.map((t) => t.priceMsatPerKwh + (t.surplusMsatPerKwh ?? 0)));
        assert.ok(buyerPrices.size <= 1 && new Set(book.out.trades.map((t) => t.priceMsatPerKwh)).size <= 1, 'one price for buyers, one for sellers');
        checkTrades(orders, book.out.trades, (id) => book.engine.restingOrder(id)?.remainingWh ?? 0);
        checkSummary(summary, orders, book.out.trades);
      }),
      { numRuns: 25 },
    );
  });

  it('auction with zones, fees and caps: rational after fees, caps held, conservation, one price per sellers\' zone', () => {
    const zones = ['a', 'b', 'c'];
    const pairs = zones.flatMap((from) => zones.filter((to) => to !== from).map((to) => ({ from, to })));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(spec(['limit'], 200), fc.constantFrom(...zones)), { minLength: 200, maxLength: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: pairs.length, maxLength: pairs.length }),
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 20_000 })), { minLength: pairs.length, maxLength: pairs.length }),
        (entries, fees, caps) => {
          const book = new TestBook({
            mode: 'auction',
            priceCapMsatPerKwh: CAP,
            zones: {
              fees: pairs.map((p, i) => ({ ...p, feeMsatPerKwh: fees[i] * TICK })),
              capsWh: pairs.map((p, i) => ({ ...p, capWh: caps[i] })).filter((c) => c.capWh >= 0),
            },
          });
          const orders = ordersOf(entries.map(([s]) => ({ ...s, minFill: 0 })), true);
          orders.forEach((o, i) => book.place(o, entries[i][1]));
          book.clear();
          const trades = book.out.trades;
          checkTrades(orders, trades, (id) => book.engine.restingOrder(id)?.remainingWh ?? 0);
          checkSummary(book.out.clearings[0], orders, trades);
          assert.equal(book.out.clearings[0].welfareMsat, book.out.clearings[0].bestWelfareMsat);
          pairs.forEach((p, i) => {
            const crossed = trades.filter((t) => t.sellerZone === p.from && t.buyerZone === p.to);
            if (caps[i] >= 0) assert.ok(crossed.reduce((s, t) => s + t.quantityWh, 0) <= caps[i], `cap ${p.from} → ${p.to}`);
            for (const t of crossed) assert.equal(t.feeMsatPerKwh, fees[i] * TICK);
          });
          for (const zone of zones) assert.ok(new Set(trades.filter((t) => t.sellerZone === zone).map((t) => t.priceMsatPerKwh)).size <= 1);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('the journal records written by hand are the canonical JSON of the records', () => {
    fc.assert(
      fc.property(spec(['limit', 'ioc', 'fok', 'post-only'], 5), fc.constantFrom('', 'north'), fc.option(fc.constant(`02${'cd'.repeat(32)}`), { nil: undefined }), fc.nat(), (s, zone, payTo, atMs) => {
        const o = { ...ordersOf([s], false)[0], note: 'unknown fields "quoted" \\ ünïcode' };
        const meta = { zone, fingerprint: 'f'.repeat(64), ...(payTo ? { payTo } : {}) };
        assert.equal(orderRecordJson(meta, atMs, canonicalJson(o)), canonicalJson({ order: o, meta, atMs }));
        const cancel = { type: 'cancel', id: o.id, market: o.market, participant: o.participant, createdAt: o.createdAt, nonce: o.nonce };
        assert.equal(cancelRecordJson('a'.repeat(64), atMs, canonicalJson(cancel)), canonicalJson({ cancel, fingerprint: 'a'.repeat(64), atMs }));
      }),
    );
  });

  it('determinism: the same stream gives the same state hash, and a state restored from its JSON hashes the same', () => {
    fc.assert(
      fc.property(fc.array(spec(['limit', 'ioc', 'post-only'], 20), { minLength: 100, maxLength: 1_000 }), fc.constantFrom('continuous', 'auction' as const), (specs, mode) => {
        const orders = ordersOf(specs, false).map((o) => (mode === 'auction' && o.orderType === 'post-only' ? { ...o, orderType: undefined } : o));
        const run = () => {
          const book = new TestBook({ mode });
          for (const o of orders) book.place(o);
          return book;
        };
        const first = run();
        const second = run();
        assert.equal(engineHash(first.engine), engineHash(second.engine));
        const restored = engineFromState(JSON.parse(JSON.stringify(engineState(first.engine)))).engine;
        assert.equal(engineHash(restored), engineHash(first.engine));
        first.clear();
        restored.clear(first.atMs, second.out);
        assert.equal(engineHash(restored), engineHash(first.engine));
        assert.ok(first.engine.slots.has(SLOT_MS));
      }),
      { numRuns: 20 },
    );
  });
});
