// lib/journal: a durable, hash-chained, append-only journal for state that must survive a crash exactly:
// the market's order book (every accepted order, cancel and trade is journaled before the matcher acts on
// it) and the payment streams (a payment id is on disk before the payment is sent).
//
// Guarantees
// - append(kind, data) fixes the record's seq and hash synchronously, in call order, and resolves only
//   once the record is written and fdatasync'd. Group commit: every record appended while a write is in
//   flight goes out in the next single write + fdatasync, so thousands of appends share one sync; a caller
//   that awaits each append (a payment stream) gets one write + sync per record.
// - append throws synchronously (a JournalError, or a CanonicalJsonError for data that is not JSON) when
//   nothing was assigned, so a caller that acts on its in-memory state right after append and holds back
//   its outputs until the promise resolves never acts on a record that is not in the chain. The promise
//   rejects (WRITE_FAILED) only when the disk fails; the journal is then FAILED and must be reopened,
//   because whether the failed batch reached the disk is unknown.
// - Replaying (open) rebuilds exactly the records that were acknowledged, and possibly some that were
//   written but not yet acknowledged when the process died; never fewer, never others.
// - No clock: records carry no time of their own; callers put time in `data`.
//
// Files in the journal directory
// - segment-<first seq, 16 digits>.jsonl: one record per line, each line the canonical JSON (RFC 8785, see
//   lib/canonical-json) of {v, seq, kind, data, prev, hash}, where
//   hash = sha256Hex(prev + canonicalJson({ v, seq, kind, data })) and prev is the previous record's hash,
//   GENESIS_HASH (64 zeros) for seq 1, or the snapshot's hash for the first record after a snapshot.
// - snapshot.json: {v, seq, hash, state, digest}: the caller's state after record `seq`, whose hash is
//   `hash`, so the chain continues across it; digest = sha256Hex(canonicalJson({hash, seq, state, v})).
//   It is written to snapshot.json.tmp, fsync'd, renamed, and the directory fsync'd.
// - journal.lock: the writer's pid (and start time on Linux); a lock whose process is gone is taken over.
//
// Snapshots: snapshot(state) captures the state (serialised at once) at the current head, waits until every
// record up to the head is durable, and writes the snapshot; records appended meanwhile go to a new segment.
// Afterwards the segments it covers are removed unless keepHistory is set; so what is kept is the newest
// snapshot and every record after it (keepHistory: every record since seq 1, an audit trail from genesis).
// open() reads the snapshot and the segments after it, never the covered ones.
//
// Open: a torn last record (a partial line, or an unparsable last line, from a crash mid-write) is cut off
// with a warning. Anything else that breaks the chain, anywhere, is refused with a JournalError naming the
// file, the line and the seq, and nothing is changed. One Journal per directory per process (ALREADY_OPEN)
// and one process per directory (LOCKED).
//
//   const { journal, snapshot, entries } = await Journal.open<Order, Book>(dir, { version: 1 });
//   await journal.append('order', order);   // durable from here on
//   await journal.snapshot(book);           // now and then
//   await journal.close();                  // in the node's close handler
//
// verifyJournal(dir) (verify.ts) checks a journal read-only, for auditors.

import { mkdir, open, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError } from './errors';
import { canonicalJson } from '../canonical-json';
import { encodeSnapshot, isVersion, segmentFileName, syncDirectory, writeFully, type JournalEntry } from './format';
import { acquireLock, type JournalLock } from './lock';
import type { RecordMigration, SnapshotMigration } from './migrate';
import { ChunkPool, RecordBytes } from './record-bytes';
import { replay } from './replay';
import { writeSnapshotFile } from './snapshot-file';

export interface OpenOptions {
  /** record and snapshot format version written by this code, 1 or more */
  version: number;
  /** migrations[n] turns a record of format n into format n + 1 */
  migrations?: Readonly<Record<number, RecordMigration>>;
  /** snapshotMigrations[n] turns a snapshot state of format n into format n + 1 */
  snapshotMigrations?: Readonly<Record<number, SnapshotMigration>>;
  /** torn records cut off, stale locks taken over; default process.emitWarning */
  warn?: (message: string) => void;
  /** keep the segments a snapshot covers (a full audit trail); default false: remove them */
  keepHistory?: boolean;
}

export interface OpenedJournal<T, S> {
  journal: Journal<T, S>;
  /** the newest snapshot, migrated to `version` */
  snapshot: { seq: number; state: S } | undefined;
  /** the records after the snapshot, in order, migrated to `version` */
  entries: JournalEntry<T>[];
}

