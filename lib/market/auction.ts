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

/** One side's fills in priority order, as parallel arrays (an auction makes tens of thousands) */
interface Fills {
  orders: Resting[];
  wh: number[];
}

const last = (fills: Fills): Resting => fills.orders[fills.orders.length - 1];

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

/**
 * Fills `totalWh` of a side in priority order, passing over the orders in `skip`; orders that would get less
 * than their minimum come back as violators.
 */
function fillSide(side: readonly AuctionLevel[], totalWh: number, skip: ReadonlySet<Resting>, violators: Resting[]): Fills {
  const fills: Fills = { orders: [], wh: [] };
  let left = totalWh;
  for (const { level } of side) {
    for (let order = level.head; order && left > 0; order = order.next) {
      if (skip.size > 0 && skip.has(order)) continue;
      const wh = Math.min(order.remainingWh, left);
      if (wh < Math.min(order.minFillWh, order.remainingWh)) violators.push(order);
      fills.orders.push(order);
      fills.wh.push(wh);
      left -= wh;
    }
    if (left === 0) break;
  }
  return fills;
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
  sellers: Fills[];
  buyers: Fills[];
  flowWh: number[][];
  /** per sellers' zone (pay-as-clear), or the one zone's seller price (trade reduction) */
  prices: (number | undefined)[];
  /** trade reduction: what buyers pay */
  buyerPrice?: number;
}

function payAsClear(engine: Engine, zones: readonly AuctionZone[], flow: FlowResult, excluded: ReadonlySet<Resting>, violators: Resting[]): Allocation {
  const { zones: rules, settings } = engine.rules;
  const sellers = zones.map((zone, z) => fillSide(zone.asks, flow.soldWh[z], excluded, violators));
  const buyers = zones.map((zone, z) => fillSide(zone.bids, flow.boughtWh[z], excluded, violators));
  const lowestBid = buyers.map((fills) => (fills.orders.length > 0 ? last(fills).price : Infinity));
  const prices = zones.map((zone, a) => {
    if (flow.soldWh[a] === 0) return undefined;
    const lower = last(sellers[a]).price;
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
  const sellers = fillSide(zone.asks, flow.soldWh[0], excluded, []);
  const buyers = fillSide(zone.bids, flow.boughtWh[0], excluded, []);
  const marginalSeller = last(sellers);
  const marginalBuyer = last(buyers);
  const skip = new Set([...excluded, marginalSeller, marginalBuyer]);
  const without = (side: AuctionLevel[], marginal: Resting, keep: (price: number) => boolean): AuctionLevel[] =>
    side.filter((l) => keep(l.price)).map((l) => (l.level === marginal.level ? { ...l, volumeWh: l.volumeWh - marginal.remainingWh } : l));
  const asks = without(zone.asks, marginalSeller, (price) => price <= marginalSeller.price);
  const bids = without(zone.bids, marginalBuyer, (price) => price >= marginalBuyer.price);
  const volumeWh = Math.min(asks.reduce((sum, l) => sum + l.volumeWh, 0), bids.reduce((sum, l) => sum + l.volumeWh, 0));
  if (volumeWh === 0) return undefined;
  return {
    sellers: [fillSide(asks, volumeWh, skip, violators)],
    buyers: [fillSide(bids, volumeWh, skip, violators)],
    flowWh: [[volumeWh]],
    prices: [marginalSeller.price],
    buyerPrice: marginalBuyer.price,
  };
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

function trade(engine: Engine, slot: SlotBook, zones: readonly AuctionZone[], allocation: Allocation, atIso: string, out: Outcome, zonePrices: Figures['zones']): void {
  const rules = engine.rules.zones;
  const buyerAt = zones.map(() => ({ index: 0, used: 0 }));
  for (let a = 0; a < zones.length; a++) {
    const price = allocation.prices[a];
    if (price === undefined) continue;
    const sellers = allocation.sellers[a];
    let s = 0;
    let sUsed = 0;
    let sold = 0;
    for (let b = 0; b < zones.length; b++) {
      let left = allocation.flowWh[a][b];
      const fee = rules.fee(zones[a].book.zone, zones[b].book.zone);
      const surplus = allocation.buyerPrice === undefined ? 0 : allocation.buyerPrice - price;
      const at = buyerAt[b];
      const buyers = allocation.buyers[b];
      while (left > 0) {
        const seller = sellers.orders[s];
        const buyer = buyers.orders[at.index];
        const sellerWh = sellers.wh[s];
        const buyerWh = buyers.wh[at.index];
        const wh = Math.min(left, sellerWh - sUsed, buyerWh - at.used);
        engine.trade(slot, buyer, seller, wh, price, fee, surplus, 'auction', atIso, out);
        sold += wh;
        left -= wh;
        sUsed += wh;
        at.used += wh;
        if (sUsed === sellerWh) {
          s++;
          sUsed = 0;
        }
        if (at.used === buyerWh) {
          at.index++;
          at.used = 0;
        }
      }
    }
    zonePrices.push({ zone: zones[a].book.zone, priceMsatPerKwh: price, soldWh: sold });
  }
  for (const side of [allocation.sellers, allocation.buyers]) for (const fills of side) fills.orders.forEach((order, i) => engine.take(order, fills.wh[i]));
  out.bookChanged = true;
}
