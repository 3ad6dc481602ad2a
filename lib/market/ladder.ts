// The book of one side of one slot and zone: a price ladder indexed by tick, each level a FIFO queue of
// resting orders (an intrusive doubly linked list), so insert, match at the head and cancel anywhere are O(1);
// the best level is kept, and the next one found through the level bitmap.

import type { Order, OrderType } from '../schemas';
import { LevelBits } from './bitset';

/** What the engine keeps per participant: its open orders. */
export interface ParticipantBook {
  openBids: number;
  openAsks: number;
}

/** An order in the book, with what is left of it. */
export class Resting {
  prev: Resting | null = null;
  next: Resting | null = null;
  level: Level | null = null;
  /** the ladder it rests in, null when it does not rest */
  ladder: Ladder | null = null;
  /** false once it left the book (filled, cancelled, expired, removed) */
  live = true;
  /** its entry in the recall's table of order ids (recall.ts), -1 until it is remembered */
  recallEntry = -1;
  // The order's fields that matching reads, copied onto the object it walks (one cache line, no indirection).
  readonly id: string;
  readonly participant: string;
  readonly price: number;
  readonly orderType: OrderType;

  constructor(
    /** arrival number: time priority, and the order of replay */
    readonly seq: number,
    readonly order: Order,
    readonly owner: ParticipantBook,
    readonly isBuy: boolean,
    readonly priceIndex: number,
    public remainingWh: number,
    /** 1 when the order has none; FOK counts as its quantity in an auction */
    readonly minFillWh: number,
    /** the participant's zone, as trades report it */
    readonly zone: string,
    /** the zone the book files it under: its zone when the market has zone rules, '' when it has none */
    readonly bookZone: string,
    readonly payTo: string | undefined,
    readonly expiresAtMs: number,
    readonly slotStartMs: number,
    readonly atMs: number,
    /** sha256 of the order's canonical JSON */
    readonly fingerprint: string,
  ) {
    this.id = order.id;
    this.participant = order.participant;
    this.price = order.priceMsatPerKwh;
    this.orderType = order.orderType ?? 'limit';
  }

}

export class Level {
  head: Resting | null = null;
  tail: Resting | null = null;
  volumeWh = 0;
  count = 0;

  constructor(
    readonly index: number,
    readonly price: number,
  ) {}
}

export class Ladder {
  private readonly levels = new Map<number, Level>();
  private readonly bits: LevelBits;
  /** index of the best level, -1 when empty */
  best = -1;
  volumeWh = 0;
  count = 0;

  constructor(
    readonly isBid: boolean,
    levelCount: number,
    private readonly priceOf: (index: number) => number,
  ) {
    this.bits = new LevelBits(levelCount);
  }

  level(index: number): Level | undefined {
    return this.levels.get(index);
  }

  bestLevel(): Level | undefined {
    return this.best < 0 ? undefined : this.levels.get(this.best);
  }

  /** the next level with orders after `index`, in priority order (bids down, asks up), or undefined */
  after(index: number): Level | undefined {
    const next = this.isBid ? this.bits.nextDown(index - 1) : this.bits.nextUp(index + 1);
    return next < 0 ? undefined : this.levels.get(next);
  }

  /** every level with orders, best first */
  *walk(): Generator<Level> {
    for (let level = this.bestLevel(); level; level = this.after(level.index)) yield level;
  }

  insert(order: Resting): void {
    let level = this.levels.get(order.priceIndex);
    if (level === undefined) {
      level = new Level(order.priceIndex, this.priceOf(order.priceIndex));
      this.levels.set(order.priceIndex, level);
      this.bits.set(order.priceIndex);
      if (this.best < 0 || (this.isBid ? order.priceIndex > this.best : order.priceIndex < this.best)) this.best = order.priceIndex;
    }
    order.level = level;
    order.ladder = this;
    order.prev = level.tail;
    order.next = null;
    if (level.tail) level.tail.next = order;
    else level.head = order;
    level.tail = order;
    level.volumeWh += order.remainingWh;
    level.count++;
    this.volumeWh += order.remainingWh;
    this.count++;
  }

  /** Takes `wh` off a resting order that stays (a partial fill). */
  reduce(order: Resting, wh: number): void {
    order.remainingWh -= wh;
    (order.level as Level).volumeWh -= wh;
    this.volumeWh -= wh;
  }

  remove(order: Resting): void {
    const level = order.level as Level;
    if (order.prev) order.prev.next = order.next;
    else level.head = order.next;
    if (order.next) order.next.prev = order.prev;
    else level.tail = order.prev;
    order.prev = order.next = null;
    order.level = null;
    order.ladder = null;
    level.volumeWh -= order.remainingWh;
    level.count--;
    this.volumeWh -= order.remainingWh;
    this.count--;
    if (level.count === 0) {
      this.levels.delete(level.index);
      this.bits.clear(level.index);
      if (level.index === this.best) {
        const next = this.isBid ? this.bits.nextDown(level.index) : this.bits.nextUp(level.index);
        this.best = next;
      }
    }
  }
}
