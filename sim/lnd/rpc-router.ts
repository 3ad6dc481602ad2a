// routerrpc.Router: SendPaymentV2 with lnd's request checks (router_backend.go extractIntentFromSendRequest),
// and the payment streams of TrackPaymentV2 and TrackPayments (router_server.go trackPaymentStream): the
// current state at once, every update, and after a terminal one the stream ends OK.
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { lndError, notFound } from './errors';
import { KEYSEND_TYPE } from './invoices';
import { rpcPayment } from './marshal';
import { BLOCK_PADDING, type SendIntent } from './payments';
import { amountMsat, hash32, tlvRecords, vertex } from './rpc-util';
import type { RpcContext, ServiceHandlers } from './rpc-context';
import type { PaymentRecord } from './state';
import type { StreamSink } from './streams';

/** routerrpc MaxTotalTimelock (the default cltv_limit) and lnd's default time_lock_delta as final CLTV delta. */
const MAX_TOTAL_TIMELOCK = 2016;
const DEFAULT_FINAL_CLTV_DELTA = 80;
const CUSTOM_TYPE_START = 65536n;
/** router_server.go routeFeeLimitSat: the fee limit of EstimateRouteFee's searches and probes */
const ROUTE_FEE_LIMIT_MSAT = 100_000_000n * 1000n;

export interface SendPaymentRequest {
  dest: Buffer;
  amt: string;
  amt_msat: string;
  payment_hash: Buffer;
  final_cltv_delta: number;
  payment_request: string;
  timeout_seconds: number;
  fee_limit_sat: string;
  fee_limit_msat: string;
  outgoing_chan_id: string;
  outgoing_chan_ids: string[];
  last_hop_pubkey: Buffer;
  cltv_limit: number;
  dest_custom_records: Record<string, Buffer>;
  allow_self_payment: boolean;
  max_shard_size_msat: string;
  amp: boolean;
  time_pref: number;
  payment_addr: Buffer;
  no_inflight_updates: boolean;
}

/** Go's time.Time String(): "2026-12-01 07:55:55 +0000 UTC" */
const goTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC');

