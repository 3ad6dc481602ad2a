// An in-memory Lightning network of PaymentBackend nodes, for the stream and gate drivers' unit tests (the
// ln-service tests run against the LND simulator instead). It keeps LND's payment semantics that the drivers
// rely on: one payment per hash (a second gets DUPLICATE unless the first FAILED), TrackPaymentV2 answers
// (not-found, pending, confirmed, failed), hold invoices that keep the payer in flight until settled or
// cancelled, and keysend invoices carrying the payment's records. Faults on command: fail the next payments, or
// lose the answer of the next one (it is paid, the call throws UNAVAILABLE).

import { createHash, randomBytes } from 'node:crypto';
import * as secp from 'tiny-secp256k1';
import { BackendError, type ChannelInfo, type DecodedRequest, type IncomingInvoice, type InvoiceHandlers, type KeysendPayment, type NodeInfo, type PaymentBackend, type PaymentFailure, type PaymentOutcome, type RequestPayment, type Subscription } from '../../lib/payments/backend/types';
import { KEYSEND_PREIMAGE_TYPE } from '../../lib/payments/records';

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

interface Payment {
  hash: string;
  amountMsat: number;
  status: 'pending' | 'confirmed' | 'failed';
  preimage?: string;
  reason?: PaymentFailure;
  settle?: (outcome: PaymentOutcome) => void;
}

interface StoredInvoice extends IncomingInvoice {
  request: string;
  hold: boolean;
  payer?: { node: FakeNode; payment: Payment };
}

export class FakeNetwork {
  readonly nodes = new Map<string, FakeNode>();

  node(alias: string): FakeNode {
    const node = new FakeNode(this, alias);
    this.nodes.set(node.pubkey, node);
    return node;
  }
}

const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

function zbase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ZBASE32[(value >> bits) & 31];
    }
  }
  return bits > 0 ? out + ZBASE32[(value << (5 - bits)) & 31] : out;
}

export class FakeNode implements PaymentBackend {
  private readonly key = randomBytes(32);
  readonly pubkey = Buffer.from(secp.pointFromScalar(this.key, true)!).toString('hex');
  readonly payments = new Map<string, Payment>();
  readonly invoices = new Map<string, StoredInvoice>();
  /** every send attempt that reached the node, duplicates included */
  sends = 0;
  down = false;
  private failures: PaymentFailure[] = [];
  private loseAnswers = 0;
  private settleIndex = 0;
  private readonly all = new Set<InvoiceHandlers>();
  private readonly single = new Map<string, Set<InvoiceHandlers>>();

  constructor(
    private readonly network: FakeNetwork,
    readonly alias: string,
  ) {}

  failNext(count: number, reason: PaymentFailure = 'no-route'): void {
    this.failures.push(...Array<PaymentFailure>(count).fill(reason));
  }

  /** the next payment goes through, but its caller hears UNAVAILABLE */
  loseNextAnswer(): void {
    this.loseAnswers++;
  }

  /** msat received and settled */
  get receivedMsat(): number {
    return [...this.invoices.values()].filter((i) => i.state === 'settled').reduce((sum, i) => sum + i.receivedMsat, 0);
  }

  /** msat this node paid, confirmed */
  get paidMsat(): number {
    return [...this.payments.values()].filter((p) => p.status === 'confirmed').reduce((sum, p) => sum + p.amountMsat, 0);
  }

  async info(): Promise<NodeInfo> {
    this.up();
    return { alias: this.alias, pubkey: this.pubkey, syncedToChain: true, syncedToGraph: true, activeChannels: 1, pendingChannels: 0, peers: 1, version: 'fake' };
  }

  async channels(): Promise<ChannelInfo[]> {
    this.up();
    return [];
  }

