// Market: one durable book. Each call validates, journals, applies and answers, in that order:
//
//   1. admission (validate.ts): a refused message becomes a Reject and goes no further;
//   2. the journal: the command's record is appended, which fixes its seq and hash at once (lib/journal);
//   3. the engine applies it in memory; the trades it makes are appended right after it;
//   4. the call resolves once the last of its records is durable (written and fdatasync'd).
//
// "Appended before it is acted on or sent": a command is in the chain (its seq and hash fixed, its write
// queued) before the engine applies it, and nothing the command caused — trades, removals, clearings, even
// the rejects of the same call — leaves submit() before its records are on disk. If the process dies first,
// nobody saw the outputs; on the next open the replay rebuilds exactly what the disk has. Calls do not wait
// for each other: many calls share one write and one fdatasync (group commit), and their results come back in
// call order. A failed write fails the market (JOURNAL_FAILED): open it again.
//
// Time: every call takes nowMs. Expiries, gate closures and periodic auctions due by then run first, as a
// journalled tick, so an order never trades with one that had already expired.

import { canonicalJson } from '../canonical-json';
import { Journal } from '../journal';
import type { BookSnapshot, Trade } from '../schemas';
import { bookSnapshot } from './book-view';
import type { Engine } from './engine';
import { engineHash, engineState, type EngineState } from './engine-state';
import { MarketError } from './errors';
import type { ParticipantRegistry } from './identity';
import { emptyOutcome, type Outcome } from './outcome';
import { cancelRecordJson, JOURNAL_VERSION, orderRecordJson, replayState, tradeJson, type MarketRecord } from './records';
import { validateMarketSettings, type MarketSettings } from './settings';
import { emptyEvents, type MarketEvents, type MarketOpenOptions, type SnapshotOptions } from './types';
import { admit, RateLimiter } from './validate';

const noop = (): void => undefined;

export class Market {
  private sinceSnapshot = 0;
  private failure: MarketError | undefined;
  private closed = false;
  private readonly limiter: RateLimiter;
  private readonly snapshotEvery: number;
  private readonly warn: (message: string) => void;

  private constructor(
    private readonly journal: Journal<MarketRecord, EngineState>,
    private readonly engine: Engine,
    private registry: ParticipantRegistry,
    options: MarketOpenOptions,
    /** trades the last command before a crash made whose records had not reached the disk; journalled now, still to be sent */
    readonly recoveredTrades: readonly Trade[],
  ) {
    this.limiter = new RateLimiter(engine.settings.rateLimit);
    this.snapshotEvery = options.snapshotEveryRecords ?? 100_000;
    this.warn = options.warn ?? ((message) => process.emitWarning(message, 'FlareGridMarket'));
  }

  /** Opens the market's journal and replays it (snapshot and records) into the same book, trade ids and state hash. */
  static async open(settings: MarketSettings, options: MarketOpenOptions): Promise<Market> {
    const wanted = validateMarketSettings(settings);
    const { journal, snapshot, entries } = await Journal.open<MarketRecord, EngineState>(options.journalDir, { version: JOURNAL_VERSION, warn: options.warn });
    try {
      const replayer = replayState(snapshot?.state);
      for (const entry of entries) replayer.apply(entry);
      if (replayer.engine !== undefined && replayer.engine.settings.market !== wanted.market) {
        throw new MarketError('JOURNAL_INVALID', `journal ${options.journalDir} belongs to market ${replayer.engine.settings.market}, not ${wanted.market}`);
      }
      // A crash between a command's record and its trades' records: the replay made them again; journal them now.
      const recovered = replayer.pending;
      replayer.pending = [];
      for (const trade of recovered) await journal.append('trade', trade);
      if (replayer.engine === undefined || canonicalJson(replayer.engine.settings) !== canonicalJson(wanted)) {
        replayer.apply(await journal.append('settings', wanted));
        if (replayer.droppedOrders > 0) options.warn?.(`market ${wanted.market}: ${replayer.droppedOrders} resting orders did not fit the new settings and were dropped`);
      }
      return new Market(journal, replayer.engine as Engine, options.registry, options, recovered);
    } catch (err) {
      await journal.close();
      throw err;
    }
  }

  get settings(): MarketSettings {
    return this.engine.settings;
  }

  /** seq of the newest journal record */
  get seq(): number {
    return this.journal.seq;
  }

  /** validate → journal → match; never throws for bad input (a Reject instead); resolves once its records are durable */
  submit(message: unknown, nowMs: number): Promise<MarketEvents> {
    return this.submitMany([message], nowMs);
  }

