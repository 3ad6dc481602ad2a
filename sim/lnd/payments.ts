// Each node's outgoing payments, after lnd's control tower and payment lifecycle: one payment per hash (a second
// send is refused unless the first FAILED), attempts (HTLCs) along found routes, a failed hop excluded and the
// route searched again, and a terminal SUCCEEDED or FAILED that every stream ends with.
import type { Clock } from '../../lib/clock';
import type { ChannelLedger, Side } from './channels';
import type { Chain } from './chain';
import type { Deadlines } from './deadlines';
import { alreadyExists } from './errors';
import type { InvoiceRegistry } from './invoices';
import { findRoute, type RouteQuery, type RouteResult } from './routing';
import { recordKey, type AttemptRecord, type ChannelRecord, type FailureReason, type InvoiceHtlcRecord, type InvoiceRecord, type NodeRecord, type PaymentRecord, type RouteRecord } from './state';
import type { StateStore } from './store';

export interface PayerFaults {
  noRoute: boolean;
  insufficientBalance: boolean;
  /** lnd gave up looking for a route within timeout_seconds */
  pathfindingTimeout: boolean;
  paymentDelayMs: number;
  holdHtlcs: boolean;
}

export type SendIntent = PaymentRecord['intent'] & {
  destination: string;
  paymentHash: string;
  amountMsat: bigint;
  paymentRequest: string;
};

export interface PaymentEngineContext {
  store: StateStore;
  ledger: ChannelLedger;
  registry: InvoiceRegistry;
  chain: Chain;
  clock: Clock;
  deadlines: Deadlines;
  faults(pubkey: string): PayerFaults;
  /** both ends of the channel are running and unlocked */
  isActive(channel: ChannelRecord): boolean;
  notify(payment: PaymentRecord): void;
}

const nanos = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

/** lnd routing.BlockPadding: blocks added to the final CLTV so an HTLC survives blocks mined while in flight. */
export const BLOCK_PADDING = 3;

export class PaymentEngine {
  /** per payment: channel directions that failed it, kept out of its next route searches */
  private readonly excluded = new Map<string, Set<string>>();
  /** HTLCs whose last link was down when they reached it: `${payment key}\0${attemptId}` */
  private readonly awaitingLink = new Set<string>();

  constructor(private readonly ctx: PaymentEngineContext) {}

  private get state() {
    return this.ctx.store.state;
  }

  get(node: string, paymentHash: string): PaymentRecord | undefined {
    return this.state.payments[recordKey(node, paymentHash)];
  }

  list(node: string): PaymentRecord[] {
    return Object.values(this.state.payments)
      .filter((p) => p.node === node)
      .sort((a, b) => a.paymentIndex - b.paymentIndex);
  }

  /** Starts a payment (lnd payments/db InitPayment: ErrPaymentExists, ErrPaymentInFlight, ErrAlreadyPaid). */
  send(payer: NodeRecord, intent: SendIntent): PaymentRecord {
    const key = recordKey(payer.pubkey, intent.paymentHash);
    const existing = this.state.payments[key];
    if (existing?.status === 'INITIATED') throw alreadyExists('payment already exists');
    if (existing?.status === 'IN_FLIGHT') throw alreadyExists('payment is in transition');
    if (existing?.status === 'SUCCEEDED') throw alreadyExists('invoice is already paid');
    const { destination, paymentHash, amountMsat, paymentRequest, ...rest } = intent;
    const payment: PaymentRecord = {
      node: payer.pubkey,
      paymentHash,
      destination,
      valueMsat: amountMsat.toString(),
      creationTimeNs: nanos(this.ctx.clock.nowMs()),
      paymentRequest,
      status: 'INITIATED',
      failureReason: 'FAILURE_REASON_NONE',
      paymentIndex: ++payer.paymentIndex,
      htlcs: [],
      intent: rest,
    };
    this.state.payments[key] = payment;
    this.excluded.delete(key);
    this.ctx.store.touch('payments', key);
    this.ctx.store.touch('nodes', payer.pubkey);
    this.ctx.notify(payment);
    // The caller subscribes to this payment first, so that its stream opens with the INITIATED state.
    setImmediate(() => this.launch(key));
    return payment;
  }

  /** A hold invoice's HTLC came back from the payee: settled with the preimage, or canceled. */
  resolveHeld(htlc: InvoiceHtlcRecord, invoice: InvoiceRecord, preimage: string | undefined): void {
    const payment = this.get(htlc.payer, invoice.paymentHash);
    const attempt = payment?.htlcs.find((a) => a.attemptId === htlc.attemptId);
    if (!payment || !attempt || attempt.status !== 'IN_FLIGHT') return;
    attempt.heldByPayee = false;
    if (preimage) this.settleAttempt(payment, attempt, preimage);
    else this.payeeRefused(payment, attempt);
  }

