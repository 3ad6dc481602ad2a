// The simulated network's durable state: plain JSON records (money in msat as decimal strings), so that the
// store can write them as they are and a restart reads back exactly what LND would have in its databases.

export interface NodeRecord {
  alias: string;
  color: string;
  pubkey: string;
  privateKey: string;
  /** the macaroon root key under storage id "0" */
  macaroonRootKey: string;
  /** root keys of the other ids BakeMacaroon was asked for (decimal id -> key hex) */
  macaroonRootKeys?: Record<string, string>;
  acceptsKeysend: boolean;
  /** last gRPC port, tried again at the next start so clients keep their socket */
  port: number;
  addIndex: number;
  settleIndex: number;
  paymentIndex: number;
  attemptIndex: number;
}

export interface ChannelPolicy {
  feeBaseMsat: string;
  feePpm: number;
  cltvDelta: number;
  minHtlcMsat: string;
}

/** An HTLC locked on a channel, offered by `fromSide`; its amount has left that side's balance. */
export interface HtlcLock {
  htlcIndex: number;
  fromSide: 0 | 1;
  amountMsat: string;
  paymentHash: string;
  expiryHeight: number;
}

export interface ChannelRecord {
  /** `${from}>${to}#n`: the n-th channel spec between these aliases, matched again at the next start */
  specKey: string;
  chanId: string;
  channelPoint: string;
  capacitySat: string;
  /** node1 opened the channel (the `from` of its spec) */
  nodes: [string, string];
  balanceMsat: [string, string];
  /** policy[i]: what nodes[i] charges to forward out over this channel */
  policy: [ChannelPolicy, ChannelPolicy];
  reserveSat: string;
  pushSat: string;
  sentMsat: [string, string];
  numUpdates: number;
  nextHtlcIndex: number;
  htlcs: HtlcLock[];
  openedAtSec: number;
}

export type InvoiceState = 'OPEN' | 'SETTLED' | 'CANCELED' | 'ACCEPTED';
export type InvoiceHtlcState = 'ACCEPTED' | 'SETTLED' | 'CANCELED';

export interface InvoiceHtlcRecord {
  chanId: string;
  htlcIndex: number;
  amtMsat: string;
  acceptHeight: number;
  acceptTimeSec: number;
  resolveTimeSec: number;
  expiryHeight: number;
  state: InvoiceHtlcState;
  /** TLV type (decimal) -> value hex */
  customRecords: Record<string, string>;
  mppTotalAmtMsat: string;
  /** the payment this HTLC belongs to (simulator bookkeeping, not part of LND's answer) */
  payer: string;
  attemptId: number;
}

export interface InvoiceRecord {
  node: string;
  paymentHash: string;
  /** undefined for a hold invoice until it is settled */
  preimage?: string;
  memo: string;
  descriptionHash: string;
  valueMsat: string;
  creationDateSec: number;
  settleDateSec: number;
  paymentRequest: string;
  expirySec: number;
  cltvExpiry: number;
  private: boolean;
  addIndex: number;
  settleIndex: number;
  amtPaidMsat: string;
  state: InvoiceState;
  htlcs: InvoiceHtlcRecord[];
  isKeysend: boolean;
  isHold: boolean;
  paymentAddr: string;
}

export interface HopRecord {
  chanId: string;
  pubKey: string;
  amtToForwardMsat: string;
  feeMsat: string;
  expiry: number;
  /** final hop only */
  customRecords?: Record<string, string>;
  mpp?: { paymentAddr: string; totalAmtMsat: string };
}

export interface RouteRecord {
  totalTimeLock: number;
  totalAmtMsat: string;
  totalFeesMsat: string;
  hops: HopRecord[];
}

export type AttemptStatus = 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';

export interface AttemptRecord {
  attemptId: number;
  status: AttemptStatus;
  route: RouteRecord;
  attemptTimeNs: string;
  resolveTimeNs: string;
  failure?: { code: string; sourceIndex: number; htlcMsat: string; height: number };
  preimage?: string;
  /** clock ms at which a slowed HTLC reaches the payee; absent once delivered */
  deliverAtMs?: number;
  /** the HTLC is parked by the payer's hold fault and reaches the payee when it is released */
  parked?: boolean;
  /** the HTLC waits at the payee (hold invoice, ACCEPTED) */
  heldByPayee?: boolean;
  /** the HTLCs this attempt locked, one per channel of its route */
  locks: { chanId: string; htlcIndex: number }[];
}

export type PaymentStatus = 'INITIATED' | 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';

export type FailureReason =
  | 'FAILURE_REASON_NONE'
  | 'FAILURE_REASON_TIMEOUT'
  | 'FAILURE_REASON_NO_ROUTE'
  | 'FAILURE_REASON_ERROR'
  | 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS'
  | 'FAILURE_REASON_INSUFFICIENT_BALANCE'
  | 'FAILURE_REASON_CANCELED';

export interface PaymentRecord {
  node: string;
  paymentHash: string;
  destination: string;
  valueMsat: string;
  creationTimeNs: string;
  paymentRequest: string;
  status: PaymentStatus;
  failureReason: FailureReason;
  paymentIndex: number;
  htlcs: AttemptRecord[];
  /** what the route search still needs for retries after a failed attempt */
  intent: {
    feeLimitMsat: string;
    finalCltvDelta: number;
    paymentAddr?: string;
    customRecords: Record<string, string>;
    outgoingChanIds: string[];
    lastHop?: string;
    cltvLimit: number;
  };
}

export interface NetworkState {
  version: 1;
  /** clock ms of block `startHeight` */
  genesisMs: number;
  startHeight: number;
  /** by pubkey */
  nodes: Record<string, NodeRecord>;
  channels: Record<string, ChannelRecord>;
  /** key `${node}/${paymentHash}` */
  invoices: Record<string, InvoiceRecord>;
  /** key `${node}/${paymentHash}` */
  payments: Record<string, PaymentRecord>;
}

export const recordKey = (node: string, paymentHash: string) => `${node}/${paymentHash}`;
