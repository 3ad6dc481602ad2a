// What lib/payments needs of a Lightning node, and nothing more: the streams and gates speak only to this
// interface, so their accounting is tested without gRPC, and ln-service.ts is its one implementation.
//
// Outcomes are three-valued on purpose. A payment call that fails with a transport error or passes our own
// deadline did not tell us whether it was paid: it throws BackendError with unknownOutcome, and the caller asks
// paymentStatus (TrackPaymentV2) before it pays again. Only 'not-found' proves a payment was never sent.

import type { TlvMessage } from '../records';

export type PaymentFailure = 'no-route' | 'rejected' | 'timeout' | 'insufficient-balance' | 'canceled' | 'error';

export type PaymentOutcome =
  | { status: 'confirmed'; preimage: string; feeMsat: number }
  | { status: 'failed'; reason: PaymentFailure; message: string }
  /** in flight */
  | { status: 'pending' }
  /** paymentStatus only: LND never heard of it */
  | { status: 'not-found' };

export interface KeysendPayment {
  destination: string;
  amountMsat: number;
  preimage: string;
  paymentHash: string;
  records: readonly TlvMessage[];
  maxFeeMsat: number;
  /** our deadline for the whole call; LND's path-finding timeout is set to it too */
  timeoutMs: number;
}

export interface RequestPayment {
  request: string;
  /** checked against the request's own amount before sending */
  amountMsat: number;
  maxFeeMsat: number;
  timeoutMs: number;
}

export interface NodeInfo {
  alias: string;
  pubkey: string;
  syncedToChain: boolean;
  syncedToGraph: boolean;
  activeChannels: number;
  pendingChannels: number;
  peers: number;
  version: string;
}

export interface ChannelInfo {
  id: string;
  peer: string;
  active: boolean;
  capacitySat: number;
  localSat: number;
  remoteSat: number;
}

export type InvoiceState = 'open' | 'held' | 'settled' | 'canceled';

export interface IncomingInvoice {
  paymentHash: string;
  /** known once settled; for our hold invoices, ours */
  preimage?: string;
  state: InvoiceState;
  /** what was received (held or settled), msat */
  receivedMsat: number;
  /** the invoice's own amount; 0 for keysend */
  amountMsat: number;
  keysend: boolean;
  /** custom records of the payment's HTLCs */
  records: TlvMessage[];
  /** LND's settle index, for catching up after a restart */
  settleIndex?: number;
  settledAtMs?: number;
}

export interface DecodedRequest {
  destination: string;
  paymentHash: string;
  amountMsat: number;
  expiresAtMs: number;
}

export interface Subscription {
  close(): void;
}

export interface InvoiceHandlers {
  onInvoice(invoice: IncomingInvoice): void;
  /** the subscription ended or broke; it is not restarted: subscribe again */
  onError(err: Error): void;
}

export interface PaymentBackend {
  info(timeoutMs: number): Promise<NodeInfo>;
  channels(timeoutMs: number): Promise<ChannelInfo[]>;
  payKeysend(payment: KeysendPayment): Promise<PaymentOutcome>;
  payRequest(payment: RequestPayment): Promise<PaymentOutcome>;
  /** TrackPaymentV2: the payment's state now */
  paymentStatus(paymentHash: string, timeoutMs: number): Promise<PaymentOutcome>;
  createInvoice(args: { amountMsat: number; description: string; expiresAtMs: number; timeoutMs: number }): Promise<{ request: string; paymentHash: string }>;
  createHoldInvoice(args: { paymentHash: string; amountMsat: number; description: string; expiresAtMs: number; timeoutMs: number }): Promise<{ request: string }>;
  settleHoldInvoice(preimage: string, timeoutMs: number): Promise<void>;
  /** cancels an open or held invoice (a held HTLC goes back to the payer) */
  cancelInvoice(paymentHash: string, timeoutMs: number): Promise<void>;
  lookupInvoice(paymentHash: string, timeoutMs: number): Promise<IncomingInvoice | undefined>;
  /** every invoice added or settled (keysend included), settled ones after settleIndex first */
  subscribeInvoices(handlers: InvoiceHandlers, options: { settledAfter?: number }): Subscription;
  /** one invoice's every change (held and canceled too, which subscribeInvoices never reports) */
  subscribeInvoice(paymentHash: string, handlers: InvoiceHandlers): Subscription;
  /** signs text with the node key (LND SignMessage: zbase32) */
  signMessage(text: string, timeoutMs: number): Promise<string>;
  /** parses a BOLT 11 request locally, signature checked */
  decodeRequest(request: string): DecodedRequest;
}

export type BackendErrorCode =
  /** the node cannot be reached, or a call broke off */
  | 'UNAVAILABLE'
  /** our deadline passed */
  | 'DEADLINE'
  /** the macaroon is missing, forged or lacks a permission */
  | 'PERMISSION'
  /** LND already has a payment with this hash: ask paymentStatus */
  | 'DUPLICATE'
  /** the request was refused as malformed (an invalid invoice, a wrong amount) */
  | 'INVALID'
  /** anything else LND answered */
  | 'LND';

export class BackendError extends Error {
  override name = 'BackendError';

  constructor(
    readonly code: BackendErrorCode,
    message: string,
    /** the call may have had its effect (a payment may be in flight or paid) */
    readonly unknownOutcome: boolean,
  ) {
    super(message);
  }
}
