import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Journal, JournalError, verifyJournal } from '../../../lib/journal';
import { collectWarnings, journalDirs, recordsOnDisk } from './support';

const WRITER = join(__dirname, 'journal-writer.js');
const ROUNDS = 10;
const SEED = 0x5eed_2026;

interface Tick {
  n: number;
  pad: string;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

interface RoundOutput {
  ready: number;
  issued: number;
  acks: number[];
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** Runs the writer on `dir`; once it is ready, awaits `untilKill(pid)`, kills it with SIGKILL and returns what it printed. */
function runAndKill(dir: string, history: 'keep' | 'prune', seed: number, untilKill: (pid: number) => Promise<void>): Promise<RoundOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, history, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (ready || !stdout.includes('ready ')) return;
      ready = true;
      untilKill(child.pid!).then(
        () => child.kill('SIGKILL'),
        (err: unknown) => {
          child.kill('SIGKILL');
          reject(err as Error);
        },
      );
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close': the process is reaped and its pipes are drained, so its lock's pid is no longer alive.
    child.on('close', (_code, signal) => {
      const lines = stdout.split('\n');
      const values = (word: string) => lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.slice(word.length + 1)));
      resolve({ ready: values('ready')[0] ?? -1, issued: Math.max(0, ...values('issued')), acks: values('ack'), stderr, signal });
    });
  });
}

describe('journal: SIGKILL while writing', () => {
  const dirs = journalDirs();

  it('after kills at random moments the chain verifies, every acknowledged record is there, and appending goes on', async function () {
    this.timeout(60_000);
    const random = seeded(SEED);
    const base = dirs.next();
    let acknowledged = 0;
    let inFlightAtKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const history = round % 2 === 0 ? 'keep' : 'prune';
      const dir = `${base}-${history}`;
      const context = `round ${round} (seed ${SEED}, ${history})`;
      const delayMs = 5 + Math.floor(random() * 150);
      const out = await runAndKill(dir, history, SEED + round, () => new Promise((resolve) => setTimeout(resolve, delayMs)));
      assert.equal(out.signal, 'SIGKILL', `${context}: the writer ended by itself: ${out.stderr}`);
      assert.equal(out.stderr, '', context);
      assert.ok(out.ready >= 0, `${context}: the writer never became ready`);
      assert.equal(new Set(out.acks).size, out.acks.length, `${context}: an ack was printed twice`);
      const maxAck = Math.max(out.ready, ...out.acks);

      const report = await verifyJournal(dir);
      assert.equal(report.ok, true, `${context}: ${report.problem?.message}`);
      const { warn, messages } = collectWarnings();
      const { journal, snapshot, entries } = await Journal.open<Tick, { n: number }>(dir, { version: 1, keepHistory: history === 'keep', warn });
      for (const message of messages) assert.match(message, /took over a stale lock|removed a torn last record/, context);
      const head = journal.seq;
      assert.ok(head >= maxAck, `${context}: acknowledged up to ${maxAck} but the journal ends at ${head}`);
      assert.ok(head <= Math.max(out.ready, out.issued), `${context}: the journal ends at ${head}, beyond the ${out.issued} issued`);

      const snapshotSeq = snapshot?.seq ?? 0;
      if (snapshot) assert.equal(snapshot.state.n, snapshot.seq, `${context}: the snapshot's state is not of its seq`);
      assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: head - snapshotSeq }, (_, i) => snapshotSeq + 1 + i), context);
      for (const entry of entries) assert.equal(entry.data.n, entry.seq, context);
      if (history === 'keep') {
        assert.equal(report.anchor, 'genesis', context);
        const onDisk = recordsOnDisk(dir);
        assert.deepEqual(onDisk.map((r) => r.seq), Array.from({ length: head }, (_, i) => i + 1), context);
        assert.ok(onDisk.every((r) => (r.data as Tick).n === r.seq), context);
      }
      // Acknowledged and beyond the snapshot: in the tail; at or before it: inside the snapshot's state.
      const tail = new Set(entries.map((e) => e.seq));
      for (const seq of out.acks) assert.ok(seq <= snapshotSeq || tail.has(seq), `${context}: acknowledged seq ${seq} is missing`);

      const next = await journal.append('tick', { n: head + 1, pad: '' });
      assert.equal(next.seq, head + 1);
      await journal.close();
      const after = await verifyJournal(dir);
      assert.equal(after.ok, true, context);
      assert.equal(after.lastSeq, head + 1, context);
      assert.equal(after.tornTail, undefined, context);

      acknowledged += out.acks.length;
      inFlightAtKill += out.issued - maxAck;
    }
    // The kills fell while records were being written, and many records had been acknowledged.
    assert.ok(acknowledged > 1_000, `only ${acknowledged} acknowledged records in ${ROUNDS} rounds`);
    assert.ok(inFlightAtKill > 0, 'no kill fell while appends were in flight');
  });

  it('refuses a second process while the writer runs, and takes the journal over once it is killed', async () => {
    const dir = dirs.next();
    let refusal: unknown;
    const out = await runAndKill(dir, 'prune', SEED, async (pid) => {
      refusal = await Journal.open(dir, { version: 1 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(refusal instanceof JournalError && refusal.code === 'LOCKED' && refusal.message.includes(`process ${pid}`), String(refusal));
    });
    assert.equal(out.signal, 'SIGKILL');
    assert.ok(refusal instanceof JournalError);
    const { warn, messages } = collectWarnings();
    const { journal } = await Journal.open(dir, { version: 1, warn });
    assert.match(messages[0], /took over a stale lock/);
    await journal.close();
  });
});
