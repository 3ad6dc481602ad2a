// The payee's account of one trade (flaregrid-pay-gate), with no I/O: money received against energy delivered
// to the buyer, the credit window (credit.ts), and, in the invoice modes, which invoice to issue, settle or
// cancel next. The driver (gate-driver.ts) does the Lightning calls and writes the ledger.
//
// paidToWh is the trade's energy paid for: the end of the last interval paid (a keysend payment's toWh record,
// never beyond what its money covers; an invoice's toWh). Exposure is measured in money: unpaidMsat =
// owed(delivered) − received (escrow: received plus held), unpaidWh = delivered − the energy that money covers.
//
// Invoices, one open at a time:
//   invoice  for [paidTo, delivered] once delivered − paidTo ≥ stepWh, or stepMs after the last one, or at the
//            close; an unpaid one is cancelled at its expiry and the next one covers the same start;
//   escrow   a hold invoice for [paidTo, min(quantity, max(delivered, paidTo) + stepWh)]: once the buyer's HTLC
//            is held and the meter shows toWh delivered, the gate settles; when it is not delivered by its
//            deadline the gate cancels and the buyer's money goes back. At the close, an undelivered interval
//            is cancelled and the last one covers only what was delivered.

import type { Trade } from '../schemas/market';
import { GATE_MODES } from '../schemas/payments';
import { assessCredit, INITIAL_CREDIT, type CreditAssessment, type CreditState, type CreditWindow, type Exposure } from './credit';
import { PaymentError } from './errors';
import { coveredWh, intervalMsat, owedMsat, tradePriceMsatPerKwh } from './money';

export { GATE_MODES };
export type GateMode = (typeof GATE_MODES)[number];

export interface GateSettings {
  /** keysend: the buyer pays spontaneously (keysend or prepay); invoice / escrow: the gate issues invoices */
  mode: GateMode;
  credit: CreditWindow;
  /** invoice modes: invoice once this much is unpaid (invoice), or lock this far ahead (escrow) */
  stepWh: number;
  /** invoice mode: invoice whatever is unpaid this long after the last invoice */
  stepMs: number;
  /** an unpaid invoice, or a held interval that is not delivered, is cancelled this long after it was issued */
  invoiceExpiryMs: number;
  /** the trade closes this long after its window ends */
  closeAfterMs: number;
  /** after the close, the last invoice is given up this much later */
  giveUpAfterMs: number;
}

export interface OpenInvoice {
  interval: number;
  fromWh: number;
  toWh: number;
  amountMsat: number;
  paymentHash: string;
  /** hold invoices: ours, derived from the gate secret; ordinary invoices: LND's, learnt on settlement */
  preimage?: string;
  request?: string;
  hold: boolean;
  issuedAtMs: number;
  expiresAtMs: number;
  /** escrow: the buyer's HTLC is held */
  heldAtMs?: number;
}

export interface GateTradeState {
  trade: Trade;
  mode: GateMode;
  priceMsatPerKwh: number;
  deliveredWh: number;
  receivedMsat: number;
  paidToWh: number;
  payments: number;
  nextInterval: number;
  lastInvoiceAtMs: number;
  open?: OpenInvoice;
  credit: CreditState;
  closed?: { atMs: number; reason: string };
}

/** What the gate makes of a payment it received. */
export interface Received {
  interval: number;
  amountMsat: number;
  totalMsat: number;
  fromWh: number;
  toWh: number;
  /** the payment is counted, but something is wrong with it: an overpayment, or a trade that was over */
  problem?: PaymentError;
}

export type InvoiceAction =
  | { kind: 'issue'; interval: number; fromWh: number; toWh: number; amountMsat: number; hold: boolean; expiresAtMs: number }
  | { kind: 'settle'; invoice: OpenInvoice }
  | { kind: 'cancel'; invoice: OpenInvoice; reason: string };

export class GateTrade {
  private constructor(
    private readonly s: GateTradeState,
    readonly settings: GateSettings,
    private readonly endMs: number,
  ) {}

