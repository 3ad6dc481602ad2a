// Spending caps, checked before any payment is sent: per payment, per trade, per hour and per day, and a
// routing-fee cap that is the smaller of an absolute figure and a share of the amount (ppm). One SpendingGuard
// belongs to one Lightning node (the flaregrid-lnd config node), so every stream that pays from that node draws
// on the same hourly and daily budget.
//
// A payment reserves its amount plus its largest possible fee before it is sent. The reservation is released
// only when the payment certainly did not happen (LND says FAILED, or NOT_FOUND after a restart); a confirmed
// payment keeps its amount and its actual fee. A payment whose outcome is unknown keeps its whole reservation,
// so an unknown never lets more through than the caps allow.
//
// The hourly and daily sums are rolling windows kept in buckets (a minute each): a payment counts from its
// bucket's start until a whole window after its bucket ends, up to one bucket longer than exactly, never shorter.

import { PaymentError } from './errors';

export interface SpendingCaps {
  /** the most one payment may carry, msat (its fee not counted) */
  perPaymentMsat: number;
  /** the most one trade may cost, fees included, msat */
  perTradeMsat: number;
  /** the most paid in any hour, fees included, msat */
  perHourMsat: number;
  /** the most paid in any 24 hours, fees included, msat */
  perDayMsat: number;
  /** the most routing fee one payment may pay, msat */
  maxFeeMsat: number;
  /** the most routing fee one payment may pay, as parts per million of its amount */
  maxFeePpm: number;
}

/** Field names a message might use to change a cap; the nodes refuse any message that carries one. */
export const CAP_FIELDS: readonly string[] = Object.freeze([
  'perPaymentMsat',
  'perTradeMsat',
  'perHourMsat',
  'perDayMsat',
  'maxFeeMsat',
  'maxFeePpm',
  'caps',
  'maxFee',
  'max_fee',
  'max_fee_mtokens',
  'feeLimitMsat',
]);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const BUCKET_MS = 60_000;

/** A sum over a rolling window, in buckets; add and remove are O(1), reading the sum prunes expired buckets. */
export class RollingSum {
  private readonly buckets: { startMs: number; msat: number }[] = [];
  private head = 0;
  private total = 0;

  constructor(
    readonly windowMs: number,
    readonly bucketMs: number = BUCKET_MS,
  ) {}

  add(atMs: number, msat: number): void {
    const startMs = Math.floor(atMs / this.bucketMs) * this.bucketMs;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.startMs === startMs) last.msat += msat;
    else if (last && startMs < last.startMs) this.addToOlder(startMs, msat);
    else this.buckets.push({ startMs, msat });
    this.total += msat;
  }

  /** Takes back (part of) an amount added at atMs, e.g. a released reservation; gone buckets are ignored. */
  remove(atMs: number, msat: number): void {
    const startMs = Math.floor(atMs / this.bucketMs) * this.bucketMs;
    for (let i = this.buckets.length - 1; i >= this.head; i--) {
      const bucket = this.buckets[i];
      if (bucket.startMs !== startMs) continue;
      const taken = Math.min(bucket.msat, msat);
      bucket.msat -= taken;
      this.total -= taken;
      return;
    }
  }

  /** The sum of what was added within the window ending at nowMs. */
  sum(nowMs: number): number {
    while (this.head < this.buckets.length && this.buckets[this.head].startMs + this.bucketMs + this.windowMs <= nowMs) {
      this.total -= this.buckets[this.head].msat;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.buckets.length) {
      this.buckets.splice(0, this.head);
      this.head = 0;
    }
    return this.total;
  }

  private addToOlder(startMs: number, msat: number): void {
    const index = this.buckets.findIndex((b, i) => i >= this.head && b.startMs >= startMs);
    if (index >= 0 && this.buckets[index].startMs === startMs) this.buckets[index].msat += msat;
    else if (index >= 0) this.buckets.splice(index, 0, { startMs, msat });
    else this.buckets.push({ startMs, msat });
  }
}

/** A payment's claim on the caps, from before it is sent until its outcome is known. */
export interface Reservation {
  readonly tradeId: string;
  readonly amountMsat: number;
  /** the fee limit the payment is sent with */
  readonly maxFeeMsat: number;
  readonly atMs: number;
}

export function validateCaps(caps: SpendingCaps): SpendingCaps {
  for (const [name, value] of Object.entries(caps)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new PaymentError('SETTINGS', `cap ${name} must be a whole number of 0 or more, got ${String(value)}`);
  }
  return Object.freeze({ ...caps });
}

export class SpendingGuard {
  readonly caps: SpendingCaps;
  private readonly hour = new RollingSum(HOUR_MS);
  private readonly day = new RollingSum(DAY_MS);
  /** spend per trade, fees included, reservations too */
  private readonly byTrade = new Map<string, number>();
  private readonly streams = new Set<string>();

  constructor(caps: SpendingCaps) {
    this.caps = validateCaps(caps);
  }

  /** The fee limit for a payment of amountMsat: the smaller of the absolute cap and the ppm cap. */
  feeLimitMsat(amountMsat: number): number {
    return Math.min(this.caps.maxFeeMsat, Math.floor((amountMsat * this.caps.maxFeePpm) / 1_000_000));
  }

