// Continuous matching: an incoming order meets the resting orders of its slot in price-time priority, across
// zones by the price it would pay (or receive) with the zone fee, within what is left of each zone cap. The
// trade price is the resting order's: a resting ask gets its ask; a resting bid pays its limit, fee included,
// so the seller receives the bid less the fee. The match is planned first, without touching the book, so
// that fok (all or nothing) and post-only (never take) decide on the whole plan; then it is applied.
//
// Minimum fill: a fill is allowed when it is at least min(minFillWh, remaining) for both orders; a resting
// order that cannot take a fill that size is passed over, and keeps its place.
// Self-trade prevention (settings.selfTrade), when the next order in priority is the taker's own:
//   cancel-newest: the incoming order stops and what is left of it is removed;
//   cancel-oldest: the resting order is removed and matching goes on;
//   cancel-both:   both.

import type { Engine } from './engine';
import type { Ladder, Resting } from './ladder';
import type { Outcome } from './outcome';
import type { SlotBook } from './slot-book';

interface Cursor {
  ladder: Ladder;
  node: Resting | null;
  /** the worst level index the taker accepts in this ladder */
  limit: number;
  fee: number;
  capLeft: number;
}

/**
 * The plan of the match being made. One scratch plan and cursor pool serve every match: matching is
 * synchronous and never re-entered, and an order book at a million orders a second should not feed the
 * garbage collector four arrays per order.
 */
interface Plan {
  makers: Resting[];
  /** 0: the maker is removed by self-trade prevention */
  quantities: number[];
  prices: number[];
  fees: number[];
  steps: number;
  filledWh: number;
  /** self-trade prevention removes the taker */
  takerRemoved: boolean;
}

const scratch: Plan = { makers: [], quantities: [], prices: [], fees: [], steps: 0, filledWh: 0, takerRemoved: false };
const pool: Cursor[] = [];

function step(plan: Plan, maker: Resting, wh: number, price: number, fee: number): void {
  const i = plan.steps++;
  plan.makers[i] = maker;
  plan.quantities[i] = wh;
  plan.prices[i] = price;
  plan.fees[i] = fee;
}

/** Opens a cursor per zone whose best order the taker can reach; returns how many. */
function cursors(engine: Engine, slot: SlotBook, taker: Resting): number {
  const { zones, settings } = engine.rules;
  const tick = settings.tickMsatPerKwh;
  let count = 0;
  for (const book of slot.zoneList) {
    const from = taker.isBuy ? book.zone : taker.bookZone;
    const to = taker.isBuy ? taker.bookZone : book.zone;
    const capLeft = slot.capLeftWh(from, to);
    if (capLeft <= 0) continue;
    const fee = zones.fee(from, to);
    const ladder = taker.isBuy ? book.asks : book.bids;
    // Fees are multiples of the tick, so the limit in the other zone is a whole number of levels away.
    const limit = taker.isBuy ? taker.priceIndex - fee / tick : taker.priceIndex + fee / tick;
    const best = ladder.best;
    const node = best >= 0 && (taker.isBuy ? best <= limit : best >= limit) ? (ladder.bestLevel()?.head ?? null) : null;
    if (node === null) continue;
    const cursor = (pool[count] ??= { ladder, node, limit, fee, capLeft });
    cursor.ladder = ladder;
    cursor.node = node;
    cursor.limit = limit;
    cursor.fee = fee;
    cursor.capLeft = capLeft;
    count++;
  }
  return count;
}

function advance(cursor: Cursor): void {
  const node = cursor.node as Resting;
  if (node.next !== null) {
    cursor.node = node.next;
    return;
  }
  const level = cursor.ladder.after((node.level as NonNullable<Resting['level']>).index);
  const within = level !== undefined && (cursor.ladder.isBid ? level.index >= cursor.limit : level.index <= cursor.limit);
  cursor.node = within ? level.head : null;
}

function plan(engine: Engine, slot: SlotBook, taker: Resting): Plan {
  const result = scratch;
  result.steps = 0;
  result.filledWh = 0;
  result.takerRemoved = false;
  const open = cursors(engine, slot, taker);
  const rule = engine.settings.selfTrade;
  let remaining = taker.remainingWh;
  while (remaining > 0) {
    let best: Cursor | undefined;
    let bestPrice = 0;
    for (let c = 0; c < open; c++) {
      const cursor = pool[c];
      const node = cursor.node;
      if (node === null) continue;
      const price = taker.isBuy ? node.price + cursor.fee : node.price - cursor.fee;
      if (best === undefined || (taker.isBuy ? price < bestPrice : price > bestPrice) || (price === bestPrice && node.seq < (best.node as Resting).seq)) {
        best = cursor;
        bestPrice = price;
      }
    }
    if (best === undefined) break;
    const maker = best.node as Resting;
    if (maker.participant === taker.participant) {
      if (rule !== 'cancel-newest') step(result, maker, 0, 0, 0);
      if (rule !== 'cancel-oldest') {
        result.takerRemoved = true;
        break;
      }
      advance(best);
      continue;
    }
    const need = Math.min(taker.minFillWh, remaining);
    if (best.capLeft < need) {
      best.node = null;
      continue;
    }
    const wh = Math.min(remaining, maker.remainingWh, best.capLeft);
    if (wh < need || wh < Math.min(maker.minFillWh, maker.remainingWh)) {
      advance(best);
      continue;
    }
    step(result, maker, wh, taker.isBuy ? maker.price : maker.price - best.fee, best.fee);
    result.filledWh += wh;
    remaining -= wh;
    best.capLeft -= wh;
    if (wh === maker.remainingWh) advance(best);
  }
  return result;
}

export function matchContinuous(engine: Engine, slot: SlotBook, taker: Resting, atIso: string, out: Outcome): void {
  const steps = plan(engine, slot, taker);
  const type = taker.orderType;
  if (type === 'fok' && steps.filledWh < taker.remainingWh) return engine.remove(taker, 'fok-unfilled', atIso, out);
  if (type === 'post-only' && steps.filledWh > 0) return engine.remove(taker, 'post-only-would-take', atIso, out);
  for (let i = 0; i < steps.steps; i++) {
    const maker = steps.makers[i];
    const wh = steps.quantities[i];
    steps.makers[i] = undefined as unknown as Resting; // let the scratch plan hold no order
    if (wh === 0) {
      engine.remove(maker, 'self-trade', atIso, out);
      continue;
    }
    if (taker.isBuy) engine.trade(slot, taker, maker, wh, steps.prices[i], steps.fees[i], 0, 'continuous', atIso, out);
    else engine.trade(slot, maker, taker, wh, steps.prices[i], steps.fees[i], 0, 'continuous', atIso, out);
    slot.offer(maker, wh);
    slot.offer(taker, wh);
    engine.take(maker, wh);
    engine.take(taker, wh);
    out.bookChanged = true;
  }
  if (taker.remainingWh === 0) {
    taker.live = false;
  } else if (steps.takerRemoved) {
    engine.remove(taker, 'self-trade', atIso, out);
  } else if (type === 'ioc') {
    engine.remove(taker, 'ioc-remainder', atIso, out);
  } else {
    engine.rest(slot, taker, out);
  }
}