export function sendIntent(ctx: RpcContext, req: SendPaymentRequest): SendIntent {
  if (req.time_pref < -1 || req.time_pref > 1) throw lndError('time preference out of range');
  const outgoingChanIds = [...(req.outgoing_chan_ids ?? []), ...(req.outgoing_chan_id && req.outgoing_chan_id !== '0' ? [req.outgoing_chan_id] : [])];
  const lastHop = req.last_hop_pubkey?.length ? vertex(req.last_hop_pubkey) : undefined;
  const cltvLimit = req.cltv_limit || MAX_TOTAL_TIMELOCK;
  if (cltvLimit > MAX_TOTAL_TIMELOCK) throw lndError(`total time lock of ${cltvLimit} exceeds max allowed ${MAX_TOTAL_TIMELOCK}`);
  const feeLimitMsat = amountMsat(req.fee_limit_sat, req.fee_limit_msat);
  const customRecords = tlvRecords(req.dest_custom_records);
  if (Object.keys(customRecords).some((type) => BigInt(type) < CUSTOM_TYPE_START)) {
    throw lndError(`no custom records with types below ${CUSTOM_TYPE_START} allowed`);
  }
  if (customRecords[KEYSEND_TYPE] !== undefined && BigInt(req.max_shard_size_msat || '0') > 0n) {
    throw lndError('keysend payments cannot specify a max shard amount - MPP not supported with keysend payments');
  }
  const requested = amountMsat(req.amt, req.amt_msat);
  const base = { feeLimitMsat: feeLimitMsat.toString(), customRecords, outgoingChanIds, lastHop, cltvLimit };
  let intent: SendIntent;
  if (req.payment_request) {
    if (req.dest?.length) throw lndError('dest and payment_request cannot appear together');
    if (req.payment_hash?.length) throw lndError('payment_hash and payment_request cannot appear together');
    if (req.final_cltv_delta) throw lndError('final_cltv_delta and payment_request cannot appear together');
    let d;
    try {
      d = ctx.network.decodePaymentRequest(req.payment_request);
    } catch (err) {
      throw lndError((err as Error).message);
    }
    if (d.network !== 'regtest') throw lndError("invoice not for current active network 'regtest'");
    const validUntilMs = (d.createdAtSec + d.expirySec) * 1000;
    if (ctx.network.clock.nowMs() > validUntilMs) throw lndError(`invoice expired. Valid until ${goTime(validUntilMs)}`);
    if (!d.paymentAddr) throw lndError('payment request must contain either a payment address or blinded paths');
    if (d.valueMsat === 0n && requested === 0n) throw lndError('amount must be specified when paying a zero amount invoice');
    if (d.valueMsat !== 0n && requested !== 0n) throw lndError('amount must not be specified when paying a non-zero amount invoice');
    if (d.features.includes(30) || d.features.includes(31)) {
      throw lndError('the AMP flag (--amp or SendPaymentRequest.Amp) must be set to pay an AMP invoice');
    }
    intent = {
      ...base,
      destination: d.destination,
      paymentHash: d.paymentHash,
      amountMsat: d.valueMsat || requested,
      finalCltvDelta: d.cltvExpiry,
      paymentAddr: d.paymentAddr,
      paymentRequest: req.payment_request,
    };
  } else {
    const destination = vertex(req.dest);
    if (requested === 0n) throw lndError('amount must be specified');
    if (req.amp) throw lndError('AMP payments are not supported by this simulator');
    intent = {
      ...base,
      destination,
      paymentHash: hash32(req.payment_hash).toString('hex'),
      amountMsat: requested,
      finalCltvDelta: req.final_cltv_delta || DEFAULT_FINAL_CLTV_DELTA,
      paymentAddr: req.payment_addr?.length ? hash32(req.payment_addr).toString('hex') : undefined,
      paymentRequest: '',
    };
  }
  if (!req.allow_self_payment && intent.destination === ctx.node.pubkey) throw lndError('self-payments not allowed');
  return intent;
}

/** Streams one payment's states until it is terminal. */
function track(ctx: RpcContext, payment: PaymentRecord, sink: StreamSink, noInflightUpdates: boolean, dropAfterSettle = false): void {
  const { network } = ctx;
  const write = (p: PaymentRecord) => {
    const terminal = p.status === 'SUCCEEDED' || p.status === 'FAILED';
    if (!terminal && noInflightUpdates) return;
    if (p.status === 'SUCCEEDED' && dropAfterSettle) return sink.fail({ grpcCode: status.UNAVAILABLE, message: 'Connection dropped' });
    sink.send(rpcPayment(p));
    if (terminal) sink.end();
  };
  const listener = (p: PaymentRecord) => {
    if (p.node === payment.node && p.paymentHash === payment.paymentHash) write(p);
  };
  network.events.on('payment', listener);
  sink.onClose(() => network.events.off('payment', listener));
  write(payment);
}

/** Resolves with the payment once it is SUCCEEDED or FAILED. */
function settled(ctx: RpcContext, payment: PaymentRecord): Promise<PaymentRecord> {
  return new Promise((resolve) => {
    const listener = (p: PaymentRecord) => {
      if (p.node !== payment.node || p.paymentHash !== payment.paymentHash || (p.status !== 'SUCCEEDED' && p.status !== 'FAILED')) return;
      ctx.network.events.off('payment', listener);
      resolve(p);
    };
    ctx.network.events.on('payment', listener);
  });
}

/**
 * EstimateRouteFee (router_server.go): with `dest` a route search on the graph; with a payment request a probe,
 * a real payment to the payee under a random hash, whose refusal (INCORRECT_PAYMENT_DETAILS) tells the fee. The
 * probe stays in the payer's payment list as FAILED, as lnd's does.
 */
