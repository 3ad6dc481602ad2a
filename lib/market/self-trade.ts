// Self-trade prevention before a call auction. At one uniform price a participant's bid and ask can both
// fill only if the bid covers the ask plus the fee between their zones; so while a participant's best bid
// does that against its own best ask, the market's rule removes one of the two (the newest, the oldest) or
// both. What is left cannot trade with itself, whatever the price.

import type { Engine } from './engine';
import type { Resting } from './ladder';
import type { Outcome } from './outcome';
import type { SlotBook } from './slot-book';

/** one participant's orders of one side in one book zone, best first, and how many were removed from the front */
interface Queue {
  orders: Resting[];
  at: number;
}

interface Own {
  bids: Map<string, Queue>;
  asks: Map<string, Queue>;
}

function queue(map: Map<string, Queue>, zone: string): Queue {
  let q = map.get(zone);
  if (q === undefined) map.set(zone, (q = { orders: [], at: 0 }));
  return q;
}

export function preventSelfTrades(engine: Engine, slot: SlotBook, atIso: string, out: Outcome): void {
  const twoSided = engine.twoSided();
  if (twoSided.size === 0) return;
  const byParticipant = new Map<string, Own>();
  for (const book of slot.zoneList) {
    for (const [isBid, ladder] of [[true, book.bids], [false, book.asks]] as const) {
      for (const level of ladder.walk()) {
        for (let order = level.head; order; order = order.next) {
          if (!twoSided.has(order.owner)) continue;
          let own = byParticipant.get(order.participant);
          if (own === undefined) byParticipant.set(order.participant, (own = { bids: new Map(), asks: new Map() }));
          queue(isBid ? own.bids : own.asks, book.zone).orders.push(order);
        }
      }
    }
  }
  const { zones, settings } = engine.rules;
  for (const own of byParticipant.values()) {
    for (;;) {
      let pair: [Queue, Queue] | undefined;
      for (const [bidZone, bids] of own.bids) {
        const bid = bids.orders[bids.at];
        if (bid === undefined) continue;
        for (const [askZone, asks] of own.asks) {
          const ask = asks.orders[asks.at];
          if (ask !== undefined && bid.price >= ask.price + zones.fee(askZone, bidZone) && slot.capLeftWh(askZone, bidZone) > 0) {
            pair = [bids, asks];
            break;
          }
        }
        if (pair) break;
      }
      if (pair === undefined) break;
      const [bids, asks] = pair;
      const bid = bids.orders[bids.at];
      const ask = asks.orders[asks.at];
      const newest = bid.seq > ask.seq ? bids : asks;
      const oldest = newest === bids ? asks : bids;
      const leaving = settings.selfTrade === 'cancel-newest' ? [newest] : settings.selfTrade === 'cancel-oldest' ? [oldest] : [bids, asks];
      for (const q of leaving) engine.remove(q.orders[q.at++], 'self-trade', atIso, out);
    }
  }
}
