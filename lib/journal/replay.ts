// What Journal.open does with a directory it holds the lock of: read the snapshot, read and check the
// segments after it, cut a torn last record, hand the records and the state over migrated, and remove the
// segments that a snapshot covers (left behind when the process stopped between a snapshot and its clean-up).

import { open, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readChain } from './chain';
import { JournalError } from './errors';
import { segmentFiles, SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, type JournalEntry } from './format';
import { migrateEntry, migrateSnapshotState, type RecordMigration, type SnapshotMigration } from './migrate';
import { readSnapshotFile } from './snapshot-file';

export interface ReplayOptions {
  version: number;
  migrations: Readonly<Record<number, RecordMigration>>;
  snapshotMigrations: Readonly<Record<number, SnapshotMigration>>;
  keepHistory: boolean;
  warn: (message: string) => void;
}

export interface Replayed {
  seq: number;
  headHash: string;
  /** first seq of the segment that new records go to */
  tailFirstSeq: number;
  snapshot: { seq: number; state: unknown } | undefined;
  entries: JournalEntry[];
}

export async function replay(dir: string, options: ReplayOptions): Promise<Replayed> {
  // A temp file is a snapshot that was being written when the process stopped; the previous one stands.
  await rm(join(dir, SNAPSHOT_TEMP_FILE), { force: true });
  const snapshot = await readSnapshotFile(dir);
  const reading = await readChain(dir, segmentFiles(await readdir(dir)), { snapshot, readCovered: false, collect: true });
  if (reading.problem) {
    const { code, message, file, line, seq } = reading.problem;
    throw new JournalError(code, `${message}; the journal was not opened and nothing was changed`, { file: join(dir, file), line, seq });
  }
  if (reading.torn) {
    const { file, offset, bytes, reason } = reading.torn;
    const handle = await open(join(dir, file), 'r+');
    try {
      await handle.truncate(offset);
      await handle.sync();
    } finally {
      await handle.close();
    }
    options.warn(`journal ${dir}: removed a torn last record from ${file} (${bytes} bytes after seq ${reading.lastSeq}: ${reason}); it had not been acknowledged`);
  }

  const snapshotSeq = snapshot?.seq ?? 0;
  const last = reading.segments.at(-1);
  const continueLast = last !== undefined && (last.firstSeq > snapshotSeq || last.lastSeq > snapshotSeq);
  if (snapshot && !options.keepHistory) {
    const covered = [...reading.covered, ...reading.segments.filter((s) => s.firstSeq <= snapshotSeq && s.lastSeq <= snapshotSeq)];
    for (const segment of covered) await unlink(join(dir, segment.name));
  }

  const snapshotFile = join(dir, SNAPSHOT_FILE);
  return {
    seq: reading.lastSeq,
    headHash: reading.headHash,
    tailFirstSeq: continueLast ? last.firstSeq : reading.lastSeq + 1,
    snapshot: snapshot && {
      seq: snapshot.seq,
      state: migrateSnapshotState(snapshot.v, snapshot.state, options.version, options.snapshotMigrations, snapshotFile),
    },
    entries: reading.entries.map((entry) =>
      entry.v === options.version ? entry : migrateEntry(entry, options.version, options.migrations, join(dir, segmentOf(reading.segments, entry.seq))),
    ),
  };
}

function segmentOf(segments: readonly { name: string; firstSeq: number }[], seq: number): string {
  let name = segments[0].name;
  for (const segment of segments) if (segment.firstSeq <= seq) name = segment.name;
  return name;
}
