// The payer's state machine for one trade (flaregrid-pay-stream), with no I/O: it says what to pay next, and
// learns what happened. The driver (stream-driver.ts) journals each planned payment before it sends it.
//
// Positions are the trade's energy in Wh: deliveredWh (by the buyer's meter, delivery.ts) and paidWh (covered by
// confirmed payments). Each payment pays the interval [paidWh, toWh] for owed(toWh) − owed(paidWh) msat, so the
// remainder below 1 msat is carried; the trade's payments sum to owed(paidWh) exactly. At most one payment of a
// trade is pending at a time, and a pending payment is retried with the same hash and amount until it is
// confirmed, or (an invoice) the payee refuses it.
//
// When it pays, by mode:
//   keysend  delivered − paid ≥ stepWh, or anything unpaid stepMs after the last payment, or at the close;
//   prepay   whenever less than one step is paid ahead of delivery: the next step, [paid, paid + stepWh];
//   invoice  an invoice of the gate for [paid, to] with to at most delivered + toleranceWh;
//   escrow   a hold invoice of the gate for [paid, to] with to at most delivered + stepWh + toleranceWh.
// Every interval ends at or below the trade's quantity, and no payment is planned after the close.

import type { Invoice, PaymentMode } from '../schemas/payments';
import type { Trade } from '../schemas/market';
import { PaymentError } from './errors';
import { derivePreimage, paymentHashOf } from './identity';
import { coveredWh, intervalMsat, owedMsat, tradePriceMsatPerKwh } from './money';

export interface StreamSettings {
  mode: PaymentMode;
  /** pay once this much energy is unpaid (keysend), or this far ahead (prepay) */
  stepWh: number;
  /** keysend: pay whatever is unpaid this long after the last payment */
  stepMs: number;
  /** how far an invoice may run ahead of this side's meter, for meters that disagree by a little */
  toleranceWh: number;
  /** the smallest payment sent before the close, msat; LND channels forward nothing below 1,000 msat by default */
  minPaymentMsat: number;
  /** the stream closes this long after the trade's window ends: late readings and the last payment */
  closeAfterMs: number;
  /** after the close, a payment still failing is given up this much later */
  giveUpAfterMs: number;
}

/** A payment decided on: journaled before it is sent, and sent again unchanged until it resolves. */
export interface PlannedPayment {
  tradeId: string;
  interval: number;
  mode: PaymentMode;
  fromWh: number;
  toWh: number;
  amountMsat: number;
  priceMsatPerKwh: number;
  paymentHash: string;
  /** keysend and prepay: ours, derived from the stream secret */
  preimage?: string;
  /** invoice and escrow: the gate's payment request */
  request?: string;
  /** invoice and escrow: refused after this */
  expiresAtMs?: number;
  destination: string;
  /** the fee limit it is sent with, fixed when the caps reserve it */
  maxFeeMsat?: number;
  counterStartWh: number;
  counterEndWh: number;
  plannedAtMs: number;
}

export interface TradeStreamState {
  trade: Trade;
  buyer: string;
  meterId: string;
  mode: PaymentMode;
  priceMsatPerKwh: number;
  deliveredWh: number;
  paidWh: number;
  paidMsat: number;
  feeMsat: number;
  /** the next interval number */
  nextInterval: number;
  payments: number;
  startedAtMs: number;
  lastPaidAtMs: number;
  /** the meter's counter at the last reading */
  counterWh: number;
  /** the meter's counter when the last confirmed payment was planned (at the start: when the stream began) */
  counterPaidWh: number;
  lastPaymentHash?: string;
  pending?: PlannedPayment;
  closed?: { atMs: number; reason: string };
}

export type PlanResult =
  | { kind: 'pay'; payment: PlannedPayment }
  | { kind: 'wait' }
  /** there is something to pay but the caps allow nothing now */
  | { kind: 'capped'; owedMsat: number }
  | { kind: 'close'; reason: string };

export function validateStreamSettings(settings: StreamSettings): StreamSettings {
  const positive = (value: number, name: string) => {
    if (!Number.isSafeInteger(value) || value <= 0) throw new PaymentError('SETTINGS', `${name} must be a whole number above 0, got ${String(value)}`);
  };
  const whole = (value: number, name: string) => {
    if (!Number.isSafeInteger(value) || value < 0) throw new PaymentError('SETTINGS', `${name} must be a whole number of 0 or more, got ${String(value)}`);
  };
  positive(settings.stepWh, 'stepWh');
  positive(settings.stepMs, 'stepMs');
  whole(settings.toleranceWh, 'toleranceWh');
  whole(settings.minPaymentMsat, 'minPaymentMsat');
  whole(settings.closeAfterMs, 'closeAfterMs');
  whole(settings.giveUpAfterMs, 'giveUpAfterMs');
  return Object.freeze({ ...settings });
}

