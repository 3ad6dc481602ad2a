// The payer's engine (flaregrid-pay-stream without Node-RED): the trade streams of one buyer, its meter, the
// stream journal and the Lightning calls. Per trade, one payment at a time goes through these steps, each
// journaled before the next is taken, so that a crash anywhere never pays an interval twice:
//   plan (stream.ts) → reserve the caps → journal 'intent' (fsync) → send → journal 'paid' / 'failed'
// A send whose outcome is unknown (a broken connection, our deadline, LND's "already exists") is followed by a
// status check (TrackPaymentV2), never by a blind re-send; NOT_FOUND is the only answer that sends again. After
// a restart every intent without a result is checked the same way before the stream pays on.

import { canonicalJson } from '../canonical-json';
import { TimerSet, type Clock, type Timer } from '../clock';
import { Backoff, type BackoffOptions } from '../connection/backoff';
import { Journal } from '../journal';
import type { MeterReading } from '../schemas/metering';
import type { Invoice, Receipt } from '../schemas/payments';
import type { Trade } from '../schemas/market';
import { BackendError, type PaymentBackend, type PaymentOutcome } from './backend/types';
import type { Reservation, SpendingGuard } from './caps';
import { MeterAllocator } from './delivery';
import { PaymentError } from './errors';
import { newStreamSecret, provesPayment } from './identity';
import { encodeIntervalRecords } from './records';
import { closingReceipt, paymentReceipt } from './receipts';
import { TradeStream, type PlannedPayment, type StreamSettings } from './stream';
import {
  addSpend,
  pruneSpends,
  replayStreams,
  STREAM_JOURNAL_VERSION,
  type FailedRecord,
  type IntentRecord,
  type PaidRecord,
  type SpendBuckets,
  type StreamRecord,
  type StreamSnapshot,
} from './stream-journal';

/** Observers at the two moments a crash is most dangerous; tests kill the process there. */
export interface PaymentHooks {
  /** the intent is durable, the payment not yet sent */
  afterIntent?(payment: PlannedPayment): void;
  /** LND has answered, the answer is not yet journaled */
  afterOutcome?(payment: PlannedPayment, outcome: PaymentOutcome): void;
}

export interface StreamDriverOptions {
  dir: string;
  /** this stream's id (the node id), so that a restarted stream does not count its spends twice */
  streamId: string;
  buyer: string;
  meterId: string;
  settings: StreamSettings;
  clock: Clock;
  guard: SpendingGuard;
  /** the connected backend; rejects when there is none soon enough */
  backend(): Promise<PaymentBackend>;
  paymentTimeoutMs: number;
  lookupTimeoutMs: number;
  retry?: BackoffOptions;
  /** how often time-driven payments and closes are looked at */
  tickMs?: number;
  snapshotEvery?: number;
  onReceipt(receipt: Receipt, trade: Trade): void;
  onChange(): void;
  /** a problem with no message to blame: a failing payment, a refused journal write */
  onProblem(err: Error): void;
  /** a call found the node unreachable: the connection owner may reconnect */
  onUnavailable?(err: BackendError): void;
  hooks?: PaymentHooks;
  warn?(text: string): void;
}

/** new: planned, to be reserved and journaled; retry: failed, to be reserved again; send; check: outcome unknown */
type Phase = 'new' | 'retry' | 'send' | 'check';

interface Lane {
  stream: TradeStream;
  phase?: Phase;
  busy: boolean;
  /** pumped while busy */
  again: boolean;
  backoff: Backoff;
  retryAtMs: number;
  retryTimer?: Timer;
  reservation?: Reservation;
  blocked?: PaymentError;
  lastError?: string;
  /** a confirmed payment whose record waits to go out with the next intent (one sync for both) */
  unrecorded?: { record: PaidRecord; receipt: Receipt; trade: Trade };
}

export interface StreamSummary {
  trades: number;
  paidMsat: number;
  owedMsat: number;
  blocked?: PaymentError;
  failing?: string;
}