/** What the journal has done since it was opened; `syncs` counts fdatasync calls on segment files. */
export interface JournalStats {
  appends: number;
  writes: number;
  syncs: number;
  bytes: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // A failed write is reported through append's promise and durable(); the batch's own promise may have no
  // other listener, and must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface RecordBatch {
  type: 'records';
  /** the segment these records belong to */
  segmentFirstSeq: number;
  firstSeq: number;
  bytes: RecordBytes;
  done: Deferred;
}

interface SnapshotMark {
  type: 'snapshot';
  seq: number;
  text: string;
  done: Deferred;
}

export class Journal<T = unknown, S = unknown> {
  /** the journal directory, as a real path */
  readonly dir: string;
  readonly version: number;
  private lastSeq: number;
  private head: string;
  private tailFirstSeq: number;
  private readonly keepHistory: boolean;
  private readonly warn: (message: string) => void;
  private readonly lock: JournalLock;
  private readonly queue: (RecordBatch | SnapshotMark)[] = [];
  private flushing: Promise<void> | undefined;
  private segment: { firstSeq: number; handle: FileHandle } | undefined;
  private snapshots: Promise<void> = Promise.resolve();
  private readonly chunks = new ChunkPool();
  /** settles when the newest batch of records is durable */
  private lastBatch: Promise<void> = Promise.resolve();
  private failure: JournalError | undefined;
  private closing: Promise<void> | undefined;
  private readonly counters: JournalStats = { appends: 0, writes: 0, syncs: 0, bytes: 0 };

  private constructor(dir: string, options: Required<Pick<OpenOptions, 'version' | 'keepHistory' | 'warn'>>, lock: JournalLock, replayed: { seq: number; headHash: string; tailFirstSeq: number }) {
    this.dir = dir;
    this.version = options.version;
    this.keepHistory = options.keepHistory;
    this.warn = options.warn;
    this.lock = lock;
    this.lastSeq = replayed.seq;
    this.head = replayed.headHash;
    this.tailFirstSeq = replayed.tailFirstSeq;
  }

