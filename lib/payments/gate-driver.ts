// The payee's engine (flaregrid-pay-gate without Node-RED): the trades one seller delivers, the buyers' meters,
// the ledger (gate-ledger.ts) and the Lightning calls. It subscribes to the node's invoices (keysend payments
// arrive as settled keysend invoices), attributes each payment to its trade by its TLV records or by the
// invoice it settles, counts it once, signs a receipt, and keeps each buyer's credit window. In the invoice
// modes it issues, settles and cancels invoices as gate.ts says.

import { canonicalJson } from '../canonical-json';
import { TimerSet, type Clock } from '../clock';
import { Backoff, type BackoffOptions } from '../connection/backoff';
import { Journal } from '../journal';
import type { Trade } from '../schemas/market';
import type { MeterReading } from '../schemas/metering';
import type { CutOff, Invoice, Receipt } from '../schemas/payments';
import { BackendError, type IncomingInvoice, type PaymentBackend, type Subscription } from './backend/types';
import type { CreditEvent } from './credit';
import { MeterAllocator } from './delivery';
import { PaymentError } from './errors';
import { GateTrade, type GateSettings, type InvoiceAction, type OpenInvoice } from './gate';
import { GATE_LEDGER_VERSION, replayGate, type GateLane, type GateLedgerRecord, type GateSnapshot, type PaymentRecord } from './gate-ledger';
import { derivePreimage, newStreamSecret, paymentHashOf, provesPayment } from './identity';
import { owedMsat } from './money';
import { payeeReceipt, receiptSigningText } from './receipts';
import { decodeIntervalRecords } from './records';

export interface GateDriverOptions {
  dir: string;
  seller: string;
  settings: GateSettings;
  /** buyer participant id → the id of the meter its energy is read from */
  buyerMeters: ReadonlyMap<string, string>;
  clock: Clock;
  backend(): Promise<PaymentBackend>;
  callTimeoutMs: number;
  retry?: BackoffOptions;
  tickMs?: number;
  snapshotEvery?: number;
  /** cutoff and restore go to the contactor; warning to whoever watches */
  onDecision(decision: CutOff, trade: Trade): void;
  onReceipt(receipt: Receipt, trade: Trade): void;
  onInvoice(invoice: Invoice, trade: Trade): void;
  onChange(): void;
  onProblem(err: Error): void;
  onUnavailable?(err: BackendError): void;
  warn?(text: string): void;
}

interface Lane extends GateLane {
  busy: boolean;
  hold?: Subscription;
}