async function estimateRouteFee(ctx: RpcContext, req: { dest: Buffer; amt_sat: string; payment_request: string; outgoing_chan_ids: string[] }) {
  const { network, node } = ctx;
  const byDest = req.dest?.length > 0;
  if (byDest === Boolean(req.payment_request)) throw lndError('specify either a destination or an invoice');
  const outgoingChanIds = req.outgoing_chan_ids ?? [];
  if (byDest) {
    if (req.dest.length !== 33) throw lndError('invalid length destination key');
    if (BigInt(req.amt_sat || '0') <= 0n) throw lndError('amount must be greater than 0');
    const result = network.payments.route({
      source: node.pubkey,
      target: req.dest.toString('hex'),
      amountMsat: BigInt(req.amt_sat) * 1000n,
      feeLimitMsat: ROUTE_FEE_LIMIT_MSAT,
      finalCltvDelta: DEFAULT_FINAL_CLTV_DELTA,
      cltvLimit: MAX_TOTAL_TIMELOCK,
      outgoingChanIds,
      excluded: new Set(),
    });
    if ('failure' in result) {
      throw lndError(result.failure === 'FAILURE_REASON_INSUFFICIENT_BALANCE' ? 'insufficient local balance' : 'unable to find a path to destination');
    }
    return {
      routing_fee_msat: result.route.totalFeesMsat,
      time_lock_delay: String(result.route.totalTimeLock + BLOCK_PADDING),
      failure_reason: 'FAILURE_REASON_NONE',
    };
  }
  let d;
  try {
    d = network.decodePaymentRequest(req.payment_request);
  } catch (err) {
    throw lndError((err as Error).message);
  }
  if (d.valueMsat <= 0n) throw lndError('payment request amount must be greater than 0');
  const probe = network.payments.send(node, {
    destination: d.destination,
    paymentHash: randomBytes(32).toString('hex'),
    amountMsat: d.valueMsat,
    paymentRequest: '',
    feeLimitMsat: ROUTE_FEE_LIMIT_MSAT.toString(),
    finalCltvDelta: d.cltvExpiry,
    paymentAddr: d.paymentAddr,
    customRecords: {},
    outgoingChanIds,
    cltvLimit: MAX_TOTAL_TIMELOCK,
  });
  const done = await settled(ctx, probe);
  if (done.status === 'SUCCEEDED') {
    throw lndError('warning, the fee estimation payment probe unexpectedly succeeded. Please reachout to the probe destination to negotiate a refund. Otherwise the payment probe amount is lost forever');
  }
  const last = done.htlcs[done.htlcs.length - 1];
  if (done.failureReason !== 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' || !last) {
    return { routing_fee_msat: '0', time_lock_delay: '0', failure_reason: done.failureReason };
  }
  return { routing_fee_msat: last.route.totalFeesMsat, time_lock_delay: String(last.route.totalTimeLock), failure_reason: 'FAILURE_REASON_NONE' };
}

export function routerHandlers(ctx: RpcContext): ServiceHandlers {
  const { network, node } = ctx;
  return {
    unary: {
      EstimateRouteFee: (req) => estimateRouteFee(ctx, req),
    },
    streams: {
      SendPaymentV2: (req: SendPaymentRequest, sink: StreamSink) => {
        const payment = network.payments.send(node, sendIntent(ctx, req));
        track(ctx, payment, sink, req.no_inflight_updates, network.faults(node.pubkey).dropPaymentStreamAfterSettle);
      },

      TrackPaymentV2: (req: { payment_hash: Buffer; no_inflight_updates: boolean }, sink: StreamSink) => {
        const payment = network.payments.get(node.pubkey, hash32(req.payment_hash).toString('hex'));
        if (!payment) throw notFound("payment isn't initiated");
        track(ctx, payment, sink, req.no_inflight_updates);
      },

      TrackPayments: (req: { no_inflight_updates: boolean }, sink: StreamSink) => {
        const listener = (p: PaymentRecord) => {
          const terminal = p.status === 'SUCCEEDED' || p.status === 'FAILED';
          if (p.node === node.pubkey && (terminal || !req.no_inflight_updates)) sink.send(rpcPayment(p));
        };
        network.events.on('payment', listener);
        sink.onClose(() => network.events.off('payment', listener));
      },
    },
  };
}
