// Each node's invoice registry, after lnd/invoices: invoices and hold invoices, their states (OPEN, ACCEPTED,
// SETTLED, CANCELED) and what an arriving HTLC finds (invoiceregistry.go NotifyExitHopHtlc, processKeySend).
// Every refusal of an HTLC is INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, as LND sends it so as not to leak which
// check failed. Expired OPEN invoices are canceled, and a held HTLC is canceled HOLD_EXPIRY_DELTA blocks before
// it expires (lncfg DefaultHoldInvoiceExpiryDelta), both on the network's clock.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock';
import { encodePaymentRequest } from './bolt11';
import type { Chain } from './chain';
import type { Deadlines } from './deadlines';
import { lndError } from './errors';
import { checkAddInvoice, DEFAULT_CLTV_EXPIRY, DEFAULT_INVOICE_EXPIRY_SEC, type AddInvoiceData } from './invoice-rules';
import { sha256 } from './keys';
import { recordKey, type InvoiceHtlcRecord, type InvoiceRecord, type NodeRecord } from './state';
import type { StateStore } from './store';

export const KEYSEND_TYPE = '5482373484';
export type { AddInvoiceData } from './invoice-rules';
export const HOLD_EXPIRY_DELTA = 12;

export type InvoiceChange = 'added' | 'accepted' | 'settled' | 'canceled';


export interface HtlcArrival {
  payee: string;
  payer: string;
  attemptId: number;
  paymentHash: string;
  amountMsat: bigint;
  expiryHeight: number;
  chanId: string;
  htlcIndex: number;
  customRecords: Record<string, string>;
  mpp?: { paymentAddr: string; totalAmtMsat: string };
}