export class StreamDriver {
  private readonly lanes = new Map<string, Lane>();
  private readonly closedTrades: Map<string, number>;
  private readonly spends: SpendBuckets;
  private readonly timers: TimerSet;
  private readonly allocator: MeterAllocator;
  private sinceSnapshot = 0;
  private closing = false;
  private closedPaidMsat = 0;

  private constructor(
    private readonly o: StreamDriverOptions,
    private readonly journal: Journal<StreamRecord, StreamSnapshot>,
    private readonly secretHex: string,
    replayed: ReturnType<typeof replayStreams>,
  ) {
    this.closedTrades = replayed.closed;
    this.spends = replayed.spends;
    this.timers = new TimerSet(o.clock);
    this.allocator = new MeterAllocator(o.meterId, replayed.meter);
    for (const stream of replayed.streams.values()) this.addLane(stream, stream.state.pending ? 'check' : undefined);
  }

  /** Opens (or creates) the journal in options.dir, replays it and checks every unresolved payment with LND. */
  static async open(options: StreamDriverOptions): Promise<StreamDriver> {
    const { journal, snapshot, entries } = await Journal.open<StreamRecord, StreamSnapshot>(options.dir, {
      version: STREAM_JOURNAL_VERSION,
      keepHistory: true,
      warn: options.warn,
    });
    try {
      const replayed = replayStreams(snapshot?.state, entries, options.settings, options.meterId);
      if (replayed.buyer !== undefined && replayed.buyer !== options.buyer) {
        throw new PaymentError('JOURNAL_MISMATCH', `the journal in ${options.dir} belongs to buyer '${replayed.buyer}', not '${options.buyer}'`);
      }
      let secretHex = replayed.secretHex;
      if (secretHex === undefined) {
        secretHex = newStreamSecret();
        await journal.append('secret', { secretHex, buyer: options.buyer });
      }
      const driver = new StreamDriver(options, journal, secretHex, replayed);
      driver.restoreCaps();
      driver.start();
      return driver;
    } catch (err) {
      await journal.close();
      throw err;
    }
  }

  get tradeIds(): string[] {
    return [...this.lanes.keys()];
  }

  stream(tradeId: string): TradeStream | undefined {
    return this.lanes.get(tradeId)?.stream;
  }

  summary(): StreamSummary {
    let paidMsat = this.closedPaidMsat;
    let owedMsat = 0;
    let blocked: PaymentError | undefined;
    let failing: string | undefined;
    for (const lane of this.lanes.values()) {
      paidMsat += lane.stream.state.paidMsat;
      owedMsat += lane.stream.owedMsat;
      blocked ??= lane.blocked;
      failing ??= lane.lastError;
    }
    return { trades: this.lanes.size, paidMsat, owedMsat, blocked, failing };
  }

  /** A trade in which this buyer buys. Resolves once it is journaled. @throws PaymentError */
  async admitTrade(trade: Trade): Promise<boolean> {
    if (this.closedTrades.has(trade.id)) throw new PaymentError('TRADE_OVER', `trade ${trade.id} is over: its stream has closed`);
    const known = this.lanes.get(trade.id);
    if (known) {
      if (canonicalJson(known.stream.state.trade) === canonicalJson(trade)) return false;
      throw new PaymentError('TRADE_CONFLICT', `trade ${trade.id} is already being paid with other terms`);
    }
    const nowMs = this.o.clock.nowMs();
    const counterWh = this.allocator.position?.counterWh ?? 0;
    const stream = TradeStream.start(trade, this.o.buyer, this.o.meterId, this.o.settings, nowMs, counterWh);
    // The record's place in the journal is fixed now (append assigns it at once), and the trade is counted from
    // now, while the record is written: a reading meanwhile belongs to it already.
    const durable = this.append('trade', { trade, atMs: nowMs, counterWh });
    this.addLane(stream, undefined);
    try {
      await durable;
    } catch (err) {
      this.lanes.delete(trade.id);
      this.allocator.removeTrade(trade.id);
      throw err;
    }
    this.o.onChange();
    return true;
  }

