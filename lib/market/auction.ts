// The call auction of one slot (docs/market.md, "Call auction"):
// 1. Self-trade prevention: while a participant's best bid crosses its own best ask (the bid covers the ask
//    plus the fee between their zones), the market's rule removes the newest, the oldest or both.
// 2. Allocation: the flow of maxWelfareFlow (one zone: the merit order) gives what each zone's sellers sell
//    and each zone's buyers buy; within a side, better prices fill first and a level that fills in part
//    fills by time priority.
// 3. Prices, pay-as-clear: one price per sellers' zone (price-rule.ts); every trade of a seller of zone a
//    pays that price, and its buyer pays it plus the fee from a to its zone.
//    Trade reduction (one zone): the marginal buy order and the marginal sell order of that allocation sit
//    out; the orders at least as good as theirs trade, buyers paying the marginal bid, sellers receiving the
//    marginal ask, the spread going to the operator.
// 4. Minimum fill: an order whose share would be below min(minFillWh, quantity) sits out (fok: its whole
//    quantity), and the clearing is computed again without it.
// 5. Trades pair sellers and buyers in priority order, zone pair by zone pair. ioc and fok orders leave after
//    the auction they took part in.

import type { Engine } from './engine';
import { ExactSum } from './exact';
import { maxWelfareFlow, type Curve, type FlowResult } from './flow';
import type { Ladder, Level, Resting } from './ladder';
import type { Outcome } from './outcome';
import { uniformPrice } from './price-rule';
import type { SlotBook, ZoneBook } from './slot-book';
import { summary, type SummaryFigures } from './summary';
import { preventSelfTrades } from './self-trade';

/** A price level of the auction: the ladder's level, less the orders that sit this clearing out. */
interface AuctionLevel {
  price: number;
  level: Level;
  volumeWh: number;
}

interface AuctionZone {
  book: ZoneBook;
  /** ascending */
  asks: AuctionLevel[];
  /** descending */
  bids: AuctionLevel[];
}

/** What one side fills: `totalWh` of its levels in priority order, passing over the orders in `skip`. */
interface SideFill {
  side: readonly AuctionLevel[];
  totalWh: number;
  skip: ReadonlySet<Resting>;
}

function levels(ladder: Ladder, excluded: ReadonlyMap<Level, number>): AuctionLevel[] {
  const out: AuctionLevel[] = [];
  for (let level = ladder.bestLevel(); level; level = ladder.after(level.index)) {
    const volumeWh = level.volumeWh - (excluded.get(level) ?? 0);
    if (volumeWh > 0) out.push({ price: level.price, level, volumeWh });
  }
  return out;
}

function curveOf(side: readonly AuctionLevel[]): Curve {
  return { prices: side.map((level) => level.price), volumes: side.map((level) => level.volumeWh) };
}

/** The marginal level (the last that fills) and the Wh that fill in it; every level before it fills completely. */
function marginal(fill: SideFill): { level: AuctionLevel; wh: number } {
  let left = fill.totalWh;
  for (const level of fill.side) {
    if (left <= level.volumeWh) return { level, wh: left };
    left -= level.volumeWh;
  }
  throw new Error('an auction side filled more than it offers');
}

/**
 * Walks the marginal level in time order: `visit` sees each order that fills and its share. Only there can
 * an order get less than it asks for, so only there can a minimum fill be missed.
 */
function walkMarginal(fill: SideFill, visit: (order: Resting, wh: number) => void): void {
  const { level, wh } = marginal(fill);
  let left = wh;
  for (let order = level.level.head; order && left > 0; order = order.next) {
    if (fill.skip.has(order)) continue;
    const share = Math.min(order.remainingWh, left);
    visit(order, share);
    left -= share;
  }
}

function violatorsOf(fill: SideFill, violators: Resting[]): void {
  if (fill.totalWh === 0) return;
  walkMarginal(fill, (order, wh) => {
    if (wh < Math.min(order.minFillWh, order.remainingWh)) violators.push(order);
  });
}

function lastFilled(fill: SideFill): Resting {
  let last: Resting | undefined;
  walkMarginal(fill, (order) => (last = order));
  return last as Resting;
}

/** The orders of one side that fill, in priority order, each with its share; it steps past an order taken from the book. */
class FillCursor {
  order: Resting | null = null;
  wh = 0;
  used = 0;
  private at = -1;
  private following: Resting | null = null;
  private left: number;

  constructor(private readonly fill: SideFill) {
    this.left = fill.totalWh;
    this.advance();
  }