  /** @throws PaymentError NOT_OUR_TRADE, TRADE_OVER */
  static start(trade: Trade, seller: string, settings: GateSettings, nowMs: number): GateTrade {
    if (trade.seller !== seller) throw new PaymentError('NOT_OUR_TRADE', `trade ${trade.id} is sold by '${trade.seller}', not by this gate's seller '${seller}'`);
    const endMs = Date.parse(trade.deliveryEnd);
    if (!(Date.parse(trade.deliveryStart) < endMs)) throw new PaymentError('SETTINGS', `trade ${trade.id} ends (${trade.deliveryEnd}) before it starts (${trade.deliveryStart})`);
    if (nowMs >= endMs + settings.closeAfterMs) throw new PaymentError('TRADE_OVER', `trade ${trade.id} ended at ${trade.deliveryEnd}: it is over`);
    return GateTrade.replay(trade, settings, nowMs);
  }

  /** The account of a journaled trade record, before its payments are replayed onto it. */
  static replay(trade: Trade, settings: GateSettings, atMs: number): GateTrade {
    const state: GateTradeState = {
      trade,
      mode: settings.mode,
      priceMsatPerKwh: tradePriceMsatPerKwh(trade),
      deliveredWh: 0,
      receivedMsat: 0,
      paidToWh: 0,
      payments: 0,
      nextInterval: 0,
      lastInvoiceAtMs: atMs,
      credit: INITIAL_CREDIT,
    };
    return new GateTrade(state, settings, Date.parse(trade.deliveryEnd));
  }

  static restore(state: GateTradeState, settings: GateSettings): GateTrade {
    return new GateTrade(structuredClone(state), { ...settings, mode: state.mode }, Date.parse(state.trade.deliveryEnd));
  }

  get state(): Readonly<GateTradeState> {
    return this.s;
  }

  get tradeId(): string {
    return this.s.trade.id;
  }

  get closed(): boolean {
    return this.s.closed !== undefined;
  }

  get totalMsat(): number {
    return owedMsat(this.s.trade.quantityWh, this.s.priceMsatPerKwh);
  }

  setDelivered(deliveredWh: number): void {
    if (!this.closed) this.s.deliveredWh = Math.max(this.s.deliveredWh, Math.min(deliveredWh, this.s.trade.quantityWh));
  }

  exposure(): Exposure {
    const secured = this.s.receivedMsat + (this.s.open?.heldAtMs !== undefined ? this.s.open.amountMsat : 0);
    const { deliveredWh, priceMsatPerKwh, trade } = this.s;
    return {
      unpaidMsat: Math.max(0, owedMsat(deliveredWh, priceMsatPerKwh) - secured),
      unpaidWh: Math.max(0, deliveredWh - coveredWh(secured, priceMsatPerKwh, trade.quantityWh)),
    };
  }

  /** The credit window's verdict now; the new state is kept. */
  assess(nowMs: number): CreditAssessment {
    const assessment = assessCredit(this.settings.credit, this.s.credit, this.exposure(), nowMs);
    this.s.credit = assessment.state;
    return assessment;
  }

  /** Replay: the credit level a journaled decision left. */
  restoreCredit(decision: 'cutoff' | 'restore' | 'warning'): void {
    this.s.credit = { level: decision === 'restore' ? 'ok' : decision };
  }

  /**
   * A payment for this trade: a keysend payment with its interval records, or the settlement of our invoice.
   * The money is counted whatever is wrong with it (it is in our node); `problem` says what is.
   */
  receive(payment: { amountMsat: number; invoice?: OpenInvoice; record?: { interval: number; fromWh: number; toWh: number } }): Received {
    const fromWh = this.s.paidToWh;
    this.s.receivedMsat += payment.amountMsat;
    this.s.payments++;
    const covered = coveredWh(this.s.receivedMsat, this.s.priceMsatPerKwh, this.s.trade.quantityWh);
    let interval: number;
    if (payment.invoice) {
      interval = payment.invoice.interval;
      this.s.paidToWh = Math.max(this.s.paidToWh, payment.invoice.toWh);
      if (this.s.open?.paymentHash === payment.invoice.paymentHash) this.s.open = undefined;
    } else {
      interval = payment.record?.interval ?? this.s.nextInterval;
      this.s.paidToWh = Math.max(this.s.paidToWh, Math.min(payment.record?.toWh ?? covered, covered));
    }
    this.s.nextInterval = Math.max(this.s.nextInterval, interval + 1);
    const result: Received = { interval, amountMsat: payment.amountMsat, totalMsat: this.s.receivedMsat, fromWh, toWh: this.s.paidToWh };
    if (this.s.receivedMsat > this.totalMsat) {
      result.problem = new PaymentError(
        'OVERPAYMENT',
        `trade ${this.tradeId} has received ${this.s.receivedMsat} msat, more than its ${this.s.trade.quantityWh} Wh can cost (${this.totalMsat} msat)`,
      );
    } else if (this.closed) {
      result.problem = new PaymentError('TRADE_OVER', `a payment of ${payment.amountMsat} msat arrived for trade ${this.tradeId}, which is over`);
    }
    return result;
  }