  /** A reading of the buyer's meter. @throws PaymentError WRONG_METER, COUNTER_BACKWARDS, BAD_READING */
  admitReading(reading: MeterReading): void {
    const { changed, stale } = this.allocator.admit(reading);
    if (stale) return;
    for (const lane of this.lanes.values()) lane.stream.observeCounter(reading.energyOutWh);
    for (const tradeId of changed) {
      const lane = this.lanes.get(tradeId);
      if (!lane) continue;
      lane.stream.setDelivered(this.allocator.deliveredWh(tradeId), reading.energyOutWh);
      this.pump(lane);
    }
  }

  /** An invoice of the seller's gate (invoice and escrow modes). @throws PaymentError */
  async admitInvoice(invoice: Invoice): Promise<void> {
    const lane = this.lanes.get(invoice.tradeId);
    if (!lane) {
      if (this.closedTrades.has(invoice.tradeId)) throw new PaymentError('TRADE_OVER', `invoice for trade ${invoice.tradeId}, which is over`);
      throw new PaymentError('UNKNOWN_TRADE', `invoice for trade ${invoice.tradeId}, which this stream does not know`);
    }
    const backend = await this.o.backend();
    let decoded;
    try {
      decoded = backend.decodeRequest(invoice.request);
    } catch (err) {
      throw new PaymentError('BAD_INVOICE', (err as Error).message);
    }
    const trade = lane.stream.state.trade;
    if (decoded.destination !== trade.payTo || decoded.paymentHash !== invoice.paymentHash || decoded.amountMsat !== invoice.amountMsat) {
      throw new PaymentError('BAD_INVOICE', `the payment request of invoice ${invoice.interval} does not match it (payee, hash or amount)`);
    }
    const payment = lane.stream.acceptInvoice(invoice, this.o.clock.nowMs());
    lane.phase = 'new';
    try {
      this.reserve(lane, payment);
    } catch (err) {
      lane.stream.dropPending(payment.interval);
      lane.phase = undefined;
      throw err;
    }
    this.pump(lane);
  }

  /** The journal's seq once every write started so far is durable (Journal.whenDurable). */
  async whenDurable(): Promise<number> {
    await this.journal.whenDurable();
    return this.journal.seq;
  }

  /** Stops paying; a payment in flight is left to the next start, which asks LND about it. */
  async close(): Promise<void> {
    this.closing = true;
    this.timers.cancelAll();
    // results already known go on record, so that the next start need not ask LND about them
    await Promise.all([...this.lanes.values()].map((lane) => this.recordPaid(lane).catch(() => undefined)));
    await this.journal.close();
  }

