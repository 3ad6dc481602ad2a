// Which trades of a market have been delivered, so that none is lost when the process dies between making a
// trade durable (the market's journal) and handing it on. The outbox holds the trades sent but not yet known to
// be delivered, in the order they were made, and persists one mark: the last trade of the delivered prefix.
// After a restart the market's trades after the mark are sent again.
//
// Delivery is at least once. A trade is known delivered when a consumer confirms it (a Complete node watching
// the mqtt out node that published it), or, without confirmations, when it was sent. A trade confirmed but not
// yet marked when the process dies is sent again after the restart: with the same id and content, so a consumer
// drops it by id. No mechanism can do better across a crash without the consumer's help; MQTT's QoS 1 makes the
// same promise.
//
// The mark is one fixed-size record written in place with a synchronous positioned write: once the call returns
// the data is the kernel's, so it survives the process being killed, which is the failure this guards against.
// It is not fsync'd (a mark lost with the machine only causes a resend), and not renamed into place: a rename
// per confirmed trade costs a metadata update each, hundreds of times a write, on a disk that the journal keeps
// busy with its syncs.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Trade } from '../schemas';

export class OutboxError extends Error {
  readonly code = 'OUTBOX_MARK';
  override name = 'OutboxError';
}

/** room for the mark's JSON: a trade id is at most 64 characters */
const MARK_BYTES = 128;

interface Pending {
  trade: Trade;
  sentAtMs: number;
  confirmed: boolean;
}

export class TradeOutbox {
  private readonly pending: Pending[] = [];
  private readonly byId = new Map<string, Pending>();

  private constructor(
    private readonly fd: number,
    private mark: string | undefined,
  ) {}

  /** The outbox whose mark is in `markFile` (no file: nothing was delivered yet). Call close() when done. */
  static open(markFile: string): TradeOutbox {
    if (!existsSync(markFile)) return new TradeOutbox(openSync(markFile, 'w+'), undefined);
    const text = readFileSync(markFile, 'utf8').trim();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new OutboxError(`the delivery mark ${markFile} is not JSON; delete it to send every trade of the journal again`);
    }
    const tradeId = (parsed as { lastDeliveredTradeId?: unknown } | null)?.lastDeliveredTradeId;
    if (tradeId !== undefined && typeof tradeId !== 'string') throw new OutboxError(`the delivery mark ${markFile} has no trade id; delete it to send every trade of the journal again`);
    return new TradeOutbox(openSync(markFile, 'r+'), tradeId);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** the last trade of the delivered prefix, undefined before the first */
  get lastDelivered(): string | undefined {
    return this.mark;
  }

  /** trades sent and not yet confirmed */
  get size(): number {
    return this.pending.length;
  }

  /** Records `trades` as sent at `nowMs`, in the order they were made. */
  sent(trades: readonly Trade[], nowMs: number): void {
    for (const trade of trades) {
      if (this.byId.has(trade.id)) continue;
      const entry = { trade, sentAtMs: nowMs, confirmed: false };
      this.pending.push(entry);
      this.byId.set(trade.id, entry);
    }
  }

  /** Marks trade `tradeId` delivered; returns false when it is not waiting (already marked, or unknown). */
  confirm(tradeId: string): boolean {
    const entry = this.byId.get(tradeId);
    if (!entry || entry.confirmed) return false;
    entry.confirmed = true;
    this.advance();
    return true;
  }

  /** `trades` were sent and count as delivered at once (no confirmations expected), with every trade sent before them. */
  delivered(trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    if (this.pending.length > 0) {
      this.sent(trades, 0);
      this.confirmAll();
      return;
    }
    this.writeMark(trades[trades.length - 1].id);
  }

  /** Marks every trade sent so far delivered (no confirmations expected). */
  confirmAll(): void {
    for (const entry of this.pending) entry.confirmed = true;
    this.advance();
  }

  /** The unconfirmed trades sent `retryMs` or longer ago, now counted as sent again at `nowMs`. */
  due(nowMs: number, retryMs: number): Trade[] {
    const out: Trade[] = [];
    for (const entry of this.pending) {
      if (entry.confirmed || nowMs - entry.sentAtMs < retryMs) continue;
      entry.sentAtMs = nowMs;
      out.push(entry.trade);
    }
    return out;
  }

  private advance(): void {
    let last: string | undefined;
    while (this.pending.length > 0 && this.pending[0].confirmed) {
      const entry = this.pending.shift() as Pending;
      this.byId.delete(entry.trade.id);
      last = entry.trade.id;
    }
    if (last !== undefined) this.writeMark(last);
  }

  private writeMark(last: string): void {
    this.mark = last;
    const record = Buffer.alloc(MARK_BYTES, ' ');
    record.write(JSON.stringify({ lastDeliveredTradeId: last }));
    writeSync(this.fd, record, 0, MARK_BYTES, 0);
  }
}
