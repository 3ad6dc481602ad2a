// The auditor's check of a payment ledger (`npm run ledger -- verify DIR`): a pay-gate's ledger or a
// pay-stream's journal, read without the writer's lock. First the hash chain (lib/journal verifyJournal), then
// the money, per trade: every payment's preimage hashes to its payment hash, every signed receipt checks against
// its payee's key, and a closed trade received (gate) or paid (stream) exactly owed(delivered energy), to the
// msat. Open trades are reported with their figures so far.

import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { verifyJournal, type JournalEntry, type VerifyReport } from '../journal';
import { parseEntry, segmentFiles } from '../journal/format';
import type { Trade } from '../schemas/market';
import type { DeliveredRecord, GateClosedRecord, GateTradeRecord, PaymentRecord, ReceiptRecord, UnattributedRecord } from './gate-ledger';
import { provesPayment } from './identity';
import { owedMsat, tradePriceMsatPerKwh, operatorShareMsat } from './money';
import { receiptSigningText } from './receipts';
import { verifyNodeSignature } from './receipt-signature';
import type { ClosedRecord, IntentRecord, PaidRecord, TradeRecord } from './stream-journal';

export interface TradeAudit {
  tradeId: string;
  closed: boolean;
  deliveredWh: number;
  priceMsatPerKwh: number;
  owedMsat: number;
  /** received (gate) or paid (stream) */
  paidMsat: number;
  payments: number;
  /** gate: the zone fee part of what was received, which the seller owes the zone operator */
  operatorShareMsat?: number;
  signedReceipts?: number;
}

export interface LedgerReport {
  ok: boolean;
  kind: 'pay-gate' | 'pay-stream' | 'unknown';
  chain: VerifyReport;
  trades: TradeAudit[];
  /** gate: money no open trade could take */
  unattributedMsat: number;
  problems: string[];
}

