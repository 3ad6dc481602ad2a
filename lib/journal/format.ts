// The on-disk format of a journal: record lines, segment file names and the snapshot file, and the small file
// helpers that make them durable. See journal.ts for the layout as a whole.

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { canonicalJson, sha256Hex } from '../canonical-json';

export interface JournalEntry<T = unknown> {
  /** record format version the record was written (or migrated) in */
  v: number;
  /** 1, 2, 3, ... without gaps, over the journal's whole life */
  seq: number;
  kind: string;
  data: T;
  /** hash of the record before (GENESIS_HASH for seq 1) */
  prev: string;
  /** sha256Hex(prev + canonicalJson({ v, seq, kind, data })), over the record as it was written */
  hash: string;
}

/** `prev` of the first record of every journal. */
export const GENESIS_HASH = '0'.repeat(64);

export const SNAPSHOT_FILE = 'snapshot.json';
export const SNAPSHOT_TEMP_FILE = 'snapshot.json.tmp';
export const LOCK_FILE = 'journal.lock';
const SEGMENT_NAME = /^segment-(\d{16})\.jsonl$/;
const HASH_TEXT = /^[0-9a-f]{64}$/;

/** Segment files are named by the seq of their first record, zero-padded so that names sort as numbers. */
export function segmentFileName(firstSeq: number): string {
  return `segment-${String(firstSeq).padStart(16, '0')}.jsonl`;
}

export interface SegmentFile {
  name: string;
  firstSeq: number;
}

/** The segment files among a directory's names, oldest first. */
export function segmentFiles(names: readonly string[]): SegmentFile[] {
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match) segments.push({ name, firstSeq: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** The hash a record must carry, recomputed from its content. */
export function entryHash(entry: Pick<JournalEntry, 'v' | 'seq' | 'kind' | 'data' | 'prev'>): string {
  return sha256Hex(entry.prev + canonicalJson({ v: entry.v, seq: entry.seq, kind: entry.kind, data: entry.data }));
}

/** A line parsed into a record of the right shape, or undefined for anything else (not JSON, wrong fields). */
export function parseEntry(text: string): JournalEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const keys = Object.keys(record);
  const shaped =
    keys.length === 6 &&
    'data' in record &&
    isVersion(record.v) &&
    Number.isSafeInteger(record.seq) &&
    (record.seq as number) >= 1 &&
    typeof record.kind === 'string' &&
    typeof record.prev === 'string' &&
    HASH_TEXT.test(record.prev) &&
    typeof record.hash === 'string' &&
    HASH_TEXT.test(record.hash);
  return shaped ? (record as unknown as JournalEntry) : undefined;
}

export function isVersion(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

export interface SnapshotRecord {
  /** format version of `state` */
  v: number;
  /** the last record the state includes */
  seq: number;
  /** that record's hash: the chain goes on from here */
  hash: string;
  state: unknown;
}

function snapshotBody(v: number, seq: number, hash: string, stateJson: string): string {
  return `{"hash":"${hash}","seq":${seq},"state":${stateJson},"v":${v}}`;
}

/** The snapshot file's text: the record with a digest of itself, so that a damaged snapshot is noticed. */
export function encodeSnapshot(snapshot: SnapshotRecord): string {
  const stateJson = canonicalJson(snapshot.state);
  const digest = sha256Hex(snapshotBody(snapshot.v, snapshot.seq, snapshot.hash, stateJson));
  return `{"digest":"${digest}","hash":"${snapshot.hash}","seq":${snapshot.seq},"state":${stateJson},"v":${snapshot.v}}\n`;
}

/** The snapshot in a snapshot file's text; a sentence saying what is wrong when it is not one. */
export function decodeSnapshot(text: string): SnapshotRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'it is not JSON (it was changed or damaged after it was written)';
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (
    !isVersion(record.v) ||
    !Number.isSafeInteger(record.seq) ||
    (record.seq as number) < 0 ||
    typeof record.hash !== 'string' ||
    !HASH_TEXT.test(record.hash) ||
    typeof record.digest !== 'string' ||
    !('state' in record)
  ) {
    return 'it is not a journal snapshot (fields v, seq, hash, state, digest)';
  }
  let stateJson: string;
  try {
    stateJson = canonicalJson(record.state);
  } catch (err) {
    return `its state is not canonical JSON (${(err as Error).message})`;
  }
  if (sha256Hex(snapshotBody(record.v, record.seq as number, record.hash, stateJson)) !== record.digest) {
    return 'its digest does not match its content (it was changed or damaged after it was written)';
  }
  return { v: record.v, seq: record.seq as number, hash: record.hash, state: record.state };
}

export async function writeFully(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a directory's entries (new, renamed or removed files) durable. Windows cannot open a directory. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** sha256 hex of the canonical JSON of a state: equal states give equal hashes, whatever their key order. */
export function stateHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