export class TradeStream {
  private constructor(
    private readonly s: TradeStreamState,
    readonly settings: StreamSettings,
    private readonly endMs: number,
  ) {}

  /** A stream for a new trade. @throws PaymentError NOT_OUR_TRADE, TRADE_OVER */
  static start(trade: Trade, buyer: string, meterId: string, settings: StreamSettings, nowMs: number, counterWh: number): TradeStream {
    if (trade.buyer !== buyer) throw new PaymentError('NOT_OUR_TRADE', `trade ${trade.id} is bought by '${trade.buyer}', not by this stream's buyer '${buyer}'`);
    const endMs = Date.parse(trade.deliveryEnd);
    if (!(Date.parse(trade.deliveryStart) < endMs)) throw new PaymentError('SETTINGS', `trade ${trade.id} ends (${trade.deliveryEnd}) before it starts (${trade.deliveryStart})`);
    if (nowMs >= endMs + settings.closeAfterMs) throw new PaymentError('TRADE_OVER', `trade ${trade.id} ended at ${trade.deliveryEnd}: it is over`);
    return TradeStream.replay(trade, buyer, meterId, settings, nowMs, counterWh);
  }

  /** The stream of a journaled trade record, before its payments are replayed onto it. */
  static replay(trade: Trade, buyer: string, meterId: string, settings: StreamSettings, startedAtMs: number, counterWh: number): TradeStream {
    return new TradeStream(
      {
        trade,
        buyer,
        meterId,
        mode: settings.mode,
        priceMsatPerKwh: tradePriceMsatPerKwh(trade),
        deliveredWh: 0,
        paidWh: 0,
        paidMsat: 0,
        feeMsat: 0,
        nextInterval: 0,
        payments: 0,
        startedAtMs,
        lastPaidAtMs: startedAtMs,
        counterWh,
        counterPaidWh: counterWh,
      },
      settings,
      Date.parse(trade.deliveryEnd),
    );
  }

  /** Replay: a journaled payment, not yet resolved, is pending again. */
  resume(payment: PlannedPayment, deliveredWh: number): void {
    this.s.pending = payment;
    this.s.nextInterval = Math.max(this.s.nextInterval, payment.interval + 1);
    this.s.deliveredWh = Math.max(this.s.deliveredWh, deliveredWh);
    this.s.counterWh = Math.max(this.s.counterWh, payment.counterEndWh);
  }

  /** A stream rebuilt from its journaled state. */
  static restore(state: TradeStreamState, settings: StreamSettings): TradeStream {
    return new TradeStream(structuredClone(state), { ...settings, mode: state.mode }, Date.parse(state.trade.deliveryEnd));
  }

  get state(): Readonly<TradeStreamState> {
    return this.s;
  }

  get tradeId(): string {
    return this.s.trade.id;
  }

  get closed(): boolean {
    return this.s.closed !== undefined;
  }

  /** owed for the delivered energy, less what is paid (0 when paid ahead) */
  get owedMsat(): number {
    return Math.max(0, owedMsat(this.s.deliveredWh, this.s.priceMsatPerKwh) - this.s.paidMsat);
  }

  /** The window has ended and its late readings have had their time. */
  isClosing(nowMs: number): boolean {
    return nowMs >= this.endMs + this.settings.closeAfterMs || (this.s.deliveredWh >= this.s.trade.quantityWh && this.s.paidWh >= this.s.trade.quantityWh);
  }

  setDelivered(deliveredWh: number, counterWh: number): void {
    if (this.closed) return;
    this.observeCounter(counterWh);
    this.s.deliveredWh = Math.max(this.s.deliveredWh, Math.min(deliveredWh, this.s.trade.quantityWh));
  }

  /** The meter's counter now; before any delivery it is also where the first interval's counter starts. */
  observeCounter(counterWh: number): void {
    this.s.counterWh = Math.max(this.s.counterWh, counterWh);
    if (this.s.deliveredWh === 0 && this.s.payments === 0) this.s.counterPaidWh = this.s.counterWh;
  }