export type HtlcResolution = { settle: string } | { hold: true } | { fail: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' };

export interface InvoiceRegistryContext {
  store: StateStore;
  chain: Chain;
  clock: Clock;
  deadlines: Deadlines;
  notify(invoice: InvoiceRecord, change: InvoiceChange): void;
  /** a held HTLC is resolved: with the preimage (settle) or without (cancel) */
  resolveHeld(htlc: InvoiceHtlcRecord, invoice: InvoiceRecord, preimage: string | undefined): void;
}

const REFUSED = { fail: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' } as const;

export class InvoiceRegistry {
  /** payment request -> record key, for the requests these nodes made */
  private readonly requests = new Map<string, string>();

  constructor(private readonly ctx: InvoiceRegistryContext) {}

  private get state() {
    return this.ctx.store.state;
  }

  private nowSec(): number {
    return Math.floor(this.ctx.clock.nowMs() / 1000);
  }

  get(node: string, paymentHash: string): InvoiceRecord | undefined {
    return this.state.invoices[recordKey(node, paymentHash)];
  }

  /** The invoice behind a payment request one of the simulated nodes made (signed by it, so no need to check). */
  byPaymentRequest(request: string): InvoiceRecord | undefined {
    const key = this.requests.get(request);
    return key === undefined ? undefined : this.state.invoices[key];
  }

  list(node: string): InvoiceRecord[] {
    return Object.values(this.state.invoices)
      .filter((i) => i.node === node)
      .sort((a, b) => a.addIndex - b.addIndex);
  }

  /** lnrpc/invoicesrpc/addinvoice.go AddInvoice: checks, hash and preimage, the signed request. */
  add(node: NodeRecord, data: AddInvoiceData): InvoiceRecord {
    checkAddInvoice(data);
    const preimage = data.hold ? undefined : (data.preimage ?? randomBytes(32));
    const paymentHash = (preimage ? sha256(preimage) : (data.hash as Buffer)).toString('hex');
    if (this.get(node.pubkey, paymentHash)) throw lndError('invoice with payment hash already exists');
    const createdAtSec = this.nowSec();
    const expirySec = data.expirySec || DEFAULT_INVOICE_EXPIRY_SEC;
    const cltvExpiry = data.cltvExpiry || DEFAULT_CLTV_EXPIRY;
    const paymentAddr = randomBytes(32).toString('hex');
    const descriptionHash = data.descriptionHash?.length ? data.descriptionHash.toString('hex') : '';
    const invoice: InvoiceRecord = {
      node: node.pubkey,
      paymentHash,
      preimage: preimage?.toString('hex'),
      memo: data.memo,
      descriptionHash,
      valueMsat: data.valueMsat.toString(),
      creationDateSec: createdAtSec,
      settleDateSec: 0,
      paymentRequest: encodePaymentRequest({
        privateKey: Buffer.from(node.privateKey, 'hex'),
        pubkey: node.pubkey,
        paymentHash,
        paymentAddr,
        valueMsat: data.valueMsat,
        memo: data.memo,
        descriptionHash: descriptionHash || undefined,
        createdAtSec,
        expirySec,
        cltvExpiry,
      }),
      expirySec,
      cltvExpiry,
      private: data.private,
      addIndex: ++node.addIndex,
      settleIndex: 0,
      amtPaidMsat: '0',
      state: 'OPEN',
      htlcs: [],
      isKeysend: false,
      isHold: data.hold,
      paymentAddr,
    };
    this.insert(node, invoice);
    return invoice;
  }

  /** SettleInvoice: the preimage of an ACCEPTED hold invoice releases its HTLCs to the payee. */
  settleHold(node: string, preimage: Buffer): void {
    const invoice = this.get(node, sha256(preimage).toString('hex'));
    if (!invoice) throw lndError('unable to locate invoice');
    if (invoice.state === 'SETTLED') return; // LND ignores ErrInvoiceAlreadySettled here
    if (invoice.state === 'CANCELED') throw lndError('invoice already canceled');
    if (invoice.state === 'OPEN') throw lndError('invoice still open');
    invoice.preimage = preimage.toString('hex');
    const held = invoice.htlcs.filter((h) => h.state === 'ACCEPTED');
    this.settle(invoice);
    for (const htlc of held) this.ctx.resolveHeld(htlc, invoice, invoice.preimage);
  }

  /** CancelInvoice, and LND's own cancels (expiry): held HTLCs go back to the payer. */
  cancel(node: string, paymentHash: string): void {
    const invoice = this.get(node, paymentHash);
    if (!invoice) throw lndError('unable to locate invoice');
    if (invoice.state === 'SETTLED') throw lndError('invoice already settled');
    if (invoice.state === 'CANCELED') return;
    const held = invoice.htlcs.filter((h) => h.state === 'ACCEPTED');
    for (const htlc of held) {
      htlc.state = 'CANCELED';
      htlc.resolveTimeSec = this.nowSec();
    }
    invoice.state = 'CANCELED';
    this.forgetDeadlines(invoice);
    this.ctx.store.touch('invoices', recordKey(invoice.node, invoice.paymentHash));
    this.ctx.notify(invoice, 'canceled');
    for (const htlc of held) this.ctx.resolveHeld(htlc, invoice, undefined);
  }

  /** What the payee does with an HTLC that reached it. */
  acceptHtlc(node: NodeRecord, arrival: HtlcArrival): HtlcResolution {
    const keysendPreimage = arrival.customRecords[KEYSEND_TYPE];
    if (keysendPreimage !== undefined) {
      if (!node.acceptsKeysend || arrival.mpp) return REFUSED;
      if (sha256(Buffer.from(keysendPreimage, 'hex')).toString('hex') !== arrival.paymentHash) return REFUSED;
      if (!this.get(node.pubkey, arrival.paymentHash)) this.insertKeysend(node, arrival, keysendPreimage);
    }
    const invoice = this.get(node.pubkey, arrival.paymentHash);
    if (!invoice) return REFUSED;
    if (invoice.state === 'OPEN' && this.nowSec() >= invoice.creationDateSec + invoice.expirySec) {
      this.cancel(node.pubkey, invoice.paymentHash);
      return REFUSED;
    }
    if (invoice.state !== 'OPEN') return REFUSED;
    const height = this.ctx.chain.heightAt(this.ctx.clock.nowMs());
    if (!invoice.isKeysend) {
      if (arrival.mpp?.paymentAddr !== invoice.paymentAddr) return REFUSED;
      if (BigInt(arrival.mpp.totalAmtMsat) > arrival.amountMsat) return REFUSED; // one HTLC must pay it all
      if (arrival.amountMsat < BigInt(invoice.valueMsat)) return REFUSED;
      if (arrival.expiryHeight < height + invoice.cltvExpiry) return REFUSED;
    }
    const htlc: InvoiceHtlcRecord = {
      chanId: arrival.chanId,
      htlcIndex: arrival.htlcIndex,
      amtMsat: arrival.amountMsat.toString(),
      acceptHeight: height,
      acceptTimeSec: this.nowSec(),
      resolveTimeSec: 0,
      expiryHeight: arrival.expiryHeight,
      state: 'ACCEPTED',
      customRecords: arrival.customRecords,
      mppTotalAmtMsat: arrival.mpp?.totalAmtMsat ?? '0',
      payer: arrival.payer,
      attemptId: arrival.attemptId,
    };
    invoice.htlcs.push(htlc);
    if (!invoice.isHold) {
      this.settle(invoice);
      return { settle: invoice.preimage as string };
    }
    invoice.state = 'ACCEPTED';
    this.forgetDeadlines(invoice);
    this.ctx.store.touch('invoices', recordKey(invoice.node, invoice.paymentHash));
    this.watchHeld(invoice);
    this.ctx.notify(invoice, 'accepted');
    return { hold: true };
  }

  /** Re-arms the expiry watchers of the invoices on disk (after a restart). */
  restore(): void {
    for (const [key, invoice] of Object.entries(this.state.invoices)) {
      if (invoice.paymentRequest) this.requests.set(invoice.paymentRequest, key);
      if (invoice.state === 'OPEN') this.watchExpiry(invoice);
      if (invoice.state === 'ACCEPTED') this.watchHeld(invoice);
    }
  }

  private insert(node: NodeRecord, invoice: InvoiceRecord): void {
    this.state.invoices[recordKey(node.pubkey, invoice.paymentHash)] = invoice;
    if (invoice.paymentRequest) this.requests.set(invoice.paymentRequest, recordKey(node.pubkey, invoice.paymentHash));
    this.ctx.store.touch('invoices', recordKey(node.pubkey, invoice.paymentHash));
    this.ctx.store.touch('nodes', node.pubkey);
    if (!invoice.isKeysend) this.watchExpiry(invoice);
    this.ctx.notify(invoice, 'added');
  }

  /** processKeySend: an invoice made on the spot, with the preimage the payer sent and a blank payment address. */
  private insertKeysend(node: NodeRecord, arrival: HtlcArrival, preimage: string): void {
    this.insert(node, {
      node: node.pubkey,
      paymentHash: arrival.paymentHash,
      preimage,
      memo: '',
      descriptionHash: '',
      valueMsat: arrival.amountMsat.toString(),
      creationDateSec: this.nowSec(),
      settleDateSec: 0,
      paymentRequest: '',
      expirySec: DEFAULT_INVOICE_EXPIRY_SEC,
      cltvExpiry: DEFAULT_CLTV_EXPIRY,
      private: false,
      addIndex: ++node.addIndex,
      settleIndex: 0,
      amtPaidMsat: '0',
      state: 'OPEN',
      htlcs: [],
      isKeysend: true,
      isHold: false,
      paymentAddr: '00'.repeat(32),
    });
  }

  private settle(invoice: InvoiceRecord): void {
    const node = this.state.nodes[invoice.node];
    const now = this.nowSec();
    for (const htlc of invoice.htlcs) {
      if (htlc.state !== 'ACCEPTED') continue;
      htlc.state = 'SETTLED';
      htlc.resolveTimeSec = now;
    }
    invoice.state = 'SETTLED';
    invoice.settleDateSec = now;
    invoice.settleIndex = ++node.settleIndex;
    invoice.amtPaidMsat = invoice.htlcs
      .filter((h) => h.state === 'SETTLED')
      .reduce((sum, h) => sum + BigInt(h.amtMsat), 0n)
      .toString();
    this.forgetDeadlines(invoice);
    this.ctx.store.touch('invoices', recordKey(invoice.node, invoice.paymentHash));
    this.ctx.store.touch('nodes', node.pubkey);
    this.ctx.notify(invoice, 'settled');
  }

  private watchExpiry(invoice: InvoiceRecord): void {
    const cancelIfOpen = () => {
      if (this.get(invoice.node, invoice.paymentHash)?.state === 'OPEN') this.cancel(invoice.node, invoice.paymentHash);
    };
    this.ctx.deadlines.at(`expiry:${recordKey(invoice.node, invoice.paymentHash)}`, (invoice.creationDateSec + invoice.expirySec) * 1000, cancelIfOpen);
  }

  private watchHeld(invoice: InvoiceRecord): void {
    const firstExpiry = Math.min(...invoice.htlcs.filter((h) => h.state === 'ACCEPTED').map((h) => h.expiryHeight));
    const cancelIfHeld = () => {
      if (this.get(invoice.node, invoice.paymentHash)?.state === 'ACCEPTED') this.cancel(invoice.node, invoice.paymentHash);
    };
    this.ctx.deadlines.at(`held:${recordKey(invoice.node, invoice.paymentHash)}`, this.ctx.chain.timeOfHeight(firstExpiry - HOLD_EXPIRY_DELTA), cancelIfHeld);
  }

  private forgetDeadlines(invoice: InvoiceRecord): void {
    this.ctx.deadlines.cancel(`expiry:${recordKey(invoice.node, invoice.paymentHash)}`);
    this.ctx.deadlines.cancel(`held:${recordKey(invoice.node, invoice.paymentHash)}`);
  }
}
