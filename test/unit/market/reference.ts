// Reference clearings written from the rules' text (docs/market.md), not from lib/market's code: slow, plain
// and independent, so that a property test can hold the engine to them.
import type { Order } from '../../../lib/schemas';

export interface RefTrade {
  buy: string;
  sell: string;
  wh: number;
  price: number;
}

/**
 * The uniform-price rule: of the prices on the grid, keep those that match the most volume, then those with
 * the least |demand − supply|, and take the midpoint of what is left, half a tick rounded down.
 */
export function referenceAuction(orders: readonly Order[], floor: number, cap: number, tick: number): { volumeWh: number; price?: number } {
  let best = 0;
  const rows: { p: number; volume: number; excess: number }[] = [];
  for (let p = floor; p <= cap; p += tick) {
    let demand = 0;
    let supply = 0;
    for (const o of orders) {
      if (o.side === 'buy' && o.priceMsatPerKwh >= p) demand += o.quantityWh;
      if (o.side === 'sell' && o.priceMsatPerKwh <= p) supply += o.quantityWh;
    }
    const volume = Math.min(demand, supply);
    best = Math.max(best, volume);
    rows.push({ p, volume, excess: Math.abs(demand - supply) });
  }
  if (best === 0) return { volumeWh: 0 };
  const most = rows.filter((r) => r.volume === best);
  const least = Math.min(...most.map((r) => r.excess));
  const kept = most.filter((r) => r.excess === least).map((r) => r.p);
  const lo = Math.min(...kept);
  const hi = Math.max(...kept);
  return { volumeWh: best, price: lo + Math.floor((hi - lo) / tick / 2) * tick };
}

/** The most welfare one zone's orders can realise: every Wh of the highest bids against the lowest asks, while bid ≥ ask. */
export function referenceBestWelfare(orders: readonly Order[]): bigint {
  const units = (side: Order['side']) =>
    orders.filter((o) => o.side === side).map((o) => ({ price: o.priceMsatPerKwh, wh: o.quantityWh })).sort((a, b) => (side === 'buy' ? b.price - a.price : a.price - b.price));
  const bids = units('buy');
  const asks = units('sell');
  let welfare = 0n;
  let b = 0;
  let a = 0;
  while (b < bids.length && a < asks.length && bids[b].price >= asks[a].price) {
    const wh = Math.min(bids[b].wh, asks[a].wh);
    welfare += BigInt(wh) * BigInt(bids[b].price - asks[a].price);
    bids[b].wh -= wh;
    asks[a].wh -= wh;
    if (bids[b].wh === 0) b++;
    if (asks[a].wh === 0) a++;
  }
  return welfare;
}

interface RefResting {
  order: Order;
  seq: number;
  left: number;
}

export interface RefOutcome {
  trades: RefTrade[];
  removed: [string, string, number][];
  resting: Map<string, number>;
}

/**
 * Continuous matching by the text: an incoming order meets the other side's orders that its limit reaches, best
 * price first, then earliest; a fill is at least min(minFill, what is left) for both; the trade is at the resting
 * price; its own order in the way triggers the self-trade rule; fok trades all or nothing, post-only never takes,
 * ioc drops the rest, limit rests.
 */
export function referenceContinuous(orders: readonly Order[], rule: 'cancel-newest' | 'cancel-oldest' | 'cancel-both'): RefOutcome {
  let book: RefResting[] = [];
  const out: RefOutcome = { trades: [], removed: [], resting: new Map() };
  orders.forEach((order, seq) => {
    const buy = order.side === 'buy';
    const reach = book
      .filter((r) => r.order.side !== order.side && (buy ? r.order.priceMsatPerKwh <= order.priceMsatPerKwh : r.order.priceMsatPerKwh >= order.priceMsatPerKwh))
      .sort((x, y) => (buy ? x.order.priceMsatPerKwh - y.order.priceMsatPerKwh : y.order.priceMsatPerKwh - x.order.priceMsatPerKwh) || x.seq - y.seq);
    let left = order.quantityWh;
    const fills: [RefResting, number][] = [];
    const selfRemoved: RefResting[] = [];
    let takerRemoved = false;
    for (const r of reach) {
      if (left === 0) break;
      if (r.order.participant === order.participant) {
        if (rule !== 'cancel-newest') selfRemoved.push(r);
        if (rule !== 'cancel-oldest') {
          takerRemoved = true;
          break;
        }
        continue;
      }
      const wh = Math.min(left, r.left);
      if (wh < Math.min(order.minFillWh ?? 1, left) || wh < Math.min(r.order.minFillWh ?? 1, r.left)) continue;
      fills.push([r, wh]);
      left -= wh;
    }
    const type = order.orderType ?? 'limit';
    if (type === 'fok' && left > 0) return out.removed.push([order.id, 'fok-unfilled', order.quantityWh]);
    if (type === 'post-only' && fills.length > 0) return out.removed.push([order.id, 'post-only-would-take', order.quantityWh]);
    for (const r of selfRemoved) out.removed.push([r.order.id, 'self-trade', r.left]);
    for (const [r, wh] of fills) {
      out.trades.push({ buy: buy ? order.id : r.order.id, sell: buy ? r.order.id : order.id, wh, price: r.order.priceMsatPerKwh });
      r.left -= wh;
    }
    book = book.filter((r) => r.left > 0 && !selfRemoved.includes(r));
    if (left === 0) return;
    if (takerRemoved) out.removed.push([order.id, 'self-trade', left]);
    else if (type === 'ioc') out.removed.push([order.id, 'ioc-remainder', left]);
    else book.push({ order, seq, left });
  });
  for (const r of book) out.resting.set(r.order.id, r.left);
  return out;
}