  advance(): void {
    this.order = null;
    while (this.left > 0) {
      let node = this.following;
      while (node === null && ++this.at < this.fill.side.length) node = this.fill.side[this.at].level.head;
      if (node === null) throw new Error('an auction side filled more than it offers');
      // The next order is found now: taking this one from the book unlinks it.
      this.following = node.next;
      if (this.fill.skip.has(node)) continue;
      this.order = node;
      this.wh = Math.min(node.remainingWh, this.left);
      this.used = 0;
      this.left -= this.wh;
      return;
    }
  }
}

function flowOf(engine: Engine, slot: SlotBook, zones: readonly AuctionZone[]): FlowResult {
  const rules = engine.rules.zones;
  return maxWelfareFlow({
    zones: zones.map((zone) => ({ asks: curveOf(zone.asks), bids: curveOf(zone.bids) })),
    fee: (a, b) => rules.fee(zones[a].book.zone, zones[b].book.zone),
    capLeftWh: (a, b) => slot.capLeftWh(zones[a].book.zone, zones[b].book.zone),
  });
}

interface Allocation {
  sellers: SideFill[];
  buyers: SideFill[];
  flowWh: number[][];
  /** per sellers' zone (pay-as-clear), or the one zone's seller price (trade reduction) */
  prices: (number | undefined)[];
  /** trade reduction: what buyers pay */
  buyerPrice?: number;
}

function payAsClear(engine: Engine, zones: readonly AuctionZone[], flow: FlowResult, excluded: ReadonlySet<Resting>, violators: Resting[]): Allocation {
  const { zones: rules, settings } = engine.rules;
  const sellers = zones.map((zone, z): SideFill => ({ side: zone.asks, totalWh: flow.soldWh[z], skip: excluded }));
  const buyers = zones.map((zone, z): SideFill => ({ side: zone.bids, totalWh: flow.boughtWh[z], skip: excluded }));
  for (const fill of [...sellers, ...buyers]) violatorsOf(fill, violators);
  const lowestBid = buyers.map((fill) => (fill.totalWh > 0 ? marginal(fill).level.price : Infinity));
  const prices = zones.map((zone, a) => {
    if (flow.soldWh[a] === 0) return undefined;
    const lower = marginal(sellers[a]).level.price;
    let upper = Infinity;
    let exportWh = 0;
    let importWh = 0;
    for (let b = 0; b < zones.length; b++) {
      if (flow.flowWh[a][b] > 0) upper = Math.min(upper, lowestBid[b] - rules.fee(zone.book.zone, zones[b].book.zone));
      if (b !== a) {
        exportWh += flow.flowWh[a][b];
        importWh += flow.flowWh[b][a];
      }
    }
    return uniformPrice({ asks: curveOf(zone.asks), bids: curveOf(zone.bids), exportWh, importWh, lower, upper, tick: settings.tickMsatPerKwh });
  });
  return { sellers, buyers, flowWh: flow.flowWh, prices };
}

function tradeReduction(zones: readonly AuctionZone[], flow: FlowResult, excluded: ReadonlySet<Resting>, violators: Resting[]): Allocation | undefined {
  const zone = zones[0];
  const marginalSeller = lastFilled({ side: zone.asks, totalWh: flow.soldWh[0], skip: excluded });
  const marginalBuyer = lastFilled({ side: zone.bids, totalWh: flow.boughtWh[0], skip: excluded });
  const skip = new Set([...excluded, marginalSeller, marginalBuyer]);
  const without = (side: AuctionLevel[], marginalOrder: Resting, keep: (price: number) => boolean): AuctionLevel[] =>
    side.filter((l) => keep(l.price)).map((l) => (l.level === marginalOrder.level ? { ...l, volumeWh: l.volumeWh - marginalOrder.remainingWh } : l));
  const asks = without(zone.asks, marginalSeller, (price) => price <= marginalSeller.price);
  const bids = without(zone.bids, marginalBuyer, (price) => price >= marginalBuyer.price);
  const volumeWh = Math.min(asks.reduce((sum, l) => sum + l.volumeWh, 0), bids.reduce((sum, l) => sum + l.volumeWh, 0));
  if (volumeWh === 0) return undefined;
  const sellers: SideFill = { side: asks, totalWh: volumeWh, skip };
  const buyers: SideFill = { side: bids, totalWh: volumeWh, skip };
  violatorsOf(sellers, violators);
  violatorsOf(buyers, violators);
  return { sellers: [sellers], buyers: [buyers], flowWh: [[volumeWh]], prices: [marginalSeller.price], buyerPrice: marginalBuyer.price };
}