  /** The payer's hold fault was cleared: its parked HTLCs go on to their payees. */
  releaseParked(payer: string): void {
    for (const payment of this.list(payer)) {
      for (const attempt of payment.htlcs) {
        if (attempt.status === 'IN_FLIGHT' && attempt.parked) this.deliver(recordKey(payment.node, payment.paymentHash), attempt.attemptId);
      }
    }
  }

  /** A node came back: the HTLCs waiting on one of its links go on to their payees. */
  linksUp(): void {
    const waiting = [...this.awaitingLink];
    this.awaitingLink.clear();
    for (const entry of waiting) {
      const [key, attemptId] = entry.split('\u0000');
      this.deliver(key, Number(attemptId));
    }
  }

  /** After a restart: HTLCs already out go on (as lnd resumePayments); a payment with none is routed again. */
  restore(): void {
    for (const [key, payment] of Object.entries(this.state.payments)) {
      if (payment.status === 'SUCCEEDED' || payment.status === 'FAILED') continue;
      const inFlight = payment.htlcs.filter((a) => a.status === 'IN_FLIGHT');
      if (inFlight.length === 0) setImmediate(() => this.launch(key));
      for (const attempt of inFlight) {
        if (attempt.heldByPayee) continue;
        if (attempt.deliverAtMs !== undefined) this.deliverAt(key, attempt, attempt.deliverAtMs);
        else setImmediate(() => this.deliver(key, attempt.attemptId));
      }
    }
  }

  private launch(key: string): void {
    const payment = this.state.payments[key];
    if (!payment || payment.status === 'SUCCEEDED' || payment.status === 'FAILED') return;
    const faults = this.ctx.faults(payment.node);
    if (faults.insufficientBalance) return this.finish(payment, 'FAILURE_REASON_INSUFFICIENT_BALANCE');
    if (faults.noRoute) return this.finish(payment, 'FAILURE_REASON_NO_ROUTE');
    if (faults.pathfindingTimeout) return this.finish(payment, 'FAILURE_REASON_TIMEOUT');
    const excluded = this.excluded.get(key) ?? new Set<string>();
    this.excluded.set(key, excluded);
    for (;;) {
      const result = this.route({
        source: payment.node,
        target: payment.destination,
        amountMsat: BigInt(payment.valueMsat),
        feeLimitMsat: BigInt(payment.intent.feeLimitMsat),
        finalCltvDelta: payment.intent.finalCltvDelta + BLOCK_PADDING,
        cltvLimit: payment.intent.cltvLimit,
        outgoingChanIds: payment.intent.outgoingChanIds,
        lastHop: payment.intent.lastHop,
        excluded,
      });
      if ('failure' in result) return this.finish(payment, result.failure);
      const attempt = this.newAttempt(payment, result.route);
      const failedAt = this.lockRoute(payment, attempt);
      this.changed(payment);
      if (failedAt === undefined) return this.dispatch(key, attempt);
      excluded.add(`${failedAt.chanId}:${failedAt.side}`);
      this.failAttempt(attempt, 'TEMPORARY_CHANNEL_FAILURE', failedAt.position);
      this.changed(payment);
    }
  }

  /** The route search at the current height over the channels that are active now. */
  route(query: Omit<RouteQuery, 'height' | 'isActive'>): RouteResult {
    return findRoute(this.ctx.ledger, { ...query, height: this.height(), isActive: (c) => this.ctx.isActive(c) });
  }

  private newAttempt(payment: PaymentRecord, route: RouteRecord): AttemptRecord {
    const payer = this.state.nodes[payment.node];
    const finalHop = route.hops[route.hops.length - 1];
    if (Object.keys(payment.intent.customRecords).length) finalHop.customRecords = payment.intent.customRecords;
    if (payment.intent.paymentAddr) finalHop.mpp = { paymentAddr: payment.intent.paymentAddr, totalAmtMsat: payment.valueMsat };
    const attempt: AttemptRecord = {
      attemptId: ++payer.attemptIndex,
      status: 'IN_FLIGHT',
      route,
      attemptTimeNs: nanos(this.ctx.clock.nowMs()),
      resolveTimeNs: '0',
      locks: [],
    };
    payment.htlcs.push(attempt);
    payment.status = 'IN_FLIGHT';
    this.ctx.store.touch('nodes', payer.pubkey);
    return attempt;
  }

  /** Offers the HTLC hop by hop; the first hop short of liquidity (or gone) stops it and is returned. */
  private lockRoute(payment: PaymentRecord, attempt: AttemptRecord): { chanId: string; side: Side; position: number } | undefined {
    const { hops } = attempt.route;
    let from = payment.node;
    for (let i = 0; i < hops.length; i++) {
      const channel = this.ctx.ledger.get(hops[i].chanId) as ChannelRecord;
      const side: Side = channel.nodes[0] === from ? 0 : 1;
      const amount = BigInt(i === 0 ? attempt.route.totalAmtMsat : hops[i - 1].amtToForwardMsat);
      const expiry = i === 0 ? attempt.route.totalTimeLock : hops[i - 1].expiry;
      if (!this.ctx.isActive(channel) || this.ctx.ledger.spendable(channel, side) < amount) return { chanId: channel.chanId, side, position: i };
      const lock = this.ctx.ledger.lock(channel, side, amount, payment.paymentHash, expiry);
      attempt.locks.push({ chanId: channel.chanId, htlcIndex: lock.htlcIndex });
      from = hops[i].pubKey;
    }
    return undefined;
  }

