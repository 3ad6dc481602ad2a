// verifyJournal: the auditor's check of a journal directory, read-only and without the lock, so it can run
// beside the writer (a record being written at that moment shows as a torn tail, not as a problem).

import { readdir } from 'node:fs/promises';
import { readChain, type ChainProblem, type TornTail } from './chain';
import { JournalError } from './errors';
import { segmentFiles, SNAPSHOT_FILE, type JournalEntry, type SnapshotRecord } from './format';
import { readSnapshotFile } from './snapshot-file';

export interface VerifyReport {
  /** the chain holds from its anchor to its head */
  ok: boolean;
  /** records read and checked */
  records: number;
  /** seq of the oldest record on disk */
  firstSeq: number | undefined;
  /** seq of the newest record (or the snapshot's, when no record follows it) */
  lastSeq: number;
  /** hash of that record: publish it, and a later check shows that nothing before it changed */
  headHash: string;
  /** the chain was checked from seq 1 (genesis), or from the snapshot when the records before it were removed */
  anchor: 'genesis' | 'snapshot';
  snapshot: { seq: number; hash: string; v: number } | undefined;
  /** a partial last record (a crash, or a write in progress); the next open cuts it off */
  tornTail: TornTail | undefined;
  /** the first thing that breaks the chain, with its file, line and seq */
  problem: ChainProblem | undefined;
}

/** What an auditor's replay needs: the report, and (when it is ok) the snapshot and the records after it. */
export interface JournalReading {
  report: VerifyReport;
  snapshot: { seq: number; state: unknown } | undefined;
  /** the records after the snapshot, as stored (not migrated), up to a torn tail */
  entries: JournalEntry[];
}

export async function verifyJournal(dir: string): Promise<VerifyReport> {
  return (await inspect(dir, false)).report;
}

/** verifyJournal, and the records too: a read-only replay source (no lock taken, nothing cut or changed). */
export function readJournal(dir: string): Promise<JournalReading> {
  return inspect(dir, true);
}

async function inspect(dir: string, collect: boolean): Promise<JournalReading> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new JournalError('NOT_FOUND', `no journal at ${dir}: it is not a directory`, { cause: err });
    throw err;
  }
  let snapshot: SnapshotRecord | undefined;
  try {
    snapshot = await readSnapshotFile(dir);
  } catch (err) {
    if (!(err instanceof JournalError)) throw err;
    const problem: ChainProblem = { code: err.code, message: err.message, file: SNAPSHOT_FILE, line: undefined, seq: undefined };
    const report: VerifyReport = { ok: false, records: 0, firstSeq: undefined, lastSeq: 0, headHash: '', anchor: 'genesis', snapshot: undefined, tornTail: undefined, problem };
    return { report, snapshot: undefined, entries: [] };
  }
  const reading = await readChain(dir, segmentFiles(names), { snapshot, readCovered: true, collect });
  const report: VerifyReport = {
    ok: reading.problem === undefined,
    records: reading.records,
    firstSeq: reading.firstSeq,
    lastSeq: reading.lastSeq,
    headHash: reading.headHash,
    anchor: reading.anchor,
    snapshot: snapshot && { seq: snapshot.seq, hash: snapshot.hash, v: snapshot.v },
    tornTail: reading.torn,
    problem: reading.problem,
  };
  return { report, snapshot: snapshot && { seq: snapshot.seq, state: snapshot.state }, entries: reading.entries };
}