  /** submit for each message, in order, with one wait for the journal */
  submitMany(messages: readonly unknown[], nowMs: number): Promise<MarketEvents> {
    return this.run(nowMs, (events, out, atMs) => {
      for (const message of messages) this.admitOne(message, atMs, events, out);
    });
  }

  /** msg.topic "clear": a call auction of every open slot now */
  clear(nowMs: number): Promise<MarketEvents> {
    return this.run(nowMs, (_events, out, atMs) => this.command('clear', { atMs }, out, () => this.engine.clear(atMs, out)));
  }

  /** expiries, gate closures and periodic auctions due by nowMs */
  tick(nowMs: number): Promise<MarketEvents> {
    return this.run(nowMs, noop);
  }

  snapshot(nowMs: number, options: SnapshotOptions = {}): BookSnapshot {
    return bookSnapshot(this.engine, nowMs, options.depth ?? 20, this.journal.seq, this.stateHash());
  }

  /** sha256 of the canonical JSON of the market's state (book, trade sequences, ids and nonces of open slots) */
  stateHash(): string {
    return engineHash(this.engine);
  }

  setRegistry(registry: ParticipantRegistry): void {
    this.registry = registry;
  }

  /** Waits for pending writes, closes the journal. */
  async close(): Promise<void> {
    this.closed = true;
    await this.journal.durable().catch(noop);
    await this.journal.close();
  }

  private async run(nowMs: number, body: (events: MarketEvents, out: Outcome, atMs: number) => void): Promise<MarketEvents> {
    if (this.closed) throw new MarketError('CLOSED', `market ${this.settings.market} is closed`);
    if (this.failure) throw this.failure;
    const events = emptyEvents();
    const out = emptyOutcome();
    const atMs = Math.max(nowMs, this.engine.atMs);
    if (this.engine.nextDueMs() <= atMs) this.command('tick', { atMs }, out, () => this.engine.advance(atMs, out));
    body(events, out, atMs);
    try {
      await this.journal.durable();
    } catch (err) {
      this.failure ??= new MarketError('JOURNAL_FAILED', `market ${this.settings.market}: the journal failed (${(err as Error).message}); open the market again`, [], { cause: err });
      throw this.failure;
    }
    events.trades = out.trades;
    events.removed = out.removed;
    events.clearings = out.clearings;
    events.bookChanged = out.bookChanged;
    return events;
  }

  private admitOne(message: unknown, atMs: number, events: MarketEvents, out: Outcome): void {
    const verdict = admit(message, { engine: this.engine, registry: this.registry, nowMs: atMs, checkTimeAndIdentity: true });
    if (verdict.kind === 'duplicate') {
      events.duplicates++;
      return;
    }
    if (verdict.kind === 'reject') {
      events.rejects.push(verdict.reject);
      return;
    }
    const accepted = verdict.kind === 'order' ? verdict.order : verdict.cancel;
    if (!this.limiter.take(accepted.participant, atMs)) {
      const { orders, perMs } = this.settings.rateLimit;
      events.rejects.push({ type: 'reject', orderId: accepted.id, reason: 'rate-limited', message: `participant ${accepted.participant} sent more than ${orders} messages in ${perMs} ms (rateLimit)`, order: message });
      return;
    }
    events.accepted.push(accepted);
    if (verdict.kind === 'order') {
      const record = { order: verdict.order, meta: verdict.meta, atMs };
      this.command('order', record, out, () => this.engine.place(verdict.order, verdict.meta, atMs, out), orderRecordJson(verdict.meta, atMs, verdict.json));
    } else {
      const record = { cancel: verdict.cancel, fingerprint: verdict.fingerprint, atMs };
      this.command('cancel', record, out, () => this.engine.cancel(verdict.cancel, verdict.fingerprint, atMs, out), cancelRecordJson(verdict.fingerprint, atMs, verdict.json));
    }
  }

  /** Journals a command, applies it, journals the trades it made. */
  private command(kind: string, record: MarketRecord, out: Outcome, apply: () => void, recordJson?: string): void {
    this.append(kind, record, recordJson);
    const first = out.trades.length;
    apply();
    for (let i = first; i < out.trades.length; i++) this.append('trade', out.trades[i], tradeJson(out.trades[i]));
    if (this.sinceSnapshot >= this.snapshotEvery) {
      this.sinceSnapshot = 0;
      // A snapshot only shortens the next replay; the records are durable without it.
      this.journal.snapshot(engineState(this.engine)).catch((err: Error) => this.warn(`market ${this.settings.market}: a journal snapshot failed (${err.message}); the journal is intact`));
    }
  }

  private append(kind: string, record: MarketRecord, recordJson?: string): void {
    this.journal.appendRecord(kind, record, recordJson);
    this.sinceSnapshot++;
  }
}
