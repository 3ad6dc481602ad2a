// The market's deterministic core: the book of every open slot and the rules that change it. No I/O, no
// clock, no validation: Market validates a message, journals it, then applies it here; a replay applies the
// journalled commands in order and gets the same book, trade ids and state. Every input carries its time.

import type { Cancel, ClearingSummary, Order, Trade } from '../schemas';
import { callAuction } from './auction';
import { matchContinuous } from './continuous';
import { ExpiryHeap } from './expiry-heap';
import { Resting, type ParticipantBook } from './ladder';
import { Recall } from './recall';
import type { Outcome } from './outcome';
import { iso, MarketRules } from './rules';
import type { MarketSettings } from './settings';
import { SlotBook } from './slot-book';
import { continuousSummary } from './summary';
import type { RemovalReason } from './types';

/** What validation resolved about an order, journalled with it so that a replay needs no registry. */
export interface OrderMeta {
  /** the participant's zone ('' when it has none) */
  zone: string;
  /** the seller's Lightning node */
  payTo?: string;
  /** sha256 of the order's canonical JSON: an identical re-submission is recognised by it */
  fingerprint: string;
}

export class Engine {
  readonly rules: MarketRules;
  /** open slots by start ms */
  readonly slots = new Map<number, SlotBook>();
  private readonly participants = new Map<string, ParticipantBook>();
  /** the ids and nonces of the messages accepted for open slots */
  readonly recall = new Recall();
  private readonly expiries = new ExpiryHeap();
  /** arrival counter: time priority */
  arrivals = 0;
  /** the latest time the engine was given */
  atMs = 0;
  /** when the last periodic auction ran */
  lastAuctionMs = 0;
  lastPriceMsatPerKwh: number | undefined;
  lastClearing: ClearingSummary | undefined;

  constructor(settings: MarketSettings) {
    this.rules = new MarketRules(settings);
  }

  get settings(): MarketSettings {
    return this.rules.settings;
  }

  slotAt(startMs: number): SlotBook {
    let slot = this.slots.get(startMs);
    if (slot === undefined) {
      slot = new SlotBook(startMs, this.rules);
      this.slots.set(startMs, slot);
    }
    return slot;
  }

  /** participants with open orders on both sides (in any slot) */
  twoSided(): Set<ParticipantBook> {
    const both = new Set<ParticipantBook>();
    for (const book of this.participants.values()) if (book.openBids > 0 && book.openAsks > 0) both.add(book);
    return both;
  }

  openOrdersOf(participant: string): number {
    const book = this.participants.get(participant);
    return book === undefined ? 0 : book.openBids + book.openAsks;
  }

  private participant(id: string): ParticipantBook {
    let book = this.participants.get(id);
    if (book === undefined) this.participants.set(id, (book = { openBids: 0, openAsks: 0 }));
    return book;
  }

  private atIso = { ms: NaN, iso: '' };
  private slotStart = { iso: '', ms: NaN };

  private time(atMs: number): string {
    if (atMs > this.atMs) this.atMs = atMs;
    if (this.atIso.ms !== this.atMs) this.atIso = { ms: this.atMs, iso: iso(this.atMs) };
    return this.atIso.iso;
  }

  /** Date.parse of a slot start; orders come for few slots, so the last answer is kept */
  private startMsOf(deliveryStart: string): number {
    if (this.slotStart.iso !== deliveryStart) this.slotStart = { iso: deliveryStart, ms: Date.parse(deliveryStart) };
    return this.slotStart.ms;
  }

  /** A resting order for `order` with what is left of it (its whole quantity when new). */
  resting(seq: number, order: Order, remainingWh: number, meta: OrderMeta, atMs: number): Resting {
    const minFillWh = order.orderType === 'fok' && this.settings.mode === 'auction' ? order.quantityWh : (order.minFillWh ?? 1);
    return new Resting(
      seq, order, this.participant(order.participant), order.side === 'buy', this.rules.indexOf(order.priceMsatPerKwh), remainingWh, minFillWh, meta.zone,
      this.rules.zones.active ? meta.zone : '', meta.payTo, order.expiresAt === undefined ? Infinity : Date.parse(order.expiresAt),
      this.startMsOf(order.deliveryStart), atMs, meta.fingerprint,
    );
  }