export function callAuction(engine: Engine, slot: SlotBook, atIso: string, out: Outcome): void {
  preventSelfTrades(engine, slot, atIso, out);
  const excluded = new Set<Resting>();
  const excludedWh = new Map<Level, number>();
  const build = (): AuctionZone[] =>
    slot.zoneList
      .map((book) => ({ book, asks: levels(book.asks, excludedWh), bids: levels(book.bids, excludedWh) }))
      .filter((z) => z.asks.length + z.bids.length > 0);
  let zones = build();
  const best = flowOf(engine, slot, zones).welfare;
  let allocation: Allocation | undefined;
  for (;;) {
    const flow = flowOf(engine, slot, zones);
    const violators: Resting[] = [];
    if (!flow.soldWh.some((wh) => wh > 0)) allocation = undefined;
    else if (engine.settings.mechanism === 'trade-reduction') allocation = tradeReduction(zones, flow, excluded, violators);
    else allocation = payAsClear(engine, zones, flow, excluded, violators);
    if (violators.length === 0) break;
    for (const order of violators) {
      excluded.add(order);
      const level = order.level as Level;
      excludedWh.set(level, (excludedWh.get(level) ?? 0) + order.remainingWh);
    }
    zones = build();
  }
  // This auction's figures are what it added to the slot's totals.
  const before = { ...slot.totals, welfare: slot.totals.welfare.value, fees: slot.totals.fees.value, surplus: slot.totals.surplus.value };
  const zonePrices: Figures['zones'] = [];
  if (allocation) trade(engine, slot, zones, allocation, atIso, out, zonePrices);
  const totals = slot.totals;
  const figures: Figures = {
    volumeWh: totals.volumeWh - before.volumeWh,
    trades: totals.trades - before.trades,
    welfare: new ExactSum(totals.welfare.value - before.welfare),
    fees: new ExactSum(totals.fees.value - before.fees),
    surplus: new ExactSum(totals.surplus.value - before.surplus),
    zones: zonePrices,
  };
  const transient = slot.transient;
  slot.transient = [];
  for (const order of transient) if (order.live) engine.remove(order, order.orderType === 'ioc' ? 'ioc-remainder' : 'fok-unfilled', atIso, out);
  const result = summary(engine, slot, 'auction', atIso, {
    ...figures,
    best,
    priceMsatPerKwh: figures.zones[0]?.priceMsatPerKwh,
    buyerPriceMsatPerKwh: figures.volumeWh > 0 ? allocation?.buyerPrice : undefined,
  });
  out.clearings.push(result);
  engine.lastClearing = result;
}

type Figures = Omit<SummaryFigures, 'best' | 'priceMsatPerKwh' | 'buyerPriceMsatPerKwh'>;

/** Pairs sellers and buyers in priority order, zone pair by zone pair, and takes each fill from the book once it is traded. */
function trade(engine: Engine, slot: SlotBook, zones: readonly AuctionZone[], allocation: Allocation, atIso: string, out: Outcome, zonePrices: Figures['zones']): void {
  const rules = engine.rules.zones;
  const buyers = allocation.buyers.map((fill) => new FillCursor(fill));
  for (let a = 0; a < zones.length; a++) {
    const price = allocation.prices[a];
    if (price === undefined) continue;
    const sellers = new FillCursor(allocation.sellers[a]);
    let sold = 0;
    for (let b = 0; b < zones.length; b++) {
      let left = allocation.flowWh[a][b];
      const fee = rules.fee(zones[a].book.zone, zones[b].book.zone);
      const surplus = allocation.buyerPrice === undefined ? 0 : allocation.buyerPrice - price;
      const buyer = buyers[b];
      while (left > 0) {
        const s = sellers.order as Resting;
        const t = buyer.order as Resting;
        const wh = Math.min(left, sellers.wh - sellers.used, buyer.wh - buyer.used);
        engine.trade(slot, t, s, wh, price, fee, surplus, 'auction', atIso, out);
        sold += wh;
        left -= wh;
        sellers.used += wh;
        buyer.used += wh;
        if (sellers.used === sellers.wh) {
          engine.take(s, sellers.wh);
          sellers.advance();
        }
        if (buyer.used === buyer.wh) {
          engine.take(t, buyer.wh);
          buyer.advance();
        }
      }
    }
    zonePrices.push({ zone: zones[a].book.zone, priceMsatPerKwh: price, soldWh: sold });
  }
  out.bookChanged = true;
}