async function readEntries(dir: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (const segment of segmentFiles(await readdir(dir))) {
    for (const line of (await readFile(join(dir, segment.name), 'utf8')).split('\n')) {
      const entry = line === '' ? undefined : parseEntry(line);
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/** A journal directory, or a file in it. */
export async function verifyLedger(path: string): Promise<LedgerReport> {
  const dir = (await stat(path)).isDirectory() ? path : dirname(path);
  const chain = await verifyJournal(dir);
  const problems: string[] = [];
  if (!chain.ok) problems.push(`the hash chain is broken: ${chain.problem?.message ?? 'unknown'} (${chain.problem?.file ?? ''} line ${chain.problem?.line ?? '?'})`);
  if (chain.anchor !== 'genesis') problems.push(`the records before seq ${chain.firstSeq} were removed: the ledger can only be audited from its snapshot`);
  const entries = await readEntries(dir);
  const kind = entries.some((e) => e.kind === 'gate') ? 'pay-gate' : entries.some((e) => e.kind === 'secret') ? 'pay-stream' : 'unknown';
  const audit = kind === 'pay-gate' ? auditGate(entries, problems) : kind === 'pay-stream' ? auditStream(entries, problems) : { trades: [], unattributedMsat: 0 };
  if (kind === 'unknown') problems.push('neither a pay-gate ledger nor a pay-stream journal');
  return { ok: problems.length === 0, kind, chain, ...audit, problems };
}

function tradeAudit(trade: Trade): TradeAudit {
  const priceMsatPerKwh = tradePriceMsatPerKwh(trade);
  return { tradeId: trade.id, closed: false, deliveredWh: 0, priceMsatPerKwh, owedMsat: 0, paidMsat: 0, payments: 0 };
}

function auditGate(entries: readonly JournalEntry[], problems: string[]): { trades: TradeAudit[]; unattributedMsat: number } {
  const trades = new Map<string, { audit: TradeAudit; trade: Trade }>();
  let unattributedMsat = 0;
  for (const { kind, data, seq } of entries) {
    if (kind === 'trade') {
      const { trade } = data as GateTradeRecord;
      trades.set(trade.id, { audit: { ...tradeAudit(trade), operatorShareMsat: 0, signedReceipts: 0 }, trade });
    } else if (kind === 'delivered') {
      const record = data as DeliveredRecord;
      const t = trades.get(record.tradeId);
      if (t) t.audit.deliveredWh = Math.max(t.audit.deliveredWh, record.deliveredWh);
    } else if (kind === 'payment') {
      const record = data as PaymentRecord;
      const t = trades.get(record.tradeId);
      if (!provesPayment(record.preimage, record.paymentHash)) problems.push(`seq ${seq}: payment ${record.paymentHash} of trade ${record.tradeId} has no valid preimage`);
      if (t) {
        t.audit.paidMsat += record.amountMsat;
        t.audit.payments++;
      }
    } else if (kind === 'unattributed') {
      const record = data as UnattributedRecord;
      unattributedMsat += record.amountMsat;
      const t = record.tradeId === undefined ? undefined : trades.get(record.tradeId);
      if (t) t.audit.paidMsat += record.amountMsat;
    } else if (kind === 'receipt') {
      const { receipt } = data as ReceiptRecord;
      const t = trades.get(receipt.tradeId);
      if (receipt.signature === undefined) continue;
      if (!receipt.payee || !verifyNodeSignature(receiptSigningText(receipt), receipt.signature, receipt.payee)) {
        problems.push(`seq ${seq}: the receipt of interval ${receipt.seq} of trade ${receipt.tradeId} has a signature that does not check against ${receipt.payee ?? 'no payee'}`);
      } else if (t) t.audit.signedReceipts!++;
    } else if (kind === 'closed') {
      const record = data as GateClosedRecord;
      const t = trades.get(record.tradeId);
      if (t) {
        t.audit.closed = true;
        t.audit.deliveredWh = record.deliveredWh;
      }
    }
  }
  for (const { audit, trade } of trades.values()) {
    audit.owedMsat = owedMsat(audit.deliveredWh, audit.priceMsatPerKwh);
    audit.operatorShareMsat = operatorShareMsat(audit.deliveredWh, trade);
    if (audit.closed && audit.paidMsat !== audit.owedMsat) {
      problems.push(`trade ${audit.tradeId}: ${audit.deliveredWh} Wh delivered owe ${audit.owedMsat} msat, ${audit.paidMsat} msat were received (${audit.paidMsat > audit.owedMsat ? 'over' : 'under'}paid by ${Math.abs(audit.paidMsat - audit.owedMsat)})`);
    }
  }
  return { trades: [...trades.values()].map((t) => t.audit), unattributedMsat };
}

function auditStream(entries: readonly JournalEntry[], problems: string[]): { trades: TradeAudit[]; unattributedMsat: number } {
  const trades = new Map<string, TradeAudit>();
  const intents = new Map<string, IntentRecord>();
  const paidHashes = new Set<string>();
  const paid = (record: PaidRecord, seq: number) => {
    const intent = intents.get(record.paymentHash);
    const t = trades.get(record.tradeId);
    if (!intent) problems.push(`seq ${seq}: payment ${record.paymentHash} was recorded paid without an intent before it`);
    if (paidHashes.has(record.paymentHash)) problems.push(`seq ${seq}: payment ${record.paymentHash} is recorded paid twice`);
    paidHashes.add(record.paymentHash);
    if (!provesPayment(record.preimage, record.paymentHash)) problems.push(`seq ${seq}: payment ${record.paymentHash} of trade ${record.tradeId} has no valid preimage`);
    if (t && intent) {
      t.paidMsat += intent.payment.amountMsat;
      t.payments++;
    }
  };
  for (const { kind, data, seq } of entries) {
    if (kind === 'trade') {
      const { trade } = data as TradeRecord;
      trades.set(trade.id, tradeAudit(trade));
    } else if (kind === 'intent') {
      const record = data as IntentRecord;
      if (record.paid) paid(record.paid, seq);
      intents.set(record.payment.paymentHash, record);
      const t = trades.get(record.payment.tradeId);
      if (t) t.deliveredWh = Math.max(t.deliveredWh, record.deliveredWh);
    } else if (kind === 'paid') {
      paid(data as PaidRecord, seq);
    } else if (kind === 'closed') {
      const { tradeId, receipt } = data as ClosedRecord;
      const t = trades.get(tradeId);
      if (!t) continue;
      t.closed = true;
      t.deliveredWh = receipt.deliveredWh ?? t.deliveredWh;
      if (receipt.totalMsat !== t.paidMsat) problems.push(`trade ${tradeId}: its final receipt says ${receipt.totalMsat} msat paid, the journal ${t.paidMsat}`);
      const owed = owedMsat(t.deliveredWh, t.priceMsatPerKwh);
      if ((receipt.unpaidMsat ?? 0) !== Math.max(0, owed - t.paidMsat)) problems.push(`trade ${tradeId}: its final receipt says ${receipt.unpaidMsat ?? 0} msat unpaid, the journal ${Math.max(0, owed - t.paidMsat)}`);
    }
  }
  for (const t of trades.values()) {
    t.owedMsat = owedMsat(t.deliveredWh, t.priceMsatPerKwh);
    if (t.closed && t.paidMsat < t.owedMsat) problems.push(`trade ${t.tradeId}: ${t.deliveredWh} Wh delivered owe ${t.owedMsat} msat, ${t.paidMsat} msat were paid`);
  }
  return { trades: [...trades.values()], unattributedMsat: 0 };
}
