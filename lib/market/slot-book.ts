// One delivery slot of a market: a bid and an ask ladder per book zone, the energy that has crossed each zone
// boundary, the slot's trade sequence and running totals, and the ids and nonces of the messages that name it.

import { ExactSum } from './exact';
import { Ladder, type Resting } from './ladder';
import { iso, pairKey, type MarketRules } from './rules';

export interface ZoneBook {
  zone: string;
  bids: Ladder;
  asks: Ladder;
  /**
   * Continuous mode: the Wh offered at each limit (price index) that could have traded: what filled, and what
   * rested until expiry or gate closure. Its ideal call auction is the slot's best welfare.
   */
  offeredBids: Map<number, number>;
  offeredAsks: Map<number, number>;
}

/** The slot's trades so far; the sums are Σ quantity × msat/kWh, exact, divided by 1,000 only when reported. */
export interface SlotTotals {
  volumeWh: number;
  trades: number;
  /** Σ quantity × (buy limit − sell limit − fee) */
  welfare: ExactSum;
  fees: ExactSum;
  surplus: ExactSum;
}

export class SlotBook {
  readonly endMs: number;
  readonly gateMs: number;
  readonly startIso: string;
  readonly endIso: string;
  /** this slot's trade ids are this prefix and the slot's trade sequence */
  readonly tradeIdPrefix: string;
  /** book zones, in the order they first appeared; zoneList is the same sorted by name */
  readonly zones = new Map<string, ZoneBook>();
  zoneList: ZoneBook[] = [];
  /** Wh that crossed from one zone to another (pairKey) */
  readonly crossedWh = new Map<string, number>();
  tradeSeq = 0;
  totals: SlotTotals = { volumeWh: 0, trades: 0, welfare: new ExactSum(), fees: new ExactSum(), surplus: new ExactSum() };
  /** the orders and cancels accepted for this slot, in order (parallel lists): recall.ts forgets them with it */
  readonly orderIds: string[] = [];
  readonly orderOwners: string[] = [];
  readonly orderNonces: string[] = [];
  readonly cancelOwners: string[] = [];
  readonly cancelNonces: string[] = [];
  lastPriceMsatPerKwh: number | undefined;
  /** auction mode: the ioc and fok orders waiting for the next auction, which they leave after */
  transient: Resting[] = [];

  constructor(
    readonly startMs: number,
    private readonly rules: MarketRules,
  ) {
    this.endMs = startMs + rules.settings.slotMs;
    this.gateMs = rules.gateClosureMs(startMs);
    this.startIso = iso(startMs);
    this.endIso = iso(this.endMs);
    this.tradeIdPrefix = rules.tradeIdPrefix(startMs);
  }

  zone(name: string): ZoneBook {
    let book = this.zones.get(name);
    if (book === undefined) {
      const { levelCount, priceOf } = this.rules;
      book = { zone: name, bids: new Ladder(true, levelCount, priceOf), asks: new Ladder(false, levelCount, priceOf), offeredBids: new Map(), offeredAsks: new Map() };
      this.zones.set(name, book);
      this.zoneList = [...this.zones.values()].sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
    }
    return book;
  }

  ladderOf(order: Resting): Ladder {
    const book = this.zone(order.bookZone);
    return order.isBuy ? book.bids : book.asks;
  }

  /** the Wh still allowed to flow from one zone to another in this slot */
  capLeftWh(from: string, to: string): number {
    const cap = this.rules.zones.cap(from, to);
    return cap === Infinity ? Infinity : cap - (this.crossedWh.get(pairKey(from, to)) ?? 0);
  }

  cross(from: string, to: string, wh: number): void {
    if (this.rules.zones.cap(from, to) === Infinity) return;
    const key = pairKey(from, to);
    this.crossedWh.set(key, (this.crossedWh.get(key) ?? 0) + wh);
  }

  offer(order: Resting, wh: number): void {
    const book = this.zone(order.bookZone);
    const offered = order.isBuy ? book.offeredBids : book.offeredAsks;
    offered.set(order.priceIndex, (offered.get(order.priceIndex) ?? 0) + wh);
  }

  openOrders(): number {
    let count = 0;
    for (const book of this.zones.values()) count += book.bids.count + book.asks.count;
    return count;
  }
}
