// The engine's whole state as plain JSON: what a journal snapshot holds and what the state hash covers.
// Everything is listed in a fixed order (slots by start, orders by arrival, maps by key), so equal books give
// equal JSON and equal hashes, however they were reached: live, replayed, or restored from a snapshot.

import { stateHash } from '../journal';
import type { ClearingSummary, Order } from '../schemas';
import { Engine } from './engine';
import { ExactSum } from './exact';
import type { Resting } from './ladder';
import { emptyOutcome } from './outcome';
import type { MarketSettings } from './settings';

interface OrderState {
  seq: number;
  order: Order;
  remainingWh: number;
  zone: string;
  payTo?: string;
  atMs: number;
}

interface SlotState {
  startMs: number;
  tradeSeq: number;
  totals: { volumeWh: number; trades: number; welfare: string; fees: string; surplus: string };
  lastPriceMsatPerKwh?: number;
  crossedWh: [string, number][];
  offered: { zone: string; bids: [number, number][]; asks: [number, number][] }[];
  /** the orders accepted for the slot, in order: [id, participant, nonce, fingerprint] */
  orderIds: [string, string, string, string][];
  /** the cancels accepted for the slot, in order: [participant, nonce, fingerprint] */
  cancels: [string, string, string][];
  orders: OrderState[];
}

export interface EngineState {
  settings: MarketSettings;
  arrivals: number;
  atMs: number;
  lastAuctionMs: number;
  lastPriceMsatPerKwh?: number;
  lastClearing?: ClearingSummary;
  slots: SlotState[];
}

const byKey = <V>(map: ReadonlyMap<string, V> | ReadonlyMap<number, V>): [never, V][] =>
  ([...map.entries()] as [never, V][]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

export function engineState(engine: Engine): EngineState {
  const slots: SlotState[] = engine.openSlots().map((slot) => {
    const orders: Resting[] = [];
    for (const book of slot.zoneList) for (const ladder of [book.bids, book.asks]) for (const level of ladder.walk()) for (let o = level.head; o; o = o.next) orders.push(o);
    orders.sort((a, b) => a.seq - b.seq);
    const state: SlotState = {
      startMs: slot.startMs,
      tradeSeq: slot.tradeSeq,
      totals: {
        volumeWh: slot.totals.volumeWh,
        trades: slot.totals.trades,
        welfare: slot.totals.welfare.value.toString(),
        fees: slot.totals.fees.value.toString(),
        surplus: slot.totals.surplus.value.toString(),
      },
      crossedWh: byKey(slot.crossedWh),
      offered: slot.zoneList.map((book) => ({ zone: book.zone, bids: byKey(book.offeredBids), asks: byKey(book.offeredAsks) })),
      orderIds: slot.orderIds.map((id, i) => [id, slot.orderOwners[i], slot.orderNonces[i], engine.recall.fingerprintOf(id) as string]),
      cancels: slot.cancelOwners.map((p, i) => [p, slot.cancelNonces[i], engine.recall.cancelFingerprint(p, slot.cancelNonces[i]) as string]),
      orders: orders.map((o) => ({ seq: o.seq, order: o.order, remainingWh: o.remainingWh, zone: o.zone, payTo: o.payTo, atMs: o.atMs })),
    };
    if (slot.lastPriceMsatPerKwh !== undefined) state.lastPriceMsatPerKwh = slot.lastPriceMsatPerKwh;
    return state;
  });
  return {
    settings: engine.settings,
    arrivals: engine.arrivals,
    atMs: engine.atMs,
    lastAuctionMs: engine.lastAuctionMs,
    lastPriceMsatPerKwh: engine.lastPriceMsatPerKwh,
    lastClearing: engine.lastClearing,
    slots,
  };
}

export function engineHash(engine: Engine): string {
  return stateHash(engineState(engine));
}

export interface Restored {
  engine: Engine;
  /** resting orders that do not fit `settings` (another price grid or slot length) and were left out */
  dropped: OrderState[];
}

/** The engine of `state`, under `settings` (the state's own unless the market's settings changed). */
export function engineFromState(state: EngineState, settings: MarketSettings = state.settings): Restored {
  const engine = new Engine(settings);
  engine.arrivals = state.arrivals;
  engine.atMs = state.atMs;
  engine.lastAuctionMs = state.lastAuctionMs;
  engine.lastPriceMsatPerKwh = state.lastPriceMsatPerKwh;
  engine.lastClearing = state.lastClearing;
  const dropped: OrderState[] = [];
  const scratch = emptyOutcome();
  for (const saved of state.slots) {
    if (settings.slotMs !== state.settings.slotMs) {
      dropped.push(...saved.orders);
      continue;
    }
    const slot = engine.slotAt(saved.startMs);
    slot.tradeSeq = saved.tradeSeq;
    slot.totals = {
      volumeWh: saved.totals.volumeWh,
      trades: saved.totals.trades,
      welfare: new ExactSum(BigInt(saved.totals.welfare)),
      fees: new ExactSum(BigInt(saved.totals.fees)),
      surplus: new ExactSum(BigInt(saved.totals.surplus)),
    };
    slot.lastPriceMsatPerKwh = saved.lastPriceMsatPerKwh;
    for (const [key, wh] of saved.crossedWh) slot.crossedWh.set(key, wh);
    for (const offered of saved.offered) {
      const book = slot.zone(offered.zone);
      for (const [index, wh] of offered.bids) book.offeredBids.set(index, wh);
      for (const [index, wh] of offered.asks) book.offeredAsks.set(index, wh);
    }
    for (const [id, participant, nonce, fingerprint] of saved.orderIds) engine.recall.rememberOrder(slot, id, participant, nonce, fingerprint);
    for (const [participant, nonce, fingerprint] of saved.cancels) engine.recall.rememberCancel(slot, participant, nonce, fingerprint);
    for (const kept of saved.orders) {
      const order = engine.resting(kept.seq, kept.order, kept.remainingWh, { ...kept, fingerprint: engine.recall.fingerprintOf(kept.order.id) as string }, kept.atMs);
      if (order.priceIndex < 0) {
        dropped.push(kept);
      } else {
        engine.rest(slot, order, scratch);
        engine.recall.resting(order);
      }
    }
  }
  return { engine, dropped };
}
