// The payee's ledger: a hash-chained journal (lib/journal, full history kept) of every trade, delivery,
// invoice, payment, receipt and cut-off of a gate, in the order they happened. It is the gate's state after a
// restart and the audit trail `npm run ledger -- verify` checks: for each trade, that the energy delivered was
// paid to the msat, each payment with a valid preimage.

import type { JournalEntry } from '../journal';
import type { Trade } from '../schemas/market';
import type { CutOff, Receipt } from '../schemas/payments';
import type { MeterPosition } from './delivery';
import { PaymentError } from './errors';
import { GateTrade, type GateSettings, type GateTradeState, type OpenInvoice } from './gate';

export const GATE_LEDGER_VERSION = 1;

export interface GateRecord { secretHex: string; seller: string }
export interface GateTradeRecord { trade: Trade; atMs: number }
export interface DeliveredRecord { tradeId: string; deliveredWh: number; meterId: string; meter: MeterPosition }
export interface InvoiceRecord { tradeId: string; invoice: OpenInvoice }
export interface HeldRecord { tradeId: string; paymentHash: string; atMs: number }
export interface CanceledRecord { tradeId: string; paymentHash: string; reason: string; atMs: number }
export interface PaymentRecord {
  tradeId: string;
  interval: number;
  paymentHash: string;
  preimage: string;
  amountMsat: number;
  totalMsat: number;
  fromWh: number;
  toWh: number;
  via: 'keysend' | 'invoice' | 'hold';
  atMs: number;
  /** LND's settle index of the invoice, the cursor for catching up after a restart */
  settleIndex?: number;
  /** a payment counted although something was wrong with it (PaymentError code) */
  problem?: string;
}
/** money received that no open trade could take */
export interface UnattributedRecord { tradeId?: string; paymentHash: string; amountMsat: number; preimage?: string; reason: string; atMs: number; settleIndex?: number }
export interface ReceiptRecord { receipt: Receipt }
export interface DecisionRecord { decision: CutOff }
export interface GateClosedRecord { tradeId: string; atMs: number; reason: string; deliveredWh: number; receivedMsat: number; owedMsat: number }

export type GateLedgerRecord =
  | GateRecord
  | GateTradeRecord
  | DeliveredRecord
  | InvoiceRecord
  | HeldRecord
  | CanceledRecord
  | PaymentRecord
  | UnattributedRecord
  | ReceiptRecord
  | DecisionRecord
  | GateClosedRecord;

export interface GateLane {
  trade: GateTrade;
  /** payment hashes counted, so that a payment reported twice counts once */
  hashes: Set<string>;
}

export interface GateSnapshot {
  secretHex: string;
  seller: string;
  trades: (GateTradeState & { hashes: string[] })[];
  meters: [string, MeterPosition][];
  closed: [string, number][];
  settleIndex: number;
}

export interface ReplayedGate {
  secretHex?: string;
  seller?: string;
  lanes: Map<string, GateLane>;
  meters: Map<string, MeterPosition>;
  closed: Map<string, number>;
  settleIndex: number;
}

export function replayGate(snapshot: GateSnapshot | undefined, entries: readonly JournalEntry<GateLedgerRecord>[], settings: GateSettings): ReplayedGate {
  const out: ReplayedGate = {
    secretHex: snapshot?.secretHex,
    seller: snapshot?.seller,
    lanes: new Map(
      (snapshot?.trades ?? []).map(({ hashes, ...state }) => [state.trade.id, { trade: GateTrade.restore(state, settings), hashes: new Set(hashes) }]),
    ),
    meters: new Map(snapshot?.meters ?? []),
    closed: new Map(snapshot?.closed ?? []),
    settleIndex: snapshot?.settleIndex ?? 0,
  };
  const lane = (tradeId: string) => out.lanes.get(tradeId);
  for (const entry of entries) {
    switch (entry.kind) {
      case 'gate': {
        const data = entry.data as GateRecord;
        out.secretHex = data.secretHex;
        out.seller = data.seller;
        break;
      }
      case 'trade': {
        const data = entry.data as GateTradeRecord;
        out.lanes.set(data.trade.id, { trade: GateTrade.replay(data.trade, settings, data.atMs), hashes: new Set() });
        break;
      }
      case 'delivered': {
        const data = entry.data as DeliveredRecord;
        lane(data.tradeId)?.trade.setDelivered(data.deliveredWh);
        const known = out.meters.get(data.meterId);
        if (!known || data.meter.tsMs >= known.tsMs) out.meters.set(data.meterId, data.meter);
        break;
      }
      case 'invoice': {
        const data = entry.data as InvoiceRecord;
        lane(data.tradeId)?.trade.issued(data.invoice);
        break;
      }
      case 'held': {
        const data = entry.data as HeldRecord;
        lane(data.tradeId)?.trade.held(data.paymentHash, data.atMs);
        break;
      }
      case 'canceled': {
        const data = entry.data as CanceledRecord;
        lane(data.tradeId)?.trade.dropInvoice(data.paymentHash);
        break;
      }
      case 'payment': {
        const data = entry.data as PaymentRecord;
        const target = lane(data.tradeId);
        if (target) {
          const open = target.trade.state.open;
          const invoice = open?.paymentHash === data.paymentHash ? open : undefined;
          target.trade.receive({ amountMsat: data.amountMsat, invoice, record: invoice ? undefined : { interval: data.interval, fromWh: data.fromWh, toWh: data.toWh } });
          target.hashes.add(data.paymentHash);
        }
        out.settleIndex = Math.max(out.settleIndex, data.settleIndex ?? 0);
        break;
      }
      case 'unattributed': {
        const data = entry.data as UnattributedRecord;
        out.settleIndex = Math.max(out.settleIndex, data.settleIndex ?? 0);
        break;
      }
      case 'cutoff':
      case 'restore':
      case 'warning': {
        const data = entry.data as DecisionRecord;
        const target = lane(data.decision.tradeId);
        if (target) target.trade.restoreCredit(data.decision.type);
        break;
      }
      case 'receipt':
        break;
      case 'closed': {
        const data = entry.data as GateClosedRecord;
        const target = lane(data.tradeId);
        if (target) out.closed.set(data.tradeId, Date.parse(target.trade.state.trade.deliveryEnd));
        out.lanes.delete(data.tradeId);
        break;
      }
      default:
        throw new PaymentError('JOURNAL_MISMATCH', `the gate ledger has a record of unknown kind '${entry.kind}' (seq ${entry.seq})`);
    }
  }
  return out;
}