  private start(): void {
    const tickMs = this.o.tickMs ?? Math.min(1000, this.o.settings.stepMs);
    this.timers.setInterval(() => {
      for (const lane of this.lanes.values()) this.pump(lane);
    }, tickMs);
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  /**
   * Each unresolved payment gets its reservation back; a new guard also learns the spends this stream made
   * before it existed (a guard that lived on through a redeploy of the stream has them already).
   */
  private restoreCaps(): void {
    const fresh = this.o.guard.attachStream(this.o.streamId);
    pruneSpends(this.spends, this.o.clock.nowMs());
    if (fresh) for (const [minuteMs, msat] of this.spends) this.o.guard.restoreWindow(minuteMs, msat);
    for (const lane of this.lanes.values()) {
      const { paidMsat, feeMsat, pending, trade } = lane.stream.state;
      let tradeSpend = paidMsat + feeMsat;
      if (pending) {
        const maxFeeMsat = pending.maxFeeMsat ?? this.o.guard.feeLimitMsat(pending.amountMsat);
        lane.reservation = { tradeId: trade.id, amountMsat: pending.amountMsat, maxFeeMsat, atMs: pending.plannedAtMs };
        if (fresh) this.o.guard.restoreWindow(pending.plannedAtMs, pending.amountMsat + maxFeeMsat);
        tradeSpend += pending.amountMsat + maxFeeMsat;
      }
      if (fresh) this.o.guard.restoreTrade(trade.id, tradeSpend);
    }
  }

  private addLane(stream: TradeStream, phase: Phase | undefined): void {
    const lane: Lane = { stream, phase, busy: false, again: false, backoff: new Backoff(this.o.retry ?? { initialMs: 500, maxMs: 30_000 }), retryAtMs: 0 };
    this.lanes.set(stream.tradeId, lane);
    const { trade, deliveredWh } = stream.state;
    this.allocator.addTrade({ tradeId: trade.id, startMs: Date.parse(trade.deliveryStart), endMs: Date.parse(trade.deliveryEnd), quantityWh: trade.quantityWh }, deliveredWh);
    this.pump(lane);
  }

  private reserve(lane: Lane, payment: PlannedPayment): void {
    const reservation = this.o.guard.reserve(payment.tradeId, payment.amountMsat, this.o.clock.nowMs());
    // A retry keeps the fee limit it was journaled with, so that its spend never exceeds what was reserved first.
    payment.maxFeeMsat = Math.min(payment.maxFeeMsat ?? reservation.maxFeeMsat, reservation.maxFeeMsat);
    lane.reservation = reservation;
  }

  /** Moves a lane on; a call while it is moving makes it look again when it is done, so no news is lost. */
  private pump(lane: Lane): void {
    if (this.closing) return;
    if (lane.busy) {
      lane.again = true;
      return;
    }
    lane.busy = true;
    lane.again = false;
    this.advance(lane)
      .catch((err: unknown) => {
        if (!this.closing) this.o.onProblem(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => {
        lane.busy = false;
        if (lane.again) this.pump(lane);
      });
  }

  private async advance(lane: Lane): Promise<void> {
    const { stream } = lane;
    for (let steps = 0; steps < 1000 && !this.closing && !stream.closed; steps++) {
      const nowMs = this.o.clock.nowMs();
      const pending = stream.state.pending;
      if (!pending) {
        const plan = stream.plan(nowMs, this.secretHex, this.o.guard.largestPaymentMsat(stream.tradeId, nowMs));
        const wasBlocked = lane.blocked;
        lane.blocked = plan.kind === 'capped' ? this.capError(lane, plan.owedMsat, nowMs) : undefined;
        if (lane.blocked?.message !== wasBlocked?.message) this.o.onChange();
        if (plan.kind === 'close') await this.closeLane(lane, plan.reason);
        if (plan.kind !== 'pay') return this.recordPaid(lane);
        lane.phase = 'new';
        this.reserve(lane, plan.payment);
        continue;
      }
      if (lane.retryAtMs > nowMs) return this.recordPaid(lane);
      if (lane.phase === 'retry') {
        const refusal = this.o.guard.refusal(stream.tradeId, pending.amountMsat, nowMs);
        if (refusal) {
          if (lane.blocked?.message !== refusal.message) this.o.onChange();
          lane.blocked = refusal;
          return this.recordPaid(lane);
        }
        lane.blocked = undefined;
        this.reserve(lane, pending);
        lane.phase = 'send';
      }
      if (lane.phase === 'new') {
        const paid = lane.unrecorded;
        lane.unrecorded = undefined;
        await this.append('intent', { payment: pending, deliveredWh: stream.state.deliveredWh, meter: this.allocator.position ?? { counterWh: 0, tsMs: nowMs }, paid: paid?.record } satisfies IntentRecord);
        if (paid) this.o.onReceipt(paid.receipt, paid.trade);
        lane.phase = 'send';
        this.o.hooks?.afterIntent?.(pending);
        continue;
      }
      const outcome = lane.phase === 'check' ? await this.check(lane, pending) : await this.send(lane, pending);
      if (this.closing) return;
      if (outcome) await this.resolve(lane, pending, outcome);
    }
  }

  /** Sends the pending payment once; undefined when its outcome is unknown (the lane then checks). */
  private async send(lane: Lane, payment: PlannedPayment): Promise<PaymentOutcome | undefined> {
    const maxFeeMsat = payment.maxFeeMsat ?? this.o.guard.feeLimitMsat(payment.amountMsat);
    let backend: PaymentBackend;
    try {
      backend = await this.o.backend();
    } catch (err) {
      // not connected: nothing was sent, so the lane sends again later
      this.noteFailure(lane, (err as Error).message);
      return undefined;
    }
    try {
      if (payment.request === undefined) {
        if (payment.preimage === undefined) throw new PaymentError('AMOUNT', `interval ${payment.interval} of trade ${payment.tradeId} has no preimage`);
        return await backend.payKeysend({
          destination: payment.destination,
          amountMsat: payment.amountMsat,
          preimage: payment.preimage,
          paymentHash: payment.paymentHash,
          records: encodeIntervalRecords({ ...payment, meterId: this.o.meterId, buyer: this.o.buyer }),
          maxFeeMsat,
          timeoutMs: this.o.paymentTimeoutMs,
        });
      }
      // A hold invoice stays in flight until the gate settles or cancels it: wait for that, and a little more.
      const holdMs = payment.mode === 'escrow' && payment.expiresAtMs !== undefined ? payment.expiresAtMs - this.o.clock.nowMs() : 0;
      return await backend.payRequest({ request: payment.request, amountMsat: payment.amountMsat, maxFeeMsat, timeoutMs: Math.max(0, holdMs) + this.o.paymentTimeoutMs });
    } catch (err) {
      return this.unknown(lane, err, 'send');
    }
  }

  private async check(lane: Lane, payment: PlannedPayment): Promise<PaymentOutcome | undefined> {
    try {
      const backend = await this.o.backend();
      const outcome = await backend.paymentStatus(payment.paymentHash, this.o.lookupTimeoutMs);
      if (outcome.status === 'not-found') {
        lane.phase = 'send';
        return undefined;
      }
      return outcome;
    } catch (err) {
      return this.unknown(lane, err, 'check');
    }
  }

  /** A call that threw: a payment that was certainly not sent fails; any other is checked after a back-off. */
  private unknown(lane: Lane, err: unknown, during: 'send' | 'check'): PaymentOutcome | undefined {
    const error = err instanceof Error ? err : new Error(String(err));
    if (error instanceof BackendError && error.code === 'UNAVAILABLE') this.o.onUnavailable?.(error);
    if (during === 'send' && error instanceof BackendError && !error.unknownOutcome) {
      // a macaroon short of offchain:write is refused on every retry: say so once, not only "retrying"
      if (error.code === 'PERMISSION' && lane.lastError !== error.message) this.o.onProblem(error);
      return { status: 'failed', reason: 'error', message: error.message };
    }
    if (during === 'send') lane.phase = 'check';
    this.noteFailure(lane, error.message);
    return undefined;
  }

  private async resolve(lane: Lane, payment: PlannedPayment, outcome: PaymentOutcome): Promise<void> {
    const nowMs = this.o.clock.nowMs();
    if (outcome.status === 'pending' || outcome.status === 'not-found') {
      if (outcome.status === 'pending') {
        lane.phase = 'check';
        this.noteFailure(lane, `interval ${payment.interval} of trade ${payment.tradeId} is in flight`);
      }
      return;
    }
    if (outcome.status === 'confirmed' && !provesPayment(outcome.preimage, payment.paymentHash)) {
      lane.phase = 'check';
      this.noteFailure(lane, `LND reported interval ${payment.interval} of trade ${payment.tradeId} paid without a valid preimage`);
      return;
    }
    this.o.hooks?.afterOutcome?.(payment, outcome);
    if (outcome.status === 'confirmed') {
      // The record goes out with the next intent, in the same write and sync, when the lane pays on at once;
      // otherwise on its own when the lane goes idle (recordPaid). Nothing is lost by a crash before it is
      // durable: the intent is, and a restart asks LND about it. The receipt goes out once the record is durable.
      const record: PaidRecord = { tradeId: payment.tradeId, interval: payment.interval, paymentHash: payment.paymentHash, preimage: outcome.preimage, feeMsat: outcome.feeMsat, atMs: nowMs };
      if (lane.reservation) this.o.guard.settle(lane.reservation, outcome.feeMsat);
      lane.reservation = undefined;
      lane.phase = undefined;
      lane.backoff.reset();
      lane.lastError = undefined;
      lane.stream.confirmed(payment.interval, outcome.feeMsat, nowMs);
      addSpend(this.spends, payment.plannedAtMs, payment.amountMsat + outcome.feeMsat);
      lane.unrecorded = { record, receipt: paymentReceipt(lane.stream.state, payment, outcome.preimage, outcome.feeMsat, nowMs), trade: lane.stream.state.trade };
      this.o.onChange();
      return;
    }
    const expired = payment.expiresAtMs !== undefined && nowMs >= payment.expiresAtMs;
    const invoiceGone = payment.request !== undefined && (expired || outcome.reason === 'rejected' || outcome.reason === 'canceled');
    await this.append('failed', {
      tradeId: payment.tradeId,
      interval: payment.interval,
      paymentHash: payment.paymentHash,
      reason: outcome.reason,
      message: outcome.message,
      atMs: nowMs,
      dropped: invoiceGone,
    } satisfies FailedRecord);
    if (lane.reservation) this.o.guard.release(lane.reservation);
    lane.reservation = undefined;
    if (invoiceGone) {
      lane.stream.dropPending(payment.interval);
      lane.phase = undefined;
      this.o.onChange();
      return;
    }
    if (nowMs >= lane.stream.giveUpAtMs()) {
      await this.closeLane(lane, `given up: interval ${payment.interval} kept failing (${outcome.message})`);
      return;
    }
    // The same interval, same hash, again after a back-off (LND allows a FAILED hash to be retried).
    lane.phase = 'retry';
    this.noteFailure(lane, outcome.message);
  }

  /** Writes a confirmed payment's record that found no next intent to travel with, then sends its receipt. */
  private async recordPaid(lane: Lane): Promise<void> {
    const paid = lane.unrecorded;
    if (!paid) return;
    lane.unrecorded = undefined;
    await this.append('paid', paid.record);
    this.o.onReceipt(paid.receipt, paid.trade);
  }

  private noteFailure(lane: Lane, message: string): void {
    const delayMs = lane.backoff.next();
    lane.retryAtMs = this.o.clock.nowMs() + delayMs;
    lane.retryTimer?.cancel();
    lane.retryTimer = this.timers.setTimeout(() => this.pump(lane), delayMs);
    if (lane.lastError !== message) {
      lane.lastError = message;
      this.o.onChange();
    }
  }

  private async closeLane(lane: Lane, reason: string): Promise<void> {
    await this.recordPaid(lane);
    const nowMs = this.o.clock.nowMs();
    lane.stream.close(nowMs, reason);
    const receipt = closingReceipt(lane.stream.state, nowMs);
    await this.append('closed', { tradeId: lane.stream.tradeId, atMs: nowMs, reason, receipt });
    this.lanes.delete(lane.stream.tradeId);
    this.closedTrades.set(lane.stream.tradeId, Date.parse(lane.stream.state.trade.deliveryEnd));
    this.closedPaidMsat += lane.stream.state.paidMsat;
    this.allocator.removeTrade(lane.stream.tradeId);
    lane.retryTimer?.cancel();
    this.o.onReceipt(receipt, lane.stream.state.trade);
    this.o.onChange();
  }

  private capError(lane: Lane, owed: number, nowMs: number): PaymentError {
    const tradeId = lane.stream.tradeId;
    const amount = Math.max(1, Math.min(owed, this.o.guard.caps.perPaymentMsat));
    return this.o.guard.refusal(tradeId, amount, nowMs) ?? new PaymentError('CAP_PER_PAYMENT', `${owed} msat owed for trade ${tradeId}, but the caps allow no payment now`);
  }

  private async append(kind: string, data: StreamRecord): Promise<void> {
    await this.journal.append(kind, data);
    if (++this.sinceSnapshot >= (this.o.snapshotEvery ?? 2000)) {
      this.sinceSnapshot = 0;
      pruneSpends(this.spends, this.o.clock.nowMs());
      await this.journal.snapshot(this.snapshotState());
    }
  }

  private snapshotState(): StreamSnapshot {
    return {
      secretHex: this.secretHex,
      buyer: this.o.buyer,
      meter: this.allocator.position,
      streams: [...this.lanes.values()].map((lane) => ({ ...lane.stream.state, deliveredWh: this.allocator.deliveredWh(lane.stream.tradeId) })),
      closed: [...this.closedTrades].map(([tradeId, endMs]) => ({ tradeId, endMs })),
      spends: [...this.spends],
    };
  }
}
