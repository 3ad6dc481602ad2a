// Reads a journal's segment files and checks the chain: every record's seq follows its predecessor's, its
// prev is its predecessor's hash, its hash is the hash of its content, and the snapshot sits on the chain.
// Journal.open and verifyJournal both read through here; neither changes anything in this module: open
// acts on the torn tail and the problem, verify reports them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalErrorCode } from './errors';
import { entryHash, GENESIS_HASH, parseEntry, type JournalEntry, type SegmentFile } from './format';

export interface ChainProblem {
  code: JournalErrorCode;
  /** one sentence with the file, the line and the seq */
  message: string;
  file: string;
  /** 1-based line in `file` */
  line: number | undefined;
  seq: number | undefined;
}

/** A last record cut short by a crash: `bytes` bytes from `offset` of the last segment. */
export interface TornTail {
  file: string;
  offset: number;
  bytes: number;
  /** why it is not a record */
  reason: string;
}

export interface ReadSegment extends SegmentFile {
  /** seq of its last record; firstSeq - 1 when it holds none */
  lastSeq: number;
}

export interface ChainReading {
  /** the records after the snapshot, as stored (when `collect`) */
  entries: JournalEntry[];
  /** records read and checked */
  records: number;
  /** seq of the first record read */
  firstSeq: number | undefined;
  /** seq of the newest record, or the snapshot's when no record follows it */
  lastSeq: number;
  headHash: string;
  /** the chain was checked from the first record ever (genesis) or from the snapshot on */
  anchor: 'genesis' | 'snapshot';
  /** the segments read, oldest first */
  segments: ReadSegment[];
  /** segments not read because the snapshot covers every record in them */
  covered: SegmentFile[];
  torn: TornTail | undefined;
  problem: ChainProblem | undefined;
}

export interface ReadChainOptions {
  snapshot: { seq: number; hash: string } | undefined;
  /** read segments that the snapshot covers too (verify) or skip them (open) */
  readCovered: boolean;
  /** keep the records after the snapshot in `entries` */
  collect: boolean;
}

export async function readChain(dir: string, segments: readonly SegmentFile[], options: ReadChainOptions): Promise<ChainReading> {
  const { snapshot } = options;
  const snapshotSeq = snapshot?.seq ?? 0;
  const snapshotHash = snapshot?.hash ?? GENESIS_HASH;
  // A segment is covered when the next one starts at or before snapshotSeq + 1.
  let start = 0;
  if (snapshot && !options.readCovered) {
    while (start + 1 < segments.length && segments[start + 1].firstSeq <= snapshotSeq + 1) start++;
  }
  const reading: ChainReading = {
    entries: [],
    records: 0,
    firstSeq: undefined,
    lastSeq: snapshotSeq,
    headHash: snapshotHash,
    anchor: snapshot ? 'snapshot' : 'genesis',
    segments: [],
    covered: segments.slice(0, start),
    torn: undefined,
    problem: undefined,
  };
  const toRead = segments.slice(start);
  if (toRead.length === 0) return reading;

  const report = (code: JournalErrorCode, file: string, line: number | undefined, seq: number | undefined, sentence: string): ChainReading => {
    const where = [file, line === undefined ? undefined : `line ${line}`, seq === undefined ? undefined : `seq ${seq}`].filter(Boolean).join(', ');
    reading.problem = { code, file, line, seq, message: `journal ${dir}: ${where}: ${sentence}` };
    return reading;
  };

  if (snapshot && snapshotSeq === 0 && snapshotHash !== GENESIS_HASH) {
    return report('SNAPSHOT_MISMATCH', toRead[0].name, undefined, 0, 'the snapshot is at seq 0 but its hash is not the genesis hash');
  }
  const first = toRead[0].firstSeq;
  let expectedSeq = first;
  /** undefined while the first record of a window that starts inside the snapshot's range is read */
  let expectedPrev: string | undefined;
  if (first === 1) {
    expectedPrev = GENESIS_HASH;
    reading.anchor = 'genesis';
  } else if (snapshot && first === snapshotSeq + 1) {
    expectedPrev = snapshotHash;
  } else if (!(snapshot && first <= snapshotSeq)) {
    const after = snapshot ? `the snapshot ends at seq ${snapshotSeq}` : 'the journal has no snapshot';
    return report('SEQ_GAP', toRead[0].name, undefined, snapshotSeq + 1, `records ${snapshotSeq + 1} to ${first - 1} are missing (${after}, the oldest segment starts at seq ${first})`);
  }

  for (let s = 0; s < toRead.length; s++) {
    const segment = toRead[s];
    const isLast = s === toRead.length - 1;
    if (segment.firstSeq !== expectedSeq) {
      return report('SEQ_GAP', segment.name, undefined, expectedSeq, `the segment starts at seq ${segment.firstSeq} but seq ${expectedSeq} comes next`);
    }
    const bytes = await readFile(join(dir, segment.name));
    let pos = 0;
    let line = 0;
    while (pos < bytes.length) {
      line++;
      const newline = bytes.indexOf(10, pos);
      const text = bytes.toString('utf8', pos, newline === -1 ? bytes.length : newline);
      const entry = newline === -1 ? undefined : parseEntry(text);
      if (entry === undefined) {
        const reason = newline === -1 ? 'it has no newline (a write cut short)' : 'it is not a journal record';
        if (isLast && (newline === -1 || newline === bytes.length - 1)) {
          reading.torn = { file: segment.name, offset: pos, bytes: bytes.length - pos, reason };
          break;
        }
        return report('RECORD_INVALID', segment.name, line, expectedSeq, `the line is not a record (${reason}) and records follow it`);
      }
      if (entry.seq !== expectedSeq) {
        return report('SEQ_GAP', segment.name, line, entry.seq, `seq ${expectedSeq} was expected here (a record is missing, repeated or out of order)`);
      }
      if (expectedPrev !== undefined && entry.prev !== expectedPrev) {
        return report('PREV_MISMATCH', segment.name, line, entry.seq, "the record's prev is not the hash of the record before it");
      }
      let hash: string;
      try {
        hash = entryHash(entry);
      } catch (err) {
        return report('RECORD_INVALID', segment.name, line, entry.seq, `the record's data is not canonical JSON (${(err as Error).message})`);
      }
      if (hash !== entry.hash) {
        return report('HASH_MISMATCH', segment.name, line, entry.seq, "the record's hash does not match its content: it was changed after it was written");
      }
      if (snapshot && entry.seq === snapshotSeq && entry.hash !== snapshotHash) {
        return report('SNAPSHOT_MISMATCH', segment.name, line, entry.seq, "the snapshot was taken at this seq but with another hash: the snapshot and the records are not of one chain");
      }
      reading.records++;
      reading.firstSeq ??= entry.seq;
      if (options.collect && entry.seq > snapshotSeq) reading.entries.push(entry);
      reading.lastSeq = entry.seq;
      reading.headHash = entry.hash;
      expectedSeq++;
      expectedPrev = entry.hash;
      pos = newline + 1;
    }
    reading.segments.push({ ...segment, lastSeq: expectedSeq - 1 });
  }
  if (expectedSeq - 1 < snapshotSeq) {
    return report('SNAPSHOT_MISMATCH', toRead[toRead.length - 1].name, undefined, expectedSeq, `the snapshot covers records up to seq ${snapshotSeq} but the records end at seq ${expectedSeq - 1}`);
  }
  return reading;
}
