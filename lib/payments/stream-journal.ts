// What a pay-stream journals (lib/journal), and how a journal is read back into streams after a restart.
// Order of the records for one payment: 'intent' (durable before the payment is sent), then 'paid' or
// 'failed'. An intent with neither after it may have been sent: the driver asks LND (TrackPaymentV2) before it
// pays on. The journal is the stream's ledger too: `npm run ledger -- verify` reads it.

import type { JournalEntry } from '../journal';
import type { Receipt } from '../schemas/payments';
import type { Trade } from '../schemas/market';
import type { MeterPosition } from './delivery';
import { PaymentError } from './errors';
import { TradeStream, type PlannedPayment, type StreamSettings, type TradeStreamState } from './stream';
import type { PaymentFailure } from './backend/types';

export const STREAM_JOURNAL_VERSION = 1;

export interface SecretRecord { secretHex: string; buyer: string }
export interface TradeRecord { trade: Trade; atMs: number; counterWh: number }
export interface IntentRecord {
  payment: PlannedPayment;
  deliveredWh: number;
  meter: MeterPosition;
  /** the result of the trade's payment before it, journaled with this intent to save a sync */
  paid?: PaidRecord;
}
export interface PaidRecord { tradeId: string; interval: number; paymentHash: string; preimage: string; feeMsat: number; atMs: number }
export interface FailedRecord {
  tradeId: string;
  interval: number;
  paymentHash: string;
  reason: PaymentFailure | 'expired' | 'refused';
  message: string;
  atMs: number;
  /** the interval is given up (an invoice refused or expired): the next invoice starts where it started */
  dropped: boolean;
}
export interface ClosedRecord { tradeId: string; atMs: number; reason: string; receipt: Receipt }

export type StreamRecord = SecretRecord | TradeRecord | IntentRecord | PaidRecord | FailedRecord | ClosedRecord;

/** Spend per minute within the last day, for the caps' hourly and daily windows after a restart. */
export type SpendBuckets = Map<number, number>;

export interface StreamSnapshot {
  secretHex: string;
  buyer: string;
  meter?: MeterPosition;
  streams: TradeStreamState[];
  /** trades closed, with their window end, so that a trade sent again is refused as over */
  closed: { tradeId: string; endMs: number }[];
  spends: [number, number][];
}

export interface ReplayedStreams {
  secretHex?: string;
  buyer?: string;
  meter?: MeterPosition;
  streams: Map<string, TradeStream>;
  closed: Map<string, number>;
  spends: SpendBuckets;
}

const MINUTE_MS = 60_000;

export function addSpend(spends: SpendBuckets, atMs: number, msat: number): void {
  const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
  spends.set(minute, (spends.get(minute) ?? 0) + msat);
}

export function pruneSpends(spends: SpendBuckets, nowMs: number): void {
  for (const minute of spends.keys()) if (minute + MINUTE_MS + 86_400_000 <= nowMs) spends.delete(minute);
}

export function replayStreams(
  snapshot: StreamSnapshot | undefined,
  entries: readonly JournalEntry<StreamRecord>[],
  settings: StreamSettings,
  meterId: string,
): ReplayedStreams {
  const out: ReplayedStreams = {
    secretHex: snapshot?.secretHex,
    buyer: snapshot?.buyer,
    meter: snapshot?.meter,
    streams: new Map((snapshot?.streams ?? []).map((state) => [state.trade.id, TradeStream.restore(state, settings)])),
    closed: new Map((snapshot?.closed ?? []).map((c) => [c.tradeId, c.endMs])),
    spends: new Map(snapshot?.spends ?? []),
  };
  const intents = new Map<string, IntentRecord>();
  const paid = (data: PaidRecord) => {
    const intent = intents.get(data.paymentHash);
    out.streams.get(data.tradeId)?.confirmed(data.interval, data.feeMsat, data.atMs);
    if (intent) addSpend(out.spends, intent.payment.plannedAtMs, intent.payment.amountMsat + data.feeMsat);
  };
  for (const entry of entries) {
    switch (entry.kind) {
      case 'secret': {
        const data = entry.data as SecretRecord;
        out.secretHex = data.secretHex;
        out.buyer = data.buyer;
        break;
      }
      case 'trade': {
        const data = entry.data as TradeRecord;
        out.streams.set(data.trade.id, TradeStream.replay(data.trade, out.buyer ?? data.trade.buyer, meterId, settings, data.atMs, data.counterWh));
        break;
      }
      case 'intent': {
        const data = entry.data as IntentRecord;
        if (data.paid) paid(data.paid);
        intents.set(data.payment.paymentHash, data);
        out.streams.get(data.payment.tradeId)?.resume(data.payment, data.deliveredWh);
        if (data.meter && (!out.meter || data.meter.tsMs >= out.meter.tsMs)) out.meter = data.meter;
        break;
      }
      case 'paid':
        paid(entry.data as PaidRecord);
        break;
      case 'failed': {
        const data = entry.data as FailedRecord;
        if (data.dropped) out.streams.get(data.tradeId)?.dropPending(data.interval);
        break;
      }
      case 'closed': {
        const data = entry.data as ClosedRecord;
        const stream = out.streams.get(data.tradeId);
        if (stream) out.closed.set(data.tradeId, Date.parse(stream.state.trade.deliveryEnd));
        out.streams.delete(data.tradeId);
        break;
      }
      default:
        throw new PaymentError('JOURNAL_MISMATCH', `the stream journal has a record of unknown kind '${entry.kind}' (seq ${entry.seq})`);
    }
  }
  return out;
}