  /** What a trade has spent or reserved, fees included. */
  tradeSpentMsat(tradeId: string): number {
    return this.byTrade.get(tradeId) ?? 0;
  }

  /**
   * The largest amount one payment of this trade may carry now, with its fee limit within every cap; 0 when
   * nothing may be sent. A stream sizes its interval by this, so that a large backlog is paid in several
   * payments instead of being refused.
   */
  largestPaymentMsat(tradeId: string, nowMs: number): number {
    const room = Math.min(
      this.caps.perTradeMsat - this.tradeSpentMsat(tradeId),
      this.caps.perHourMsat - this.hour.sum(nowMs),
      this.caps.perDayMsat - this.day.sum(nowMs),
    );
    // fee(a) ≤ fee(room) for a ≤ room, so a + fee(a) ≤ room
    return Math.max(0, Math.min(this.caps.perPaymentMsat, room - this.feeLimitMsat(Math.max(0, room))));
  }

  /**
   * Records that a stream (by id) draws on this guard. true the first time: the stream must then restore its
   * past spends (restore()), because this guard is new; a stream restarted while the guard lived on has them.
   */
  attachStream(streamId: string): boolean {
    if (this.streams.has(streamId)) return false;
    this.streams.add(streamId);
    return true;
  }

  /** Why a payment of amountMsat for this trade may not be sent now; undefined when it may. Claims nothing. */
  refusal(tradeId: string, amountMsat: number, nowMs: number): PaymentError | undefined {
    if (!Number.isSafeInteger(amountMsat) || amountMsat <= 0) return new PaymentError('AMOUNT', `a payment must be a whole number of msat above 0, got ${String(amountMsat)}`);
    const spend = amountMsat + this.feeLimitMsat(amountMsat);
    if (amountMsat > this.caps.perPaymentMsat) {
      return new PaymentError('CAP_PER_PAYMENT', `a payment of ${amountMsat} msat is over the cap of ${this.caps.perPaymentMsat} msat per payment`);
    }
    const trade = this.tradeSpentMsat(tradeId);
    if (trade + spend > this.caps.perTradeMsat) {
      return new PaymentError('CAP_PER_TRADE', `trade ${tradeId} would cost ${trade + spend} msat with fees, over the cap of ${this.caps.perTradeMsat} msat per trade`);
    }
    const hour = this.hour.sum(nowMs);
    if (hour + spend > this.caps.perHourMsat) {
      return new PaymentError('CAP_PER_HOUR', `${hour + spend} msat within an hour would be over the cap of ${this.caps.perHourMsat} msat per hour`);
    }
    const day = this.day.sum(nowMs);
    if (day + spend > this.caps.perDayMsat) {
      return new PaymentError('CAP_PER_DAY', `${day + spend} msat within a day would be over the cap of ${this.caps.perDayMsat} msat per day`);
    }
    return undefined;
  }

  /**
   * Claims amountMsat and its fee limit for one payment. @throws PaymentError CAP_PER_* naming the cap, and then
   * nothing is claimed.
   */
  reserve(tradeId: string, amountMsat: number, nowMs: number): Reservation {
    const refusal = this.refusal(tradeId, amountMsat, nowMs);
    if (refusal) throw refusal;
    const maxFeeMsat = this.feeLimitMsat(amountMsat);
    this.claim(tradeId, nowMs, amountMsat + maxFeeMsat);
    return Object.freeze({ tradeId, amountMsat, maxFeeMsat, atMs: nowMs });
  }

  /** The payment was confirmed with feeMsat: the unused part of the fee limit is given back. */
  settle(reservation: Reservation, feeMsat: number): void {
    this.unclaim(reservation, Math.max(0, reservation.maxFeeMsat - feeMsat));
  }

  /** The payment certainly did not happen: all of it is given back. */
  release(reservation: Reservation): void {
    this.unclaim(reservation, reservation.amountMsat + reservation.maxFeeMsat);
  }

  /** Counts spend within the windows from before this guard existed (a stream's journal, after a restart). */
  restoreWindow(atMs: number, msat: number): void {
    this.hour.add(atMs, msat);
    this.day.add(atMs, msat);
  }

  /** Counts a trade's spend from before this guard existed, fees (or, unresolved, fee limits) included. */
  restoreTrade(tradeId: string, msat: number): void {
    this.byTrade.set(tradeId, this.tradeSpentMsat(tradeId) + msat);
  }

  private claim(tradeId: string, atMs: number, msat: number): void {
    this.hour.add(atMs, msat);
    this.day.add(atMs, msat);
    this.byTrade.set(tradeId, this.tradeSpentMsat(tradeId) + msat);
  }

  private unclaim(reservation: Reservation, msat: number): void {
    if (msat <= 0) return;
    this.hour.remove(reservation.atMs, msat);
    this.day.remove(reservation.atMs, msat);
    this.byTrade.set(reservation.tradeId, Math.max(0, this.tradeSpentMsat(reservation.tradeId) - msat));
  }
}
