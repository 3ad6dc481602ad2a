// The BookSnapshot a matcher publishes: open orders per slot, zone and price level, best first.

import type { BookSnapshot } from '../schemas';
import type { Engine } from './engine';
import type { Ladder } from './ladder';
import { iso } from './rules';

function depthOf(ladder: Ladder, depth: number): BookSnapshot['slots'][number]['bids'] {
  const levels: BookSnapshot['slots'][number]['bids'] = [];
  for (const level of ladder.walk()) {
    if (levels.length === depth) break;
    levels.push({ priceMsatPerKwh: level.price, quantityWh: level.volumeWh, orders: level.count });
  }
  return levels;
}

export function bookSnapshot(engine: Engine, nowMs: number, depth: number, seq: number, stateHash: string): BookSnapshot {
  const slots: BookSnapshot['slots'] = [];
  let openOrders = 0;
  for (const slot of engine.openSlots()) {
    for (const book of slot.zoneList) {
      if (book.bids.count + book.asks.count === 0) continue;
      openOrders += book.bids.count + book.asks.count;
      slots.push({
        deliveryStart: slot.startIso,
        deliveryEnd: slot.endIso,
        gateClosure: iso(slot.gateMs),
        zone: book.zone,
        bids: depthOf(book.bids, depth),
        asks: depthOf(book.asks, depth),
      });
    }
  }
  const snapshot: BookSnapshot = { type: 'book', market: engine.settings.market, ts: iso(nowMs), mode: engine.settings.mode, slots, openOrders, seq, stateHash };
  if (engine.lastPriceMsatPerKwh !== undefined) snapshot.lastPriceMsatPerKwh = engine.lastPriceMsatPerKwh;
  if (engine.lastClearing !== undefined) snapshot.lastClearing = engine.lastClearing;
  return snapshot;
}