  async payKeysend(payment: KeysendPayment): Promise<PaymentOutcome> {
    const record = this.begin(payment.paymentHash, payment.amountMsat);
    const payee = this.network.nodes.get(payment.destination);
    if (!payee) return this.finish(record, { status: 'failed', reason: 'no-route', message: 'no route' });
    const failure = this.failures.shift();
    if (failure) return this.finish(record, { status: 'failed', reason: failure, message: `fake: ${failure}` });
    if (sha256(payment.preimage) !== payment.paymentHash) return this.finish(record, { status: 'failed', reason: 'rejected', message: 'bad preimage' });
    payee.receive({
      paymentHash: payment.paymentHash,
      preimage: payment.preimage,
      state: 'settled',
      receivedMsat: payment.amountMsat,
      amountMsat: 0,
      keysend: true,
      records: [{ type: KEYSEND_PREIMAGE_TYPE, value: payment.preimage }, ...payment.records],
      request: '',
      hold: false,
    });
    return this.finish(record, { status: 'confirmed', preimage: payment.preimage, feeMsat: 0 });
  }

  async payRequest(payment: RequestPayment): Promise<PaymentOutcome> {
    const decoded = this.decodeRequest(payment.request);
    const record = this.begin(decoded.paymentHash, payment.amountMsat);
    const failure = this.failures.shift();
    if (failure) return this.finish(record, { status: 'failed', reason: failure, message: `fake: ${failure}` });
    const invoice = this.network.nodes.get(decoded.destination)?.invoices.get(decoded.paymentHash);
    if (!invoice || invoice.state !== 'open') return this.finish(record, { status: 'failed', reason: 'rejected', message: 'invoice not open' });
    invoice.receivedMsat = payment.amountMsat;
    if (!invoice.hold) {
      this.network.nodes.get(decoded.destination)!.transition(invoice, 'settled');
      return this.finish(record, { status: 'confirmed', preimage: invoice.preimage!, feeMsat: 0 });
    }
    invoice.payer = { node: this, payment: record };
    this.network.nodes.get(decoded.destination)!.transition(invoice, 'held');
    return new Promise<PaymentOutcome>((resolve) => {
      record.settle = (outcome) => resolve(this.finish(record, outcome));
    });
  }

  async paymentStatus(paymentHash: string): Promise<PaymentOutcome> {
    this.up();
    const p = this.payments.get(paymentHash);
    if (!p) return { status: 'not-found' };
    if (p.status === 'confirmed') return { status: 'confirmed', preimage: p.preimage!, feeMsat: 0 };
    if (p.status === 'failed') return { status: 'failed', reason: p.reason ?? 'error', message: 'failed' };
    return { status: 'pending' };
  }

  async createInvoice(args: { amountMsat: number; description: string; expiresAtMs: number }): Promise<{ request: string; paymentHash: string }> {
    this.up();
    const preimage = randomBytes(32).toString('hex');
    const paymentHash = sha256(preimage);
    const request = this.request(paymentHash, args.amountMsat, args.expiresAtMs);
    this.invoices.set(paymentHash, { paymentHash, preimage, state: 'open', receivedMsat: 0, amountMsat: args.amountMsat, keysend: false, records: [], request, hold: false });
    return { request, paymentHash };
  }

  async createHoldInvoice(args: { paymentHash: string; amountMsat: number; expiresAtMs: number }): Promise<{ request: string }> {
    this.up();
    if (this.invoices.has(args.paymentHash)) throw new BackendError('DUPLICATE', 'invoice with payment hash already exists', false);
    const request = this.request(args.paymentHash, args.amountMsat, args.expiresAtMs);
    this.invoices.set(args.paymentHash, { paymentHash: args.paymentHash, state: 'open', receivedMsat: 0, amountMsat: args.amountMsat, keysend: false, records: [], request, hold: true });
    return { request };
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    this.up();
    const invoice = this.invoices.get(sha256(preimage));
    if (!invoice || invoice.state !== 'held') throw new BackendError('LND', 'invoice still open', false);
    invoice.preimage = preimage;
    this.transition(invoice, 'settled');
    invoice.payer?.payment.settle?.({ status: 'confirmed', preimage, feeMsat: 0 });
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    this.up();
    const invoice = this.invoices.get(paymentHash);
    if (!invoice || invoice.state === 'settled') throw new BackendError('LND', 'invoice already settled', false);
    invoice.receivedMsat = 0;
    this.transition(invoice, 'canceled');
    invoice.payer?.payment.settle?.({ status: 'failed', reason: 'rejected', message: 'invoice canceled' });
  }

  async lookupInvoice(paymentHash: string): Promise<IncomingInvoice | undefined> {
    this.up();
    const invoice = this.invoices.get(paymentHash);
    return invoice ? this.view(invoice) : undefined;
  }

