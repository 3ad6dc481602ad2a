// Record and snapshot formats evolve: a record on disk keeps the format `v` it was written in (its hash is
// over those bytes, so it is never rewritten), and open() hands it to the caller migrated, step by step, to
// the format the code writes now.

import { JournalError } from './errors';
import type { JournalEntry } from './format';

/** Turns a record of format n into format n + 1; seq, prev and hash are kept from the stored record. */
export type RecordMigration = (entry: JournalEntry) => JournalEntry;
/** Turns a snapshot state of format n into format n + 1. */
export type SnapshotMigration = (state: unknown) => unknown;

export function migrateEntry(
  entry: JournalEntry,
  version: number,
  migrations: Readonly<Record<number, RecordMigration>>,
  file: string,
): JournalEntry {
  checkVersion(entry.v, version, `the record at seq ${entry.seq} in ${file}`, { file, seq: entry.seq });
  let migrated = entry;
  for (let v = entry.v; v < version; v++) {
    const step = migrations[v];
    if (step === undefined) {
      throw new JournalError('MIGRATION_MISSING', `journal ${file}: the record at seq ${entry.seq} is of format ${v} and no migration turns format ${v} records into ${v + 1}`, { file, seq: entry.seq });
    }
    const next = step(migrated);
    migrated = { v: v + 1, seq: entry.seq, kind: next.kind, data: next.data, prev: entry.prev, hash: entry.hash };
  }
  return migrated;
}

export function migrateSnapshotState(
  v: number,
  state: unknown,
  version: number,
  migrations: Readonly<Record<number, SnapshotMigration>>,
  file: string,
): unknown {
  checkVersion(v, version, `the snapshot ${file}`, { file });
  let migrated = state;
  for (let from = v; from < version; from++) {
    const step = migrations[from];
    if (step === undefined) {
      throw new JournalError('MIGRATION_MISSING', `journal snapshot ${file} is of format ${from} and no snapshot migration turns format ${from} into ${from + 1}`, { file });
    }
    migrated = step(migrated);
  }
  return migrated;
}

function checkVersion(v: number, version: number, what: string, details: { file: string; seq?: number }): void {
  if (v > version) {
    throw new JournalError('VERSION_TOO_NEW', `journal: ${what} is of format ${v}, newer than this code writes (${version}); run the newer code`, details);
  }
}
