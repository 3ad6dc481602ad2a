// The PaymentBackend on ln-service (which speaks gRPC to LND through the `lightning` package). Every call has a
// deadline of our own on the FlareGrid clock, because ln-service sets none; every payment carries a fee limit
// (max_fee_mtokens, the msat form of max_fee), because ln-service's default is no limit; and payments go out on
// one path (max_paths 1): keysend cannot be split anyway, and the intervals are small.
//
// ln-service reports errors as arrays [code, 'CamelCaseMessage', {err}] (err a gRPC error); they are turned into
// BackendError here, with unknownOutcome set wherever a payment may have been sent.

import type { AuthenticatedLnd } from 'lightning';
import * as ln from 'ln-service';
import type { Clock } from '../../clock';
import { KEYSEND_PREIMAGE_TYPE, type TlvMessage } from '../records';
import {
  BackendError,
  type ChannelInfo,
  type DecodedRequest,
  type IncomingInvoice,
  type InvoiceHandlers,
  type KeysendPayment,
  type NodeInfo,
  type PaymentBackend,
  type PaymentFailure,
  type PaymentOutcome,
  type RequestPayment,
  type Subscription,
} from './types';

const FAILURES: Record<string, PaymentFailure> = {
  PaymentExecutionCanceled: 'canceled',
  InsufficientBalanceToAttemptPayment: 'insufficient-balance',
  PaymentRejectedByDestination: 'rejected',
  PaymentAttemptsTimedOut: 'timeout',
  PaymentPathfindingFailedToFindPossibleRoute: 'no-route',
  FailedToFindPayableRouteToDestination: 'error',
};

const UNAVAILABLE = /FailedToConnectToDaemon|No connection established|failed to connect|UNAVAILABLE|ECONNREFUSED|ECONNRESET|socket hang up|Connection dropped|LndLocked|unknown service/i;
const PERMISSION = /macaroon|permission denied|verification failed|cannot get macaroon|PermissionDenied/i;
const DUPLICATE = /payment already exists|payment is in transition|invoice is already paid|already exists/i;
const NOT_FOUND_INVOICE = /unable to locate invoice|there are no existing invoices/i;

interface GrpcLike {
  code?: number;
  details?: string;
  message?: string;
}