  place(order: Order, meta: OrderMeta, atMs: number, out: Outcome): void {
    const atIso = this.time(atMs);
    const taker = this.resting(++this.arrivals, order, order.quantityWh, meta, this.atMs);
    const slot = this.slotAt(taker.slotStartMs);
    if (this.settings.mode === 'continuous') matchContinuous(this, slot, taker, atIso, out);
    else this.rest(slot, taker, out);
    this.recall.rememberOrder(slot, order.id, order.participant, order.nonce, taker.ladder === null ? meta.fingerprint : taker);
  }

  cancel(cancel: Cancel, fingerprint: string, atMs: number, out: Outcome): void {
    const atIso = this.time(atMs);
    const target = this.recall.restingOrder(cancel.id);
    if (target === undefined) return;
    this.recall.rememberCancel(this.slots.get(target.slotStartMs) as SlotBook, cancel.participant, cancel.nonce, fingerprint);
    this.remove(target, 'cancelled', atIso, out);
  }

  /** the order with this id if it rests in the book */
  restingOrder(id: string): Resting | undefined {
    return this.recall.restingOrder(id);
  }

  rest(slot: SlotBook, order: Resting, out: Outcome): void {
    slot.ladderOf(order).insert(order);
    if (order.orderType === 'ioc' || order.orderType === 'fok') slot.transient.push(order);
    if (order.isBuy) order.owner.openBids++;
    else order.owner.openAsks++;
    if (order.expiresAtMs !== Infinity) this.expiries.push(order);
    out.bookChanged = true;
  }

  private unlist(order: Resting): void {
    order.live = false;
    const ladder = order.ladder;
    if (ladder === null) return;
    ladder.remove(order);
    this.recall.left(order);
    if (order.isBuy) order.owner.openBids--;
    else order.owner.openAsks--;
  }

  /** `wh` of the order traded: a resting order shrinks, or leaves the book when nothing is left */
  take(order: Resting, wh: number): void {
    const ladder = order.ladder;
    if (ladder === null) {
      order.remainingWh -= wh;
    } else if (wh === order.remainingWh) {
      this.unlist(order);
      order.remainingWh = 0;
    } else {
      ladder.reduce(order, wh);
    }
  }

  /** The order leaves the book without trading what is left of it. */
  remove(order: Resting, reason: RemovalReason, atIso: string, out: Outcome): void {
    if (order.ladder !== null) out.bookChanged = true;
    this.unlist(order);
    if (this.settings.mode === 'continuous' && (reason === 'expired' || reason === 'gate-closed')) {
      (this.slots.get(order.slotStartMs) as SlotBook).offer(order, order.remainingWh);
    }
    out.removed.push({
      type: 'removed', orderId: order.id, participant: order.participant, reason, remainingWh: order.remainingWh,
      deliveryStart: order.order.deliveryStart, at: atIso,
    });
  }

