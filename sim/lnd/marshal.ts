// Records as LND's RPC messages (lnrpc/invoicesrpc CreateRPCInvoice, routerrpc MarshallPayment and
// MarshallRoute, rpcserver createRPCOpenChannel): every field the parsers of ln-service need, int64 as decimal
// strings, bytes as Buffers, enums by name.
import type { Side } from './channels';
import type { AttemptRecord, ChannelRecord, HopRecord, InvoiceRecord, PaymentRecord, RouteRecord } from './state';

const sat = (msat: string | bigint) => (BigInt(msat) / 1000n).toString();
const hex = (h: string | undefined) => Buffer.from(h ?? '', 'hex');
const records = (r: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(r ?? {}).map(([type, value]) => [type, hex(value)]));

const feature = (name: string, isRequired: boolean) => ({ name, is_required: isRequired, is_known: true });

export const INVOICE_FEATURES = {
  8: feature('tlv-onion', true),
  14: feature('payment-addr', true),
  17: feature('multi-path-payments', false),
};

/** lnd's default node feature set (feature/default_sets.go), with keysend (55) when it accepts keysend. */
export function nodeFeatures(acceptsKeysend: boolean): Record<number, ReturnType<typeof feature>> {
  const features: Record<number, ReturnType<typeof feature>> = {
    0: feature('data-loss-protect', true),
    5: feature('upfront-shutdown-script', false),
    7: feature('gossip-queries', false),
    9: feature('tlv-onion', false),
    12: feature('static-remote-key', true),
    14: feature('payment-addr', true),
    17: feature('multi-path-payments', false),
    23: feature('anchors-zero-fee-htlc-tx', false),
    27: feature('shutdown-any-segwit', false),
    31: feature('amp', false),
  };
  if (acceptsKeysend) features[55] = feature('keysend', false);
  return features;
}

export function rpcInvoice(i: InvoiceRecord) {
  return {
    memo: i.memo,
    r_preimage: hex(i.preimage),
    r_hash: hex(i.paymentHash),
    value: sat(i.valueMsat),
    value_msat: i.valueMsat,
    settled: i.state === 'SETTLED',
    creation_date: String(i.creationDateSec),
    settle_date: String(i.settleDateSec),
    payment_request: i.paymentRequest,
    description_hash: hex(i.descriptionHash),
    expiry: String(i.expirySec),
    fallback_addr: '',
    cltv_expiry: String(i.cltvExpiry),
    route_hints: [],
    private: i.private,
    add_index: String(i.addIndex),
    settle_index: String(i.settleIndex),
    amt_paid: i.amtPaidMsat, // the deprecated field is in msat, as in lnd
    amt_paid_sat: sat(i.amtPaidMsat),
    amt_paid_msat: i.amtPaidMsat,
    state: i.state,
    htlcs: i.htlcs.map((h) => ({
      chan_id: h.chanId,
      htlc_index: String(h.htlcIndex),
      amt_msat: h.amtMsat,
      accept_height: h.acceptHeight,
      accept_time: String(h.acceptTimeSec),
      resolve_time: String(h.resolveTimeSec),
      expiry_height: h.expiryHeight,
      state: h.state,
      custom_records: records(h.customRecords),
      mpp_total_amt_msat: h.mppTotalAmtMsat,
      amp: null,
    })),
    features: i.isKeysend ? {} : INVOICE_FEATURES,
    is_keysend: i.isKeysend,
    payment_addr: hex(i.paymentAddr),
    is_amp: false,
    amp_invoice_state: {},
    is_blinded: false,
  };
}

function rpcHop(h: HopRecord, incomingMsat: string) {
  return {
    chan_id: h.chanId,
    chan_capacity: sat(incomingMsat), // lnd fills this with the incoming amount, not the channel's capacity
    amt_to_forward: sat(h.amtToForwardMsat),
    fee: sat(h.feeMsat),
    expiry: h.expiry,
    amt_to_forward_msat: h.amtToForwardMsat,
    fee_msat: h.feeMsat,
    pub_key: h.pubKey,
    tlv_payload: true,
    mpp_record: h.mpp ? { payment_addr: hex(h.mpp.paymentAddr), total_amt_msat: h.mpp.totalAmtMsat } : null,
    amp_record: null,
    custom_records: records(h.customRecords),
    metadata: Buffer.alloc(0),
    total_amt_msat: h.mpp?.totalAmtMsat ?? '0',
  };
}

export function rpcRoute(r: RouteRecord) {
  return {
    total_time_lock: r.totalTimeLock,
    total_fees: sat(r.totalFeesMsat),
    total_amt: sat(r.totalAmtMsat),
    hops: r.hops.map((h, i) => rpcHop(h, i === 0 ? r.totalAmtMsat : r.hops[i - 1].amtToForwardMsat)),
    total_fees_msat: r.totalFeesMsat,
    total_amt_msat: r.totalAmtMsat,
    first_hop_amount_msat: '0',
  };
}