  isClosing(nowMs: number): boolean {
    return nowMs >= this.endMs + this.settings.closeAfterMs;
  }

  /** Nothing more to wait for: closing, and paid up (or given up on). */
  readyToClose(nowMs: number): boolean {
    if (this.closed || !this.isClosing(nowMs)) return false;
    if (this.s.open) return false;
    return this.s.paidToWh >= this.s.deliveredWh || this.s.receivedMsat >= owedMsat(this.s.deliveredWh, this.s.priceMsatPerKwh) || nowMs >= this.giveUpAtMs();
  }

  giveUpAtMs(): number {
    return this.endMs + this.settings.closeAfterMs + this.settings.giveUpAfterMs;
  }

  close(atMs: number, reason: string): void {
    if (!this.s.closed) this.s.closed = { atMs, reason };
  }

  /** invoice and escrow: what to do about invoices now. */
  invoiceAction(nowMs: number): InvoiceAction | undefined {
    if (this.closed || this.s.mode === 'keysend') return undefined;
    const open = this.s.open;
    const closing = this.isClosing(nowMs);
    if (open) {
      if (open.hold && open.heldAtMs !== undefined && this.s.deliveredWh >= open.toWh) return { kind: 'settle', invoice: open };
      if (nowMs >= open.expiresAtMs) return { kind: 'cancel', invoice: open, reason: this.expiryReason(open) };
      if (closing && open.hold && this.s.deliveredWh < open.toWh) return { kind: 'cancel', invoice: open, reason: `trade ${this.tradeId} closed with interval ${open.interval} undelivered` };
      return undefined;
    }
    if (closing && nowMs >= this.giveUpAtMs()) return undefined;
    const { deliveredWh, paidToWh, trade, priceMsatPerKwh } = this.s;
    let toWh: number;
    if (this.s.mode === 'escrow' && !closing) {
      toWh = Math.min(trade.quantityWh, Math.max(deliveredWh, paidToWh) + this.settings.stepWh);
    } else {
      const due = deliveredWh - paidToWh >= this.settings.stepWh || closing || nowMs - this.s.lastInvoiceAtMs >= this.settings.stepMs;
      toWh = due ? deliveredWh : paidToWh;
    }
    if (toWh <= paidToWh) return undefined;
    const amountMsat = intervalMsat(paidToWh, toWh, priceMsatPerKwh);
    if (amountMsat === 0) return undefined;
    const lastMs = closing ? this.giveUpAtMs() : this.endMs + this.settings.closeAfterMs;
    return {
      kind: 'issue',
      interval: this.s.nextInterval,
      fromWh: paidToWh,
      toWh,
      amountMsat,
      hold: this.s.mode === 'escrow',
      expiresAtMs: Math.max(nowMs + 1, Math.min(nowMs + this.settings.invoiceExpiryMs, lastMs)),
    };
  }

  issued(invoice: OpenInvoice): void {
    this.s.open = invoice;
    this.s.nextInterval = Math.max(this.s.nextInterval, invoice.interval + 1);
    this.s.lastInvoiceAtMs = invoice.issuedAtMs;
  }

  held(paymentHash: string, atMs: number): OpenInvoice | undefined {
    const open = this.s.open;
    if (!open || open.paymentHash !== paymentHash) return undefined;
    open.heldAtMs ??= atMs;
    return open;
  }

  /** An invoice that was cancelled (by us, or expired) is no longer open. */
  dropInvoice(paymentHash: string): OpenInvoice | undefined {
    const open = this.s.open;
    if (!open || open.paymentHash !== paymentHash) return undefined;
    this.s.open = undefined;
    return open;
  }

  private expiryReason(open: OpenInvoice): string {
    if (!open.hold || open.heldAtMs === undefined) return `invoice ${open.interval} of trade ${this.tradeId} was not paid in time`;
    return `interval ${open.interval} of trade ${this.tradeId} was not delivered by its deadline (${this.s.deliveredWh} of ${open.toWh} Wh): the buyer's money goes back`;
  }
}