  subscribeInvoices(handlers: InvoiceHandlers, options: { settledAfter?: number }): Subscription {
    if (this.down) {
      queueMicrotask(() => handlers.onError(new BackendError('UNAVAILABLE', 'fake: down', false)));
      return { close: () => undefined };
    }
    for (const invoice of this.invoices.values()) {
      if (invoice.state === 'settled' && (invoice.settleIndex ?? 0) > (options.settledAfter ?? 0)) handlers.onInvoice(this.view(invoice));
    }
    this.all.add(handlers);
    return { close: () => this.all.delete(handlers) };
  }

  subscribeInvoice(paymentHash: string, handlers: InvoiceHandlers): Subscription {
    const set = this.single.get(paymentHash) ?? new Set();
    this.single.set(paymentHash, set);
    set.add(handlers);
    const invoice = this.invoices.get(paymentHash);
    if (invoice) queueMicrotask(() => set.has(handlers) && handlers.onInvoice(this.view(invoice)));
    return { close: () => set.delete(handlers) };
  }

  /** Breaks every subscription, as a restarting LND does. */
  breakSubscriptions(): void {
    const all = [...this.all, ...[...this.single.values()].flatMap((s) => [...s])];
    this.all.clear();
    this.single.clear();
    for (const handlers of all) handlers.onError(new BackendError('UNAVAILABLE', 'fake: stream broke', false));
  }

  /** LND's SignMessage: the compact recoverable signature of sha256(sha256(prefix + text)), zbase32 */
  async signMessage(text: string): Promise<string> {
    this.up();
    const once = createHash('sha256').update(`Lightning Signed Message:${text}`, 'utf8').digest();
    const digest = createHash('sha256').update(once).digest();
    const { signature, recoveryId } = secp.signRecoverable(digest, this.key);
    return zbase32(Buffer.concat([Buffer.from([31 + recoveryId]), Buffer.from(signature)]));
  }

  decodeRequest(request: string): DecodedRequest {
    const [tag, destination, paymentHash, amount, expires] = request.split(':');
    if (tag !== 'fakeln') throw new BackendError('INVALID', 'not a fake request', false);
    return { destination, paymentHash, amountMsat: Number(amount), expiresAtMs: Number(expires) };
  }

  private request(paymentHash: string, amountMsat: number, expiresAtMs: number): string {
    return `fakeln:${this.pubkey}:${paymentHash}:${amountMsat}:${expiresAtMs}`;
  }

  private up(): void {
    if (this.down) throw new BackendError('UNAVAILABLE', 'fake: node down', true);
  }

  private begin(hash: string, amountMsat: number): Payment {
    this.up();
    this.sends++;
    const existing = this.payments.get(hash);
    if (existing && existing.status !== 'failed') throw new BackendError('DUPLICATE', existing.status === 'confirmed' ? 'invoice is already paid' : 'payment is in transition', true);
    const payment: Payment = { hash, amountMsat, status: 'pending' };
    this.payments.set(hash, payment);
    return payment;
  }

  private finish(payment: Payment, outcome: PaymentOutcome): PaymentOutcome {
    if (outcome.status === 'confirmed') {
      payment.status = 'confirmed';
      payment.preimage = outcome.preimage;
    } else if (outcome.status === 'failed') {
      payment.status = 'failed';
      payment.reason = outcome.reason;
    }
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new BackendError('UNAVAILABLE', 'fake: connection dropped', true);
    }
    return outcome;
  }

  private receive(invoice: StoredInvoice): void {
    this.invoices.set(invoice.paymentHash, invoice);
    this.transition(invoice, 'settled');
  }

  private transition(invoice: StoredInvoice, state: IncomingInvoice['state']): void {
    invoice.state = state;
    if (state === 'settled') invoice.settleIndex = ++this.settleIndex;
    const view = this.view(invoice);
    if (state === 'settled') for (const h of [...this.all]) h.onInvoice(view);
    for (const h of [...(this.single.get(invoice.paymentHash) ?? [])]) h.onInvoice(view);
  }

  private view(invoice: StoredInvoice): IncomingInvoice {
    const { request: _r, hold: _h, payer: _p, ...view } = invoice;
    return { ...view, records: [...view.records] };
  }
}