export interface GateSummary {
  trades: number;
  receivedMsat: number;
  unpaidMsat: number;
  cutOff: string[];
  warned: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export class GateDriver {
  private readonly lanes = new Map<string, Lane>();
  private readonly meters = new Map<string, MeterAllocator>();
  private readonly closedTrades: Map<string, number>;
  private readonly timers: TimerSet;
  private readonly backoff: Backoff;
  private settleIndex: number;
  private subscription: Subscription | undefined;
  /** the last refusal of the invoice subscription, reported once */
  private refusedSubscription: string | undefined;
  /** whatever waits in the subscription loop, released by close() */
  private readonly closeWaiters = new Set<() => void>();
  private sinceSnapshot = 0;
  private closing = false;
  private unsignedWarned = false;
  private closedReceivedMsat = 0;

  private constructor(
    private readonly o: GateDriverOptions,
    private readonly journal: Journal<GateLedgerRecord, GateSnapshot>,
    private readonly secretHex: string,
    replayed: ReturnType<typeof replayGate>,
  ) {
    this.closedTrades = replayed.closed;
    this.settleIndex = replayed.settleIndex;
    this.timers = new TimerSet(o.clock);
    this.backoff = new Backoff(o.retry ?? { initialMs: 500, maxMs: 30_000 });
    for (const meterId of new Set(o.buyerMeters.values())) this.meters.set(meterId, new MeterAllocator(meterId, replayed.meters.get(meterId)));
    for (const lane of replayed.lanes.values()) this.addLane(lane.trade, lane.hashes);
  }

  static async open(options: GateDriverOptions): Promise<GateDriver> {
    const { journal, snapshot, entries } = await Journal.open<GateLedgerRecord, GateSnapshot>(options.dir, {
      version: GATE_LEDGER_VERSION,
      keepHistory: true,
      warn: options.warn,
    });
    try {
      const replayed = replayGate(snapshot?.state, entries, options.settings);
      if (replayed.seller !== undefined && replayed.seller !== options.seller) {
        throw new PaymentError('JOURNAL_MISMATCH', `the ledger in ${options.dir} belongs to seller '${replayed.seller}', not '${options.seller}'`);
      }
      let secretHex = replayed.secretHex;
      if (secretHex === undefined) {
        secretHex = newStreamSecret();
        await journal.append('gate', { secretHex, seller: options.seller });
      }
      const driver = new GateDriver(options, journal, secretHex, replayed);
      driver.start();
      return driver;
    } catch (err) {
      await journal.close();
      throw err;
    }
  }

  trade(tradeId: string): GateTrade | undefined {
    return this.lanes.get(tradeId)?.trade;
  }

  summary(): GateSummary {
    const out: GateSummary = { trades: this.lanes.size, receivedMsat: this.closedReceivedMsat, unpaidMsat: 0, cutOff: [], warned: [] };
    for (const { trade } of this.lanes.values()) {
      out.receivedMsat += trade.state.receivedMsat;
      out.unpaidMsat += trade.exposure().unpaidMsat;
      if (trade.state.credit.level === 'cutoff') out.cutOff.push(trade.state.trade.buyer);
      if (trade.state.credit.level === 'warning') out.warned.push(trade.state.trade.buyer);
    }
    return out;
  }

  /** A trade this seller sells. Resolves once it is in the ledger. @throws PaymentError */
  async admitTrade(trade: Trade): Promise<boolean> {
    if (this.closedTrades.has(trade.id)) throw new PaymentError('TRADE_OVER', `trade ${trade.id} is over: the gate has closed it`);
    const known = this.lanes.get(trade.id);
    if (known) {
      if (canonicalJson(known.trade.state.trade) === canonicalJson(trade)) return false;
      throw new PaymentError('TRADE_CONFLICT', `trade ${trade.id} is already gated with other terms`);
    }
    if (!this.o.buyerMeters.has(trade.buyer)) {
      throw new PaymentError('SETTINGS', `trade ${trade.id}: buyer '${trade.buyer}' has no meter in this gate's Buyer meters, so its delivery cannot be measured`);
    }
    const nowMs = this.o.clock.nowMs();
    const account = GateTrade.start(trade, this.o.seller, this.o.settings, nowMs);
    // Counted from now, while the record is written: a reading meanwhile belongs to it already.
    const durable = this.append('trade', { trade, atMs: nowMs });
    this.addLane(account, new Set());
    try {
      await durable;
    } catch (err) {
      this.lanes.delete(trade.id);
      this.meters.get(this.o.buyerMeters.get(trade.buyer) ?? '')?.removeTrade(trade.id);
      throw err;
    }
    this.o.onChange();
    return true;
  }

  /** A reading of a buyer's meter. @throws PaymentError WRONG_METER, COUNTER_BACKWARDS, BAD_READING */
  admitReading(reading: MeterReading): void {
    const meter = this.meters.get(reading.meterId);
    if (!meter) throw new PaymentError('WRONG_METER', `meter '${reading.meterId}' is not the meter of any buyer of this gate (${[...this.meters.keys()].join(', ')})`);
    const { changed } = meter.admit(reading);
    for (const tradeId of changed) {
      const lane = this.lanes.get(tradeId);
      if (!lane) continue;
      lane.trade.setDelivered(meter.deliveredWh(tradeId));
      void this.append('delivered', { tradeId, deliveredWh: lane.trade.state.deliveredWh, meterId: meter.meterId, meter: meter.position! }).catch((err) => this.problem(err));
      this.assess(lane);
      this.act(lane);
    }
  }

  /** The journal's seq once every write started so far is durable (Journal.whenDurable). */
  async whenDurable(): Promise<number> {
    await this.journal.whenDurable();
    return this.journal.seq;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.timers.cancelAll();
    this.subscription?.close();
    for (const lane of this.lanes.values()) lane.hold?.close();
    for (const done of [...this.closeWaiters]) done();
    await this.journal.close();
  }

  private start(): void {
    this.timers.setInterval(() => this.tick(), this.o.tickMs ?? 1000);
    void this.subscribe();
  }

  private tick(): void {
    for (const lane of [...this.lanes.values()]) {
      this.assess(lane);
      this.act(lane);
    }
  }

  private addLane(trade: GateTrade, hashes: Set<string>): void {
    const lane: Lane = { trade, hashes, busy: false };
    this.lanes.set(trade.tradeId, lane);
    const { trade: t, deliveredWh } = trade.state;
    this.meters.get(this.o.buyerMeters.get(t.buyer) ?? '')?.addTrade(
      { tradeId: t.id, startMs: Date.parse(t.deliveryStart), endMs: Date.parse(t.deliveryEnd), quantityWh: t.quantityWh },
      deliveredWh,
    );
  }

  /** The node's invoice stream, again after every break once the node is back; held invoices are looked up then. */
  private async subscribe(): Promise<void> {
    while (!this.closing) {
      let backend: PaymentBackend;
      try {
        backend = await this.o.backend();
      } catch {
        await this.pause(this.backoff.next());
        continue;
      }
      if (this.closing) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.closeWaiters.delete(done);
          resolve();
        };
        const ended = (err: Error) => {
          this.subscription = undefined;
          if (!this.closing && err instanceof BackendError && err.code === 'UNAVAILABLE') this.o.onUnavailable?.(err);
          // a macaroon short of invoices:read is refused at every re-subscription: say so once per reason
          if (err instanceof BackendError && err.code === 'PERMISSION' && err.message !== this.refusedSubscription) this.problem(err);
          this.refusedSubscription = err instanceof BackendError && err.code === 'PERMISSION' ? err.message : undefined;
          done();
        };
        this.closeWaiters.add(done);
        this.subscription = backend.subscribeInvoices({ onInvoice: (invoice) => this.onInvoice(invoice), onError: ended }, { settledAfter: this.settleIndex });
        for (const lane of this.lanes.values()) this.watchHold(lane, backend);
      });
      if (!this.closing) await this.pause(this.backoff.next());
    }
  }

  /** A wait on the clock that close() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.closeWaiters.delete(done);
        resolve();
      };
      this.closeWaiters.add(done);
      this.timers.setTimeout(done, ms);
    });
  }

  /** A held interval is watched by its own subscription (the invoice stream never reports holds). */
  private watchHold(lane: Lane, backend: PaymentBackend): void {
    const open = lane.trade.state.open;
    lane.hold?.close();
    lane.hold = undefined;
    if (!open?.hold) return;
    lane.hold = backend.subscribeInvoice(open.paymentHash, {
      onInvoice: (invoice) => this.onInvoice(invoice),
      onError: () => {
        lane.hold = undefined;
      },
    });
  }

  private onInvoice(invoice: IncomingInvoice): void {
    if (this.closing) return;
    this.backoff.reset();
    if (invoice.settleIndex !== undefined) this.settleIndex = Math.max(this.settleIndex, invoice.settleIndex);
    const lane = this.laneOfInvoice(invoice.paymentHash);
    if (invoice.state === 'held' && lane) {
      if (lane.trade.held(invoice.paymentHash, this.o.clock.nowMs())) {
        void this.append('held', { tradeId: lane.trade.tradeId, paymentHash: invoice.paymentHash, atMs: this.o.clock.nowMs() }).catch((err) => this.problem(err));
        this.assess(lane);
        this.act(lane);
      }
      return;
    }
    if (invoice.state === 'canceled' && lane) {
      this.dropInvoice(lane, invoice.paymentHash, 'the invoice was cancelled');
      return;
    }
    if (invoice.state === 'settled') this.settled(invoice, lane);
  }

  private laneOfInvoice(paymentHash: string): Lane | undefined {
    for (const lane of this.lanes.values()) if (lane.trade.state.open?.paymentHash === paymentHash) return lane;
    return undefined;
  }

  private settled(invoice: IncomingInvoice, byInvoice: Lane | undefined): void {
    const nowMs = this.o.clock.nowMs();
    const { paymentHash } = invoice;
    for (const lane of this.lanes.values()) if (lane.hashes.has(paymentHash)) return;
    if (byInvoice) {
      const open = byInvoice.trade.state.open!;
      this.count(byInvoice, { paymentHash, preimage: invoice.preimage ?? open.preimage, amountMsat: invoice.receivedMsat, atMs: invoice.settledAtMs ?? nowMs, settleIndex: invoice.settleIndex, invoice: open });
      return;
    }
    let record;
    try {
      record = decodeIntervalRecords(invoice.records);
    } catch (err) {
      this.unattributed(invoice, undefined, (err as Error).message);
      this.problem(err);
      return;
    }
    if (!record) return; // not a FlareGrid payment: someone else's business on this node
    const lane = this.lanes.get(record.tradeId);
    if (!lane) {
      const over = this.closedTrades.has(record.tradeId);
      const err = over
        ? new PaymentError('TRADE_OVER', `a payment of ${invoice.receivedMsat} msat arrived for trade ${record.tradeId}, which is over`)
        : new PaymentError('UNKNOWN_TRADE', `a payment of ${invoice.receivedMsat} msat arrived for trade ${record.tradeId}, which this gate does not know`);
      this.unattributed(invoice, record.tradeId, err.message);
      this.problem(err);
      return;
    }
    const trade = lane.trade.state;
    const problem =
      record.buyer !== trade.trade.buyer || record.priceMsatPerKwh !== trade.priceMsatPerKwh
        ? new PaymentError('BAD_PAYMENT', `a payment for trade ${record.tradeId} says buyer '${record.buyer}' at ${record.priceMsatPerKwh} msat/kWh; the trade is '${trade.trade.buyer}' at ${trade.priceMsatPerKwh}`)
        : undefined;
    this.count(lane, { paymentHash, preimage: invoice.preimage, amountMsat: invoice.receivedMsat, atMs: invoice.settledAtMs ?? nowMs, settleIndex: invoice.settleIndex, record }, problem);
  }

  private unattributed(invoice: IncomingInvoice, tradeId: string | undefined, reason: string): void {
    void this.append('unattributed', {
      tradeId,
      paymentHash: invoice.paymentHash,
      amountMsat: invoice.receivedMsat,
      preimage: invoice.preimage,
      reason,
      atMs: this.o.clock.nowMs(),
      settleIndex: invoice.settleIndex,
    }).catch((err) => this.problem(err));
  }

  private count(
    lane: Lane,
    payment: { paymentHash: string; preimage?: string; amountMsat: number; atMs: number; settleIndex?: number; invoice?: OpenInvoice; record?: { interval: number; fromWh: number; toWh: number } },
    problem?: PaymentError,
  ): void {
    lane.hashes.add(payment.paymentHash);
    const received = lane.trade.receive({ amountMsat: payment.amountMsat, invoice: payment.invoice, record: payment.record });
    const issue = problem ?? received.problem;
    const preimage = payment.preimage ?? '';
    const data: PaymentRecord = {
      tradeId: lane.trade.tradeId,
      interval: received.interval,
      paymentHash: payment.paymentHash,
      preimage,
      amountMsat: payment.amountMsat,
      totalMsat: received.totalMsat,
      fromWh: received.fromWh,
      toWh: received.toWh,
      via: payment.invoice ? (payment.invoice.hold ? 'hold' : 'invoice') : 'keysend',
      atMs: payment.atMs,
      settleIndex: payment.settleIndex,
      problem: issue?.code,
    };
    if (payment.invoice) {
      lane.hold?.close();
      lane.hold = undefined;
    }
    const durable = this.append('payment', data);
    if (issue) this.problem(issue);
    if (!provesPayment(preimage, payment.paymentHash)) this.problem(new PaymentError('BAD_PAYMENT', `payment ${payment.paymentHash} of trade ${data.tradeId} came without a valid preimage`));
    this.assess(lane);
    this.o.onChange();
    const receipt = payeeReceipt(lane.trade.state, received, { paymentHash: payment.paymentHash, preimage, atMs: payment.atMs }, lane.trade.state.trade.payTo, this.o.buyerMeters.get(lane.trade.state.trade.buyer) ?? '');
    void durable
      .then(() => this.sign(receipt))
      .then((signed) => this.append('receipt', { receipt: signed }).then(() => this.o.onReceipt(signed, lane.trade.state.trade)))
      .catch((err) => this.problem(err));
  }

  private async sign(receipt: Receipt): Promise<Receipt> {
    try {
      const backend = await this.o.backend();
      return { ...receipt, signature: await backend.signMessage(receiptSigningText(receipt), this.o.callTimeoutMs) };
    } catch (err) {
      if (!this.unsignedWarned) {
        this.unsignedWarned = true;
        this.o.warn?.(`receipts go out unsigned: ${(err as Error).message} (signing needs the message:write permission)`);
      }
      return receipt;
    }
  }

  private assess(lane: Lane): void {
    if (lane.trade.closed) return;
    const nowMs = this.o.clock.nowMs();
    const { event } = lane.trade.assess(nowMs);
    if (event) this.decide(lane, event, nowMs);
  }

  private decide(lane: Lane, event: CreditEvent, nowMs: number): void {
    const { unpaidMsat, unpaidWh } = lane.trade.exposure();
    const { trade, deliveredWh, receivedMsat } = lane.trade.state;
    const { creditWh, creditMsat, restorePct, warnPct, graceMs } = this.o.settings.credit;
    const owed = `${unpaidWh} Wh / ${unpaidMsat} msat delivered but not paid`;
    const reason =
      event === 'cutoff'
        ? `${owed}: over the credit window of ${creditWh} Wh / ${creditMsat} msat for ${Math.round(graceMs / 1000)} s`
        : event === 'restore'
          ? `caught up: ${owed}, at or below the restore level (${restorePct}% of the window)`
          : `${owed}: past the warning level (${warnPct}% of the window)`;
    const decision: CutOff = { type: event, tradeId: trade.id, participant: trade.buyer, unpaidMsat, unpaidWh, reason, ts: iso(nowMs), seller: trade.seller, deliveredWh, receivedMsat };
    void this.append(event, { decision })
      .then(() => {
        this.o.onDecision(decision, trade);
        this.o.onChange();
      })
      .catch((err) => this.problem(err));
  }

  /** One invoice step of a lane at a time; closes the trade when it is done. */
  private act(lane: Lane): void {
    if (lane.busy || this.closing || lane.trade.closed) return;
    const nowMs = this.o.clock.nowMs();
    if (lane.trade.readyToClose(nowMs)) {
      void this.closeLane(lane, nowMs).catch((err) => this.problem(err));
      return;
    }
    const action = lane.trade.invoiceAction(nowMs);
    if (!action) return;
    lane.busy = true;
    this.perform(lane, action)
      .catch((err) => {
        if (err instanceof BackendError && err.code === 'UNAVAILABLE') this.o.onUnavailable?.(err);
        this.problem(err);
      })
      .finally(() => {
        lane.busy = false;
      });
  }

  private async perform(lane: Lane, action: InvoiceAction): Promise<void> {
    const backend = await this.o.backend();
    const timeoutMs = this.o.callTimeoutMs;
    const { trade } = lane.trade.state;
    if (action.kind === 'settle') {
      const { invoice } = action;
      await backend.settleHoldInvoice(invoice.preimage!, timeoutMs);
      this.settled({ paymentHash: invoice.paymentHash, preimage: invoice.preimage, state: 'settled', receivedMsat: invoice.amountMsat, amountMsat: invoice.amountMsat, keysend: false, records: [] }, lane);
      return;
    }
    if (action.kind === 'cancel') {
      try {
        await backend.cancelInvoice(action.invoice.paymentHash, timeoutMs);
      } catch (err) {
        // settled meanwhile: the settlement is counted from its event, or from this lookup
        const now = await backend.lookupInvoice(action.invoice.paymentHash, timeoutMs);
        if (now?.state === 'settled') return this.settled(now, lane);
        throw err;
      }
      this.dropInvoice(lane, action.invoice.paymentHash, action.reason);
      return;
    }
    const nowMs = this.o.clock.nowMs();
    const description = `FlareGrid trade ${trade.id} interval ${action.interval}: ${action.fromWh}-${action.toWh} Wh`;
    let open: OpenInvoice;
    if (action.hold) {
      const preimage = derivePreimage(this.secretHex, trade.id, action.interval);
      const paymentHash = paymentHashOf(preimage);
      const { request } = await backend.createHoldInvoice({ paymentHash, amountMsat: action.amountMsat, description, expiresAtMs: action.expiresAtMs, timeoutMs });
      open = { ...action, paymentHash, preimage, request, issuedAtMs: nowMs };
    } else {
      const { request, paymentHash } = await backend.createInvoice({ amountMsat: action.amountMsat, description, expiresAtMs: action.expiresAtMs, timeoutMs });
      open = { ...action, paymentHash, request, issuedAtMs: nowMs };
    }
    delete (open as Partial<InvoiceAction>).kind;
    lane.trade.issued(open);
    await this.append('invoice', { tradeId: trade.id, invoice: open });
    if (open.hold) this.watchHold(lane, backend);
    const message: Invoice = {
      type: 'invoice',
      tradeId: trade.id,
      interval: open.interval,
      fromWh: open.fromWh,
      toWh: open.toWh,
      amountMsat: open.amountMsat,
      priceMsatPerKwh: lane.trade.state.priceMsatPerKwh,
      paymentHash: open.paymentHash,
      request: open.request!,
      hold: open.hold,
      payee: trade.payTo,
      buyer: trade.buyer,
      seller: trade.seller,
      expiresAt: iso(open.expiresAtMs),
      ts: iso(nowMs),
    };
    this.o.onInvoice(message, trade);
  }

  private dropInvoice(lane: Lane, paymentHash: string, reason: string): void {
    if (!lane.trade.dropInvoice(paymentHash)) return;
    lane.hold?.close();
    lane.hold = undefined;
    void this.append('canceled', { tradeId: lane.trade.tradeId, paymentHash, reason, atMs: this.o.clock.nowMs() }).catch((err) => this.problem(err));
    this.assess(lane);
    this.o.onChange();
  }

  private async closeLane(lane: Lane, nowMs: number): Promise<void> {
    const { trade, deliveredWh, receivedMsat, priceMsatPerKwh } = lane.trade.state;
    const owed = owedMsat(deliveredWh, priceMsatPerKwh);
    const reason = receivedMsat >= owed ? `paid in full: ${deliveredWh} Wh delivered, ${receivedMsat} msat received` : `closed with ${owed - receivedMsat} msat unpaid for ${deliveredWh} Wh delivered`;
    lane.trade.close(nowMs, reason);
    lane.hold?.close();
    await this.append('closed', { tradeId: trade.id, atMs: nowMs, reason, deliveredWh, receivedMsat, owedMsat: owed });
    this.lanes.delete(trade.id);
    this.closedTrades.set(trade.id, Date.parse(trade.deliveryEnd));
    this.closedReceivedMsat += receivedMsat;
    this.meters.get(this.o.buyerMeters.get(trade.buyer) ?? '')?.removeTrade(trade.id);
    this.o.onChange();
  }

  private problem(err: unknown): void {
    if (!this.closing) this.o.onProblem(err instanceof Error ? err : new Error(String(err)));
  }

  private async append(kind: string, data: GateLedgerRecord): Promise<void> {
    await this.journal.append(kind, data);
    if (++this.sinceSnapshot >= (this.o.snapshotEvery ?? 2000)) {
      this.sinceSnapshot = 0;
      await this.journal.snapshot(this.snapshotState());
    }
  }

  private snapshotState(): GateSnapshot {
    return {
      secretHex: this.secretHex,
      seller: this.o.seller,
      trades: [...this.lanes.values()].map((lane) => ({ ...lane.trade.state, hashes: [...lane.hashes] })),
      meters: [...this.meters].flatMap(([id, meter]) => (meter.position ? [[id, meter.position] as [string, typeof meter.position]] : [])),
      closed: [...this.closedTrades],
      settleIndex: this.settleIndex,
    };
  }
}