function rpcAttempt(a: AttemptRecord) {
  return {
    attempt_id: String(a.attemptId),
    status: a.status,
    route: rpcRoute(a.route),
    attempt_time_ns: a.attemptTimeNs,
    resolve_time_ns: a.resolveTimeNs,
    failure: a.failure
      ? {
          code: a.failure.code,
          channel_update: null,
          htlc_msat: a.failure.htlcMsat,
          onion_sha_256: Buffer.alloc(0),
          cltv_expiry: 0,
          flags: 0,
          failure_source_index: a.failure.sourceIndex,
          height: a.failure.height,
        }
      : null,
    preimage: hex(a.preimage),
  };
}

export function rpcPayment(p: PaymentRecord, omitHops = false) {
  const settled = p.htlcs.filter((a) => a.status === 'SUCCEEDED');
  const feeMsat = settled.reduce((sum, a) => sum + BigInt(a.route.totalFeesMsat), 0n);
  const htlcs = p.htlcs.map(rpcAttempt);
  if (omitHops) for (const h of htlcs) h.route.hops = [];
  return {
    payment_hash: p.paymentHash,
    value: sat(p.valueMsat),
    creation_date: (BigInt(p.creationTimeNs) / 1_000_000_000n).toString(),
    path: [],
    fee: sat(feeMsat),
    payment_preimage: settled[0]?.preimage ?? '0'.repeat(64),
    value_sat: sat(p.valueMsat),
    value_msat: p.valueMsat,
    payment_request: p.paymentRequest,
    // lnd reports INITIATED as IN_FLIGHT unless routerrpc.usestatusinitiated is set
    status: p.status === 'INITIATED' ? 'IN_FLIGHT' : p.status,
    fee_sat: sat(feeMsat),
    fee_msat: feeMsat.toString(),
    creation_time_ns: p.creationTimeNs,
    htlcs,
    payment_index: String(p.paymentIndex),
    failure_reason: p.failureReason,
    first_hop_custom_records: {},
  };
}

export interface ChannelView {
  channel: ChannelRecord;
  side: Side;
  active: boolean;
  nowSec: number;
  peerAlias: string;
}

function constraints(c: ChannelRecord, side: Side) {
  return {
    csv_delay: 144,
    chan_reserve_sat: c.reserveSat,
    dust_limit_sat: '354',
    max_pending_amt_msat: ((BigInt(c.capacitySat) * 1000n * 99n) / 100n).toString(),
    min_htlc_msat: c.policy[side].minHtlcMsat,
    max_accepted_htlcs: 483,
  };
}

export function rpcChannel({ channel: c, side, active, nowSec, peerAlias }: ChannelView) {
  const remote: Side = side === 0 ? 1 : 0;
  const unsettled = c.htlcs.reduce((sum, h) => sum + BigInt(h.amountMsat), 0n);
  return {
    active,
    remote_pubkey: c.nodes[remote],
    channel_point: c.channelPoint,
    chan_id: c.chanId,
    capacity: c.capacitySat,
    local_balance: sat(c.balanceMsat[side]),
    remote_balance: sat(c.balanceMsat[remote]),
    commit_fee: '0',
    commit_weight: '0',
    fee_per_kw: '0',
    unsettled_balance: sat(unsettled),
    total_satoshis_sent: sat(c.sentMsat[side]),
    total_satoshis_received: sat(c.sentMsat[remote]),
    num_updates: String(c.numUpdates),
    pending_htlcs: c.htlcs.map((h) => ({
      incoming: h.fromSide !== side,
      amount: sat(h.amountMsat),
      hash_lock: hex(h.paymentHash),
      expiration_height: h.expiryHeight,
      htlc_index: String(h.htlcIndex),
      forwarding_channel: '0',
      forwarding_htlc_index: '0',
      locked_in: true,
    })),
    csv_delay: 144,
    private: false,
    initiator: side === 0,
    chan_status_flags: 'ChanStatusDefault',
    local_chan_reserve_sat: c.reserveSat,
    remote_chan_reserve_sat: c.reserveSat,
    static_remote_key: true,
    commitment_type: 'ANCHORS',
    lifetime: String(Math.max(0, nowSec - c.openedAtSec)),
    uptime: String(Math.max(0, nowSec - c.openedAtSec)),
    close_address: '',
    push_amount_sat: c.pushSat,
    thaw_height: 0,
    local_constraints: constraints(c, side),
    remote_constraints: constraints(c, remote),
    alias_scids: [],
    zero_conf: false,
    zero_conf_confirmed_scid: '0',
    peer_alias: peerAlias,
    peer_scid_alias: '0',
    memo: '',
    custom_channel_data: Buffer.alloc(0),
  };
}