/** The words of an ln-service error: its message name and the gRPC details under it. */
function errorText(err: unknown): { name: string; text: string; grpcCode?: number } {
  if (Array.isArray(err)) {
    const [, name, extra] = err as [number, string, { err?: GrpcLike } | undefined];
    const inner = extra?.err;
    const details = inner?.details ?? inner?.message ?? '';
    return { name: String(name), text: details ? `${String(name)}: ${details}` : String(name), grpcCode: inner?.code };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { name: message, text: message, grpcCode: (err as GrpcLike | undefined)?.code };
}

function backendError(err: unknown, what: string, mayHaveEffect: boolean): BackendError {
  if (err instanceof BackendError) return err;
  const { text, grpcCode } = errorText(err);
  const message = `${what}: ${text}`;
  if (grpcCode === 6 || DUPLICATE.test(text)) return new BackendError('DUPLICATE', message, true);
  if (grpcCode === 16 || grpcCode === 7 || PERMISSION.test(text)) return new BackendError('PERMISSION', message, false);
  if (grpcCode === 14 || grpcCode === 4 || grpcCode === 1 || UNAVAILABLE.test(text)) return new BackendError('UNAVAILABLE', message, mayHaveEffect);
  if (grpcCode === 3) return new BackendError('INVALID', message, false);
  return new BackendError('LND', message, mayHaveEffect);
}

export class LnServiceBackend implements PaymentBackend {
  constructor(
    readonly lnd: AuthenticatedLnd,
    private readonly clock: Clock,
  ) {}

  async info(timeoutMs: number): Promise<NodeInfo> {
    const info = await this.call('getWalletInfo', timeoutMs, false, () => ln.getWalletInfo({ lnd: this.lnd }));
    return {
      alias: info.alias,
      pubkey: info.public_key,
      syncedToChain: info.is_synced_to_chain,
      syncedToGraph: info.is_synced_to_graph ?? false,
      activeChannels: info.active_channels_count,
      pendingChannels: info.pending_channels_count,
      peers: info.peers_count,
      version: info.version,
    };
  }

  async channels(timeoutMs: number): Promise<ChannelInfo[]> {
    const { channels } = await this.call('getChannels', timeoutMs, false, () => ln.getChannels({ lnd: this.lnd }));
    return channels.map((c) => ({
      id: c.id,
      peer: c.partner_public_key,
      active: c.is_active,
      capacitySat: c.capacity,
      localSat: c.local_balance,
      remoteSat: c.remote_balance,
    }));
  }

  payKeysend(payment: KeysendPayment): Promise<PaymentOutcome> {
    const messages: TlvMessage[] = [{ type: KEYSEND_PREIMAGE_TYPE, value: payment.preimage }, ...payment.records];
    return this.pay('keysend payment', payment.timeoutMs, () =>
      ln.payViaPaymentDetails({
        lnd: this.lnd,
        id: payment.paymentHash,
        destination: payment.destination,
        mtokens: String(payment.amountMsat),
        messages,
        max_fee_mtokens: String(payment.maxFeeMsat),
        max_paths: 1,
        pathfinding_timeout: payment.timeoutMs,
      }),
    );
  }

  payRequest(payment: RequestPayment): Promise<PaymentOutcome> {
    const decoded = this.decodeRequest(payment.request);
    if (decoded.amountMsat !== payment.amountMsat) {
      return Promise.reject(new BackendError('INVALID', `the invoice asks ${decoded.amountMsat} msat, not ${payment.amountMsat}`, false));
    }
    return this.pay('invoice payment', payment.timeoutMs, () =>
      ln.payViaPaymentRequest({
        lnd: this.lnd,
        request: payment.request,
        max_fee_mtokens: String(payment.maxFeeMsat),
        max_paths: 1,
        pathfinding_timeout: payment.timeoutMs,
      }),
    );
  }

  async paymentStatus(paymentHash: string, timeoutMs: number): Promise<PaymentOutcome> {
    try {
      const status = await this.deadline(ln.getPayment({ lnd: this.lnd, id: paymentHash }), timeoutMs, 'payment status');
      if (status.is_confirmed && status.payment) return { status: 'confirmed', preimage: status.payment.secret, feeMsat: Number(status.payment.fee_mtokens) };
      if (status.is_failed) return { status: 'failed', reason: failureOf(status.failed), message: 'LND reports the payment failed' };
      return { status: 'pending' };
    } catch (err) {
      if (Array.isArray(err) && err[1] === 'SentPaymentNotFound') return { status: 'not-found' };
      throw backendError(err, 'payment status', false);
    }
  }

  async createInvoice(args: { amountMsat: number; description: string; expiresAtMs: number; timeoutMs: number }): Promise<{ request: string; paymentHash: string }> {
    const created = await this.call('createInvoice', args.timeoutMs, true, () =>
      ln.createInvoice({ lnd: this.lnd, mtokens: String(args.amountMsat), description: args.description, expires_at: new Date(args.expiresAtMs).toISOString() }),
    );
    return { request: created.request, paymentHash: created.id };
  }

  async createHoldInvoice(args: { paymentHash: string; amountMsat: number; description: string; expiresAtMs: number; timeoutMs: number }): Promise<{ request: string }> {
    const created = await this.call('createHodlInvoice', args.timeoutMs, true, () =>
      ln.createHodlInvoice({
        lnd: this.lnd,
        id: args.paymentHash,
        mtokens: String(args.amountMsat),
        description: args.description,
        expires_at: new Date(args.expiresAtMs).toISOString(),
      }),
    );
    return { request: created.request };
  }

  async settleHoldInvoice(preimage: string, timeoutMs: number): Promise<void> {
    await this.call('settleHodlInvoice', timeoutMs, true, () => ln.settleHodlInvoice({ lnd: this.lnd, secret: preimage }));
  }

  async cancelInvoice(paymentHash: string, timeoutMs: number): Promise<void> {
    await this.call('cancelHodlInvoice', timeoutMs, true, () => ln.cancelHodlInvoice({ lnd: this.lnd, id: paymentHash }));
  }

  async lookupInvoice(paymentHash: string, timeoutMs: number): Promise<IncomingInvoice | undefined> {
    try {
      const invoice = await this.deadline(ln.getInvoice({ lnd: this.lnd, id: paymentHash }), timeoutMs, 'getInvoice');
      return incomingInvoice(invoice as unknown as LnInvoice);
    } catch (err) {
      if (NOT_FOUND_INVOICE.test(errorText(err).text)) return undefined;
      throw backendError(err, 'getInvoice', false);
    }
  }

  subscribeInvoices(handlers: InvoiceHandlers, options: { settledAfter?: number }): Subscription {
    return this.subscribe('subscribeToInvoices', handlers, () =>
      ln.subscribeToInvoices({ lnd: this.lnd, confirmed_after: options.settledAfter || undefined, restart_delay_ms: 1000 }),
    );
  }

  subscribeInvoice(paymentHash: string, handlers: InvoiceHandlers): Subscription {
    return this.subscribe('subscribeToInvoice', handlers, () => ln.subscribeToInvoice({ lnd: this.lnd, id: paymentHash }));
  }

  async signMessage(text: string, timeoutMs: number): Promise<string> {
    const { signature } = await this.call('signMessage', timeoutMs, false, () => ln.signMessage({ lnd: this.lnd, message: text }));
    return signature;
  }

  decodeRequest(request: string): DecodedRequest {
    try {
      const parsed = ln.parsePaymentRequest({ request });
      return { destination: parsed.destination, paymentHash: parsed.id, amountMsat: Number(parsed.mtokens ?? 0), expiresAtMs: Date.parse(parsed.expires_at) };
    } catch (err) {
      throw new BackendError('INVALID', `not a valid BOLT 11 payment request: ${(err as Error).message}`, false);
    }
  }

  private async pay(what: string, timeoutMs: number, send: () => Promise<{ secret: string; fee_mtokens: string }>): Promise<PaymentOutcome> {
    try {
      const paid = await this.deadline(send(), timeoutMs, what);
      return { status: 'confirmed', preimage: paid.secret, feeMsat: Number(paid.fee_mtokens) };
    } catch (err) {
      const name = Array.isArray(err) ? String(err[1]) : undefined;
      const reason = name === undefined ? undefined : FAILURES[name];
      if (reason) return { status: 'failed', reason, message: `${what}: ${name}` };
      throw backendError(err, what, true);
    }
  }

  private async call<T>(what: string, timeoutMs: number, mayHaveEffect: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await this.deadline(run(), timeoutMs, what);
    } catch (err) {
      throw backendError(err, what, mayHaveEffect);
    }
  }

  private subscribe(what: string, handlers: InvoiceHandlers, start: () => import('node:events').EventEmitter): Subscription {
    const emitter = start();
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      // ln-service cancels the gRPC stream, and stops its own restarts, once the last listener is gone.
      emitter.removeAllListeners();
    };
    emitter.on('invoice_updated', (invoice: LnInvoice) => {
      if (open) handlers.onInvoice(incomingInvoice(invoice));
    });
    emitter.on('error', (err: unknown) => {
      if (!open) return;
      close();
      handlers.onError(backendError(err, what, false));
    });
    emitter.on('end', () => {
      if (!open) return;
      close();
      handlers.onError(new BackendError('UNAVAILABLE', `${what}: the subscription ended`, false));
    });
    return { close };
  }

  /** Rejects with DEADLINE after timeoutMs on our clock; the call itself runs on (ln-service cannot cancel it). */
  private deadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new BackendError('DEADLINE', `${what}: no answer within ${timeoutMs} ms`, true)), timeoutMs);
      promise.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (err: unknown) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  }
}