  private dispatch(key: string, attempt: AttemptRecord): void {
    const payment = this.state.payments[key];
    const faults = this.ctx.faults(payment.node);
    if (faults.holdHtlcs) {
      attempt.parked = true;
      this.ctx.store.touch('payments', key);
    } else if (faults.paymentDelayMs > 0) {
      this.deliverAt(key, attempt, this.ctx.clock.nowMs() + faults.paymentDelayMs);
    } else {
      setImmediate(() => this.deliver(key, attempt.attemptId));
    }
  }

  private deliverAt(key: string, attempt: AttemptRecord, atMs: number): void {
    attempt.deliverAtMs = atMs;
    this.ctx.store.touch('payments', key);
    this.ctx.deadlines.at(`deliver:${key}:${attempt.attemptId}`, atMs, () => this.deliver(key, attempt.attemptId));
  }

  /** The HTLC reaches the payee, which settles, holds or refuses it. */
  private deliver(key: string, attemptId: number): void {
    const payment = this.state.payments[key];
    const attempt = payment?.htlcs.find((a) => a.attemptId === attemptId);
    if (!payment || !attempt || attempt.status !== 'IN_FLIGHT' || attempt.heldByPayee) return;
    attempt.parked = undefined;
    attempt.deliverAtMs = undefined;
    const hops = attempt.route.hops;
    const finalHop = hops[hops.length - 1];
    const lastLock = attempt.locks[attempt.locks.length - 1];
    const lastChannel = this.ctx.ledger.get(lastLock.chanId) as ChannelRecord;
    if (!this.ctx.isActive(lastChannel)) {
      // the payee went away while the HTLC travelled: committed to the channel, it waits there (IN_FLIGHT) until
      // the link is back, as an lnd link resends its pending HTLCs on reconnect
      this.awaitingLink.add(`${key}\u0000${attemptId}`);
      return;
    }
    const resolution = this.ctx.registry.acceptHtlc(this.state.nodes[payment.destination], {
      payee: payment.destination,
      payer: payment.node,
      attemptId,
      paymentHash: payment.paymentHash,
      amountMsat: BigInt(finalHop.amtToForwardMsat),
      expiryHeight: finalHop.expiry,
      chanId: lastLock.chanId,
      htlcIndex: lastLock.htlcIndex,
      customRecords: finalHop.customRecords ?? {},
      mpp: finalHop.mpp,
    });
    if ('settle' in resolution) return this.settleAttempt(payment, attempt, resolution.settle);
    if ('hold' in resolution) {
      attempt.heldByPayee = true;
      this.ctx.store.touch('payments', key);
      return;
    }
    this.payeeRefused(payment, attempt);
  }

  private settleAttempt(payment: PaymentRecord, attempt: AttemptRecord, preimage: string): void {
    for (const lock of [...attempt.locks].reverse()) this.ctx.ledger.settle(this.ctx.ledger.get(lock.chanId) as ChannelRecord, lock.htlcIndex);
    attempt.status = 'SUCCEEDED';
    attempt.preimage = preimage;
    attempt.resolveTimeNs = nanos(this.ctx.clock.nowMs());
    payment.status = 'SUCCEEDED';
    this.changed(payment);
  }

  private payeeRefused(payment: PaymentRecord, attempt: AttemptRecord): void {
    this.failAttempt(attempt, 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', attempt.route.hops.length);
    this.finish(payment, 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS');
  }

  private failAttempt(attempt: AttemptRecord, code: string, sourceIndex: number): void {
    for (const lock of [...attempt.locks].reverse()) this.ctx.ledger.fail(this.ctx.ledger.get(lock.chanId) as ChannelRecord, lock.htlcIndex);
    const hops = attempt.route.hops;
    attempt.status = 'FAILED';
    attempt.resolveTimeNs = nanos(this.ctx.clock.nowMs());
    attempt.failure = {
      code,
      sourceIndex,
      htlcMsat: sourceIndex === 0 ? attempt.route.totalAmtMsat : hops[sourceIndex - 1].amtToForwardMsat,
      height: this.height(),
    };
  }

  private finish(payment: PaymentRecord, reason: FailureReason): void {
    payment.status = 'FAILED';
    payment.failureReason = reason;
    this.excluded.delete(recordKey(payment.node, payment.paymentHash));
    this.changed(payment);
  }

  private changed(payment: PaymentRecord): void {
    this.ctx.store.touch('payments', recordKey(payment.node, payment.paymentHash));
    this.ctx.notify(payment);
  }

  private height(): number {
    return this.ctx.chain.heightAt(this.ctx.clock.nowMs());
  }
}
