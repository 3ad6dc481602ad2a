// Durable state for the simulated network without a write per call: a snapshot (lightning-state.json) plus an
// append-only log (lightning-state.log, one JSON record per line). A change marks its record dirty; the dirty
// records of a burst of calls go out together in one append and one fdatasync (group commit), so a thousand
// payments a second cost a few hundred syncs, not thousands. Each line carries a sequence number and the
// snapshot the last one it contains, so a crash between writing a snapshot and truncating the log replays
// nothing stale. A torn last line (a crash mid-append) is ignored: that burst is lost, as an unsynced write is.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkState } from './state';

export type Collection = 'nodes' | 'channels' | 'invoices' | 'payments';

const SNAPSHOT = 'lightning-state.json';
const LOG = 'lightning-state.log';
/** Compact the log into a new snapshot once it holds this much. */
const COMPACT_BYTES = 16 * 1024 * 1024;

interface Snapshot {
  lastSeq: number;
  state: NetworkState;
}

export class StateStore {
  private readonly dirty = new Map<string, { collection: Collection; id: string }>();
  private log: FileHandle | undefined;
  private logBytes = 0;
  private seq: number;
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    readonly state: NetworkState,
    lastSeq: number,
  ) {
    this.seq = lastSeq;
  }

  /** The state in `dir` (snapshot + log), or `fresh()` when there is none; compacted and ready to append. */
  static async open(dir: string, fresh: () => NetworkState): Promise<StateStore> {
    const snapshotPath = join(dir, SNAPSHOT);
    const logPath = join(dir, LOG);
    let snapshot: Snapshot = existsSync(snapshotPath)
      ? (JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot)
      : { lastSeq: 0, state: fresh() };
    if (existsSync(logPath)) snapshot = replay(snapshot, readFileSync(logPath, 'utf8'));
    const store = new StateStore(dir, snapshot.state, snapshot.lastSeq);
    store.compact();
    store.log = await open(logPath, 'a');
    return store;
  }

  /** Marks a record changed; it reaches the disk with the next group commit. */
  touch(collection: Collection, id: string): void {
    if (this.closed) return;
    this.dirty.set(`${collection}\u0000${id}`, { collection, id });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Writes every dirty record and syncs; resolves when they are durable. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0 || !this.log) return;
    const log = this.log;
    this.flushing = (async () => {
      const lines: string[] = [];
      for (const { collection, id } of this.dirty.values()) {
        const value = this.state[collection][id];
        lines.push(JSON.stringify({ s: ++this.seq, c: collection, id, v: value ?? null }));
      }
      this.dirty.clear();
      const data = lines.join('\n') + '\n';
      await log.write(data);
      await log.datasync();
      this.logBytes += Buffer.byteLength(data);
      if (this.logBytes > COMPACT_BYTES) this.compact();
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Flushes, writes a fresh snapshot and closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.compact();
    await this.log?.close();
    this.log = undefined;
  }

  /** Everything in memory into a new snapshot (written aside, synced, renamed over), then an empty log. */
  private compact(): void {
    const snapshotPath = join(this.dir, SNAPSHOT);
    const temporary = `${snapshotPath}.tmp`;
    writeFileSync(temporary, JSON.stringify({ lastSeq: this.seq, state: this.state } satisfies Snapshot));
    const fd = openSync(temporary, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, snapshotPath);
    writeFileSync(join(this.dir, LOG), '');
    this.logBytes = 0;
  }
}

function replay(snapshot: Snapshot, text: string): Snapshot {
  const { state } = snapshot;
  let lastSeq = snapshot.lastSeq;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let record: { s: number; c: Collection; id: string; v: unknown };
    try {
      record = JSON.parse(line);
    } catch {
      break; // torn tail
    }
    if (record.s <= lastSeq) continue;
    lastSeq = record.s;
    const collection = state[record.c] as Record<string, unknown>;
    if (record.v === null) delete collection[record.id];
    else collection[record.id] = record.v;
  }
  return { lastSeq, state };
}