interface LnInvoice {
  id: string;
  secret?: string;
  is_confirmed: boolean;
  is_held?: boolean;
  is_canceled?: boolean;
  is_push?: boolean;
  mtokens: string;
  received_mtokens: string;
  confirmed_at?: string;
  confirmed_index?: number;
  payments: { messages: TlvMessage[]; is_canceled: boolean }[];
}

function incomingInvoice(invoice: LnInvoice): IncomingInvoice {
  const state = invoice.is_confirmed ? 'settled' : invoice.is_canceled ? 'canceled' : invoice.is_held ? 'held' : 'open';
  const zero = /^0*$/;
  return {
    paymentHash: invoice.id,
    preimage: invoice.secret && !zero.test(invoice.secret) ? invoice.secret : undefined,
    state,
    receivedMsat: Number(invoice.received_mtokens ?? 0),
    amountMsat: Number(invoice.mtokens ?? 0),
    keysend: invoice.is_push === true,
    records: invoice.payments.filter((p) => !p.is_canceled).flatMap((p) => p.messages),
    settleIndex: invoice.confirmed_index,
    settledAtMs: invoice.confirmed_at ? Date.parse(invoice.confirmed_at) : undefined,
  };
}

function failureOf(failed: { is_insufficient_balance: boolean; is_invalid_payment: boolean; is_pathfinding_timeout: boolean; is_route_not_found: boolean } | undefined): PaymentFailure {
  if (!failed) return 'error';
  if (failed.is_insufficient_balance) return 'insufficient-balance';
  if (failed.is_invalid_payment) return 'rejected';
  if (failed.is_pathfinding_timeout) return 'timeout';
  if (failed.is_route_not_found) return 'no-route';
  return (failed as { is_canceled?: boolean }).is_canceled ? 'canceled' : 'error';
}