  /** Opens (creating it if needed) the journal in `dir`, replays it, and holds it until close(). */
  static async open<T = unknown, S = unknown>(dir: string, options: OpenOptions): Promise<OpenedJournal<T, S>> {
    if (!isVersion(options.version)) {
      throw new JournalError('OPTIONS_INVALID', `journal ${dir}: version must be an integer of 1 or more, got ${String(options.version)}`);
    }
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'FlareGridJournal'));
    const keepHistory = options.keepHistory ?? false;
    await mkdir(dir, { recursive: true });
    const real = await realpath(dir);
    const lock = await acquireLock(real, warn);
    try {
      const replayed = await replay(real, {
        version: options.version,
        migrations: options.migrations ?? {},
        snapshotMigrations: options.snapshotMigrations ?? {},
        keepHistory,
        warn,
      });
      const journal = new Journal<T, S>(real, { version: options.version, keepHistory, warn }, lock, replayed);
      return {
        journal,
        snapshot: replayed.snapshot as OpenedJournal<T, S>['snapshot'],
        entries: replayed.entries as JournalEntry<T>[],
      };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** seq of the newest record appended (durable or not yet) */
  get seq(): number {
    return this.lastSeq;
  }

  /** hash of the newest record appended; the next record's prev */
  get headHash(): string {
    return this.head;
  }

  get stats(): Readonly<JournalStats> {
    return { ...this.counters };
  }

  /**
   * Appends a record; seq and hash are fixed now and `data` is serialised now (later changes to the object
   * do not reach the journal). The promise resolves once the record is durable. A caller that already has
   * the RFC 8785 canonical JSON of `data` (a hot path that serialised it for its own reasons) may pass it as
   * `dataJson`, which must be exactly canonicalJson(data): it is what is written and hashed.
   */
  append(kind: string, data: T, dataJson?: string): Promise<JournalEntry<T>> {
    const prev = this.head;
    const done = this.write(kind, data, dataJson);
    const entry: JournalEntry<T> = { v: this.version, seq: this.lastSeq, kind, data, prev, hash: this.head };
    return done.then(() => entry);
  }

  /**
   * append for a hot path that appends many records and waits once: the same record, fixed the same way, with
   * no promise of its own. durable() says when it (and every record before it) is on disk.
   */
  appendRecord(kind: string, data: T, dataJson?: string): void {
    this.write(kind, data, dataJson);
  }

  /** Resolves once every record appended so far is durable; rejects (WRITE_FAILED) if a write failed. */
  durable(): Promise<void> {
    return this.lastBatch;
  }

  private write(kind: string, data: T, dataJson: string = canonicalJson(data)): Promise<void> {
    this.assertWritable('append');
    const seq = this.lastSeq + 1;
    const kindJson = canonicalJson(kind);
    let batch = this.queue.at(-1);
    if (batch?.type !== 'records' || batch.segmentFirstSeq !== this.tailFirstSeq) {
      batch = { type: 'records', segmentFirstSeq: this.tailFirstSeq, firstSeq: seq, bytes: new RecordBytes(this.chunks), done: deferred() };
      this.queue.push(batch);
      this.lastBatch = batch.done.promise;
    }
    this.head = batch.bytes.append(this.version, seq, kindJson, this.head, dataJson);
    this.lastSeq = seq;
    this.counters.appends++;
    this.kick();
    return batch.done.promise;
  }

  /** Writes `state` (serialised now) as the snapshot at the current head, once the records up to it are durable. */
  snapshot(state: S): Promise<void> {
    this.assertWritable('snapshot');
    const seq = this.lastSeq;
    const text = encodeSnapshot({ v: this.version, seq, hash: this.head, state });
    if (this.tailFirstSeq <= seq) this.tailFirstSeq = seq + 1;
    const mark: SnapshotMark = { type: 'snapshot', seq, text, done: deferred() };
    this.queue.push(mark);
    this.kick();
    return mark.done.promise;
  }

  /**
   * Resolves once every record and snapshot appended so far is written and synced (or the journal has failed):
   * what a caller on a fake clock awaits before it moves time on past work that waits for real fsyncs.
   */
  async whenDurable(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.snapshots;
  }

  /** Waits for the pending writes and snapshots, closes the files and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.snapshots;
    const segment = this.segment;
    this.segment = undefined;
    try {
      await segment?.handle.close();
    } finally {
      await this.lock.release();
    }
  }

  private assertWritable(what: string): void {
    if (this.closing) throw new JournalError('CLOSED', `journal ${this.dir} is closed: cannot ${what}; open it again`);
    if (this.failure) {
      throw new JournalError('FAILED', `journal ${this.dir} failed earlier (${this.failure.message}): cannot ${what}; open it again`, { cause: this.failure });
    }
  }

  private kick(): void {
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    // Appends made in the rest of this turn go out in the first write.
    await null;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        try {
          if (item.type === 'records') await this.writeRecords(item);
          else await this.beginSnapshot(item);
        } catch (err) {
          this.fail(item, err);
          return;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeRecords(batch: RecordBatch): Promise<void> {
    if (this.segment?.firstSeq !== batch.segmentFirstSeq) {
      await this.segment?.handle.close();
      this.segment = undefined;
      const handle = await open(join(this.dir, segmentFileName(batch.segmentFirstSeq)), 'a');
      this.segment = { firstSeq: batch.segmentFirstSeq, handle };
      await syncDirectory(this.dir);
    }
    for (const buffer of batch.bytes.buffers()) await writeFully(this.segment.handle, buffer);
    this.counters.writes++;
    this.counters.bytes += batch.bytes.length;
    await this.segment.handle.datasync();
    batch.bytes.release();
    this.counters.syncs++;
    batch.done.resolve();
  }

  /** Every record up to the mark is durable (the queue is in order): write the snapshot beside the appends. */
  private async beginSnapshot(mark: SnapshotMark): Promise<void> {
    if (this.segment && this.segment.firstSeq <= mark.seq) {
      const { handle } = this.segment;
      this.segment = undefined;
      await handle.close();
    }
    const written = this.snapshots.then(() => writeSnapshotFile(this.dir, mark.text, mark.seq, this.keepHistory, this.warn));
    this.snapshots = written.catch(() => undefined);
    written.then(mark.done.resolve, mark.done.reject);
  }

  private fail(item: RecordBatch | SnapshotMark, err: unknown): void {
    const from = item.type === 'records' ? item.firstSeq : item.seq + 1;
    this.failure = new JournalError('WRITE_FAILED', `journal ${this.dir}: a write failed (${(err as Error).message}); records from seq ${from} on may not be on disk; open the journal again to go on`, { cause: err, seq: from });
    for (const failed of [item, ...this.queue.splice(0)]) failed.done.reject(this.failure);
  }
}