  /**
   * keysend and prepay: what to pay now, within maxAmountMsat (what the caps allow one payment of this trade).
   * Invoice modes only ever close here: their payments come from acceptInvoice.
   */
  plan(nowMs: number, secretHex: string, maxAmountMsat: number): PlanResult {
    if (this.closed || this.s.pending) return { kind: 'wait' };
    const closing = this.isClosing(nowMs);
    const target = this.targetWh(nowMs, closing);
    if (target <= this.s.paidWh || this.s.mode === 'invoice' || this.s.mode === 'escrow') {
      return closing && this.settledEnough(nowMs) ? { kind: 'close', reason: this.closeReason(nowMs) } : { kind: 'wait' };
    }
    const paidOwed = owedMsat(this.s.paidWh, this.s.priceMsatPerKwh);
    const budget = Math.min(maxAmountMsat, owedMsat(target, this.s.priceMsatPerKwh) - paidOwed);
    const toWh = Math.min(target, coveredWh(paidOwed + budget, this.s.priceMsatPerKwh, this.s.trade.quantityWh));
    const amountMsat = intervalMsat(this.s.paidWh, toWh, this.s.priceMsatPerKwh);
    const owed = intervalMsat(this.s.paidWh, target, this.s.priceMsatPerKwh);
    // A free stretch (price 0, or less than 1 msat so far) needs no payment: it is carried.
    if (owed === 0) return closing ? { kind: 'close', reason: this.closeReason(nowMs) } : { kind: 'wait' };
    // Below the smallest payment a channel forwards (LND's htlc minimum), a payment would only fail: the owed
    // amount is carried until it is worth a payment; at the close the remainder is tried whatever its size.
    const floor = closing ? 1 : this.settings.minPaymentMsat;
    if (toWh <= this.s.paidWh || amountMsat < floor) return owed >= floor && amountMsat < owed ? { kind: 'capped', owedMsat: owed } : { kind: 'wait' };
    const interval = this.s.nextInterval;
    const preimage = derivePreimage(secretHex, this.tradeId, interval);
    return { kind: 'pay', payment: this.pending({ interval, toWh, amountMsat, paymentHash: paymentHashOf(preimage), preimage }, nowMs) };
  }

  /**
   * invoice and escrow: checks an invoice of the gate against this side's accounting and makes it the pending
   * payment. @throws PaymentError BAD_INVOICE (and the invoice is not paid), TRADE_OVER
   */
  acceptInvoice(invoice: Invoice, nowMs: number): PlannedPayment {
    const refuse = (why: string) => new PaymentError('BAD_INVOICE', `invoice ${invoice.interval} of trade ${this.tradeId} refused: ${why}`);
    if (this.closed) throw new PaymentError('TRADE_OVER', `trade ${this.tradeId} is over: its stream is closed`);
    if (this.s.mode !== 'invoice' && this.s.mode !== 'escrow') throw refuse(`this stream pays by ${this.s.mode}, not invoices`);
    if (this.s.pending) throw refuse(`interval ${this.s.pending.interval} is still being paid`);
    if (invoice.hold !== (this.s.mode === 'escrow')) throw refuse(invoice.hold ? 'a hold invoice, but this stream pays ordinary invoices' : 'not a hold invoice, but this stream pays by escrow');
    if (invoice.payee !== this.s.trade.payTo) throw refuse(`issued by ${invoice.payee}, not by the trade's payTo ${this.s.trade.payTo}`);
    if (invoice.buyer !== this.s.buyer) throw refuse(`addressed to '${invoice.buyer}'`);
    if (invoice.interval < this.s.nextInterval) throw refuse(`interval ${invoice.interval} is before the next one, ${this.s.nextInterval}`);
    if (invoice.priceMsatPerKwh !== this.s.priceMsatPerKwh) throw refuse(`price ${invoice.priceMsatPerKwh} msat/kWh, the trade's is ${this.s.priceMsatPerKwh}`);
    if (invoice.fromWh !== this.s.paidWh) throw refuse(`it starts at ${invoice.fromWh} Wh, but ${this.s.paidWh} Wh are paid`);
    if (invoice.toWh > this.s.trade.quantityWh) throw refuse(`it runs to ${invoice.toWh} Wh, past the trade's ${this.s.trade.quantityWh} Wh`);
    const ahead = this.s.mode === 'escrow' ? this.settings.stepWh + this.settings.toleranceWh : this.settings.toleranceWh;
    if (invoice.toWh > this.s.deliveredWh + ahead) {
      throw refuse(`it runs to ${invoice.toWh} Wh, but this meter shows ${this.s.deliveredWh} Wh delivered (at most ${ahead} Wh ahead)`);
    }
    const amountMsat = intervalMsat(invoice.fromWh, invoice.toWh, this.s.priceMsatPerKwh);
    if (invoice.amountMsat !== amountMsat) throw refuse(`${invoice.amountMsat} msat, but [${invoice.fromWh}, ${invoice.toWh}] Wh cost ${amountMsat} msat`);
    const expiresAtMs = Date.parse(invoice.expiresAt);
    if (!(expiresAtMs > nowMs)) throw refuse(`it expired at ${invoice.expiresAt}`);
    this.s.nextInterval = invoice.interval;
    return this.pending({ interval: invoice.interval, toWh: invoice.toWh, amountMsat, paymentHash: invoice.paymentHash, request: invoice.request, expiresAtMs }, nowMs);
  }