  /** Records a trade of `wh` between a buy and a sell order of `slot` (neither is changed here). */
  trade(slot: SlotBook, buy: Resting, sell: Resting, wh: number, priceMsatPerKwh: number, feeMsatPerKwh: number, surplusMsatPerKwh: number, mode: Trade['mode'], atIso: string, out: Outcome): void {
    const trade: Trade = {
      type: 'trade',
      id: `${slot.tradeIdPrefix}${++slot.tradeSeq}`,
      market: this.settings.market,
      buyOrderId: buy.id,
      sellOrderId: sell.id,
      buyer: buy.participant,
      seller: sell.participant,
      payTo: sell.payTo as string,
      quantityWh: wh,
      priceMsatPerKwh,
      feeMsatPerKwh,
      deliveryStart: slot.startIso,
      deliveryEnd: slot.endIso,
      matchedAt: atIso,
      mode,
    };
    if (surplusMsatPerKwh > 0) trade.surplusMsatPerKwh = surplusMsatPerKwh;
    if (buy.zone !== '') trade.buyerZone = buy.zone;
    if (sell.zone !== '') trade.sellerZone = sell.zone;
    const totals = slot.totals;
    totals.volumeWh += wh;
    totals.trades++;
    totals.welfare.addProduct(wh, buy.price - sell.price - feeMsatPerKwh);
    totals.fees.addProduct(wh, feeMsatPerKwh);
    totals.surplus.addProduct(wh, surplusMsatPerKwh);
    if (buy.bookZone !== sell.bookZone) slot.cross(sell.bookZone, buy.bookZone, wh);
    slot.lastPriceMsatPerKwh = this.lastPriceMsatPerKwh = priceMsatPerKwh;
    out.trades.push(trade);
  }

  /** the next time something is due: an expiry, a gate closure or a periodic auction; Infinity when nothing */
  nextDueMs(): number {
    let due = this.expiries.nextMs();
    for (const slot of this.slots.values()) if (slot.gateMs < due) due = slot.gateMs;
    const interval = this.settings.auctionIntervalMs;
    if (this.settings.mode === 'auction' && interval !== undefined && this.slots.size > 0) {
      due = Math.min(due, (Math.floor(this.lastAuctionMs / interval) + 1) * interval);
    }
    return due;
  }

  /** Expiries, periodic auctions and gate closures due by `atMs`, in that order. */
  advance(atMs: number, out: Outcome): void {
    const atIso = this.time(atMs);
    for (let order = this.expiries.popDue(this.atMs); order; order = this.expiries.popDue(this.atMs)) this.remove(order, 'expired', atIso, out);
    const interval = this.settings.auctionIntervalMs;
    const closing = this.openSlots().filter((slot) => slot.gateMs <= this.atMs);
    if (this.settings.mode === 'auction' && interval !== undefined && this.slots.size > 0 && this.atMs >= (Math.floor(this.lastAuctionMs / interval) + 1) * interval) {
      this.lastAuctionMs = this.atMs;
      for (const slot of this.openSlots()) if (slot.gateMs > this.atMs) callAuction(this, slot, atIso, out);
    }
    for (const slot of closing) this.closeSlot(slot, atIso, out);
  }

  /** msg.topic "clear": a call auction of every open slot now. */
  clear(atMs: number, out: Outcome): void {
    const atIso = this.time(atMs);
    for (const slot of this.openSlots()) callAuction(this, slot, atIso, out);
  }

  /** open slots, earliest first */
  openSlots(): SlotBook[] {
    return [...this.slots.values()].sort((a, b) => a.startMs - b.startMs);
  }

  private closeSlot(slot: SlotBook, atIso: string, out: Outcome): void {
    if (this.settings.mode === 'auction') callAuction(this, slot, atIso, out);
    for (const book of slot.zoneList) {
      for (const ladder of [book.bids, book.asks]) {
        for (let level = ladder.bestLevel(); level; level = ladder.bestLevel()) {
          for (let order = level.head; order; order = level.head) this.remove(order, 'gate-closed', atIso, out);
        }
      }
    }
    if (this.settings.mode === 'continuous') {
      const summary = continuousSummary(this, slot, atIso);
      out.clearings.push(summary);
      this.lastClearing = summary;
    }
    this.recall.forgetSlot(slot);
    for (const participant of new Set([...slot.orderOwners, ...slot.cancelOwners])) {
      const book = this.participants.get(participant);
      if (book !== undefined && book.openBids + book.openAsks === 0) this.participants.delete(participant);
    }
    this.slots.delete(slot.startMs);
  }
}