  /** The pending payment is confirmed. */
  confirmed(interval: number, feeMsat: number, atMs: number): PlannedPayment {
    const pending = this.requirePending(interval);
    this.s.paidWh = pending.toWh;
    this.s.paidMsat += pending.amountMsat;
    this.s.feeMsat += feeMsat;
    this.s.payments++;
    this.s.lastPaidAtMs = atMs;
    this.s.lastPaymentHash = pending.paymentHash;
    this.s.counterPaidWh = pending.counterEndWh;
    this.s.pending = undefined;
    return pending;
  }

  /**
   * The pending payment will not happen: an invoice the payee refused or cancelled, or that expired. Its
   * interval is dropped and the gate's next invoice starts from the same paidWh. Keysend intervals are never
   * dropped: they are retried until confirmed or the stream gives up.
   */
  dropPending(interval: number): PlannedPayment {
    const pending = this.requirePending(interval);
    this.s.pending = undefined;
    this.s.nextInterval = Math.max(this.s.nextInterval, interval + 1);
    return pending;
  }

  /** Past this time a failing payment is given up and the stream closes with what is unpaid. */
  giveUpAtMs(): number {
    return this.endMs + this.settings.closeAfterMs + this.settings.giveUpAfterMs;
  }

  /** Ends the stream; a pending payment is dropped, so close only when it certainly did not happen. */
  close(atMs: number, reason: string): void {
    if (this.s.closed) return;
    this.s.closed = { atMs, reason };
    this.s.pending = undefined;
  }

  /** The energy the stream should have paid for by now. */
  private targetWh(nowMs: number, closing: boolean): number {
    const { deliveredWh, paidWh, trade } = this.s;
    const { stepWh, stepMs } = this.settings;
    if (this.s.mode === 'prepay') {
      if (closing) return paidWh;
      return paidWh - deliveredWh < stepWh ? Math.min(trade.quantityWh, paidWh + stepWh) : paidWh;
    }
    if (deliveredWh - paidWh >= stepWh || closing) return deliveredWh;
    return deliveredWh > paidWh && nowMs - this.s.lastPaidAtMs >= stepMs ? deliveredWh : paidWh;
  }

  /** Closing, invoice modes: wait for the gate's last invoice until nothing is owed, or until giving up. */
  private settledEnough(nowMs: number): boolean {
    if (this.s.mode !== 'invoice' && this.s.mode !== 'escrow') return true;
    return this.s.paidWh >= this.s.deliveredWh || nowMs >= this.giveUpAtMs();
  }

  private closeReason(nowMs: number): string {
    const { deliveredWh, paidWh, trade } = this.s;
    if (paidWh >= trade.quantityWh) return `the trade's ${trade.quantityWh} Wh are paid`;
    const unpaid = this.owedMsat;
    if (unpaid > 0) return `given up with ${unpaid} msat unpaid`;
    return nowMs >= this.endMs ? `the delivery window ended with ${deliveredWh} of ${trade.quantityWh} Wh delivered` : 'closed';
  }

  private pending(
    fields: Pick<PlannedPayment, 'interval' | 'toWh' | 'amountMsat' | 'paymentHash' | 'preimage' | 'request' | 'expiresAtMs'>,
    nowMs: number,
  ): PlannedPayment {
    const payment: PlannedPayment = {
      tradeId: this.tradeId,
      mode: this.s.mode,
      fromWh: this.s.paidWh,
      priceMsatPerKwh: this.s.priceMsatPerKwh,
      destination: this.s.trade.payTo,
      counterStartWh: this.s.counterPaidWh,
      counterEndWh: this.s.counterWh,
      plannedAtMs: nowMs,
      ...fields,
    };
    this.s.pending = payment;
    this.s.nextInterval = fields.interval + 1;
    return payment;
  }

  private requirePending(interval: number): PlannedPayment {
    const pending = this.s.pending;
    if (!pending || pending.interval !== interval) throw new PaymentError('UNKNOWN_TRADE', `trade ${this.tradeId} has no pending interval ${interval}`);
    return pending;
  }
}
