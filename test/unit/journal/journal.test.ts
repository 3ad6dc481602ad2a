import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanonicalJsonError, canonicalJson, sha256Hex } from '../../../lib/canonical-json';
import { GENESIS_HASH, Journal, JournalError, stateHash, verifyJournal, type OpenOptions } from '../../../lib/journal';
import { collectWarnings, journalDirs, recordsOnDisk, segmentNames } from './support';

interface Order {
  id: string;
  priceMsatPerKwh: number;
}

interface Named {
  name: string;
}

const order = (n: number): Order => ({ id: `o-${n}`, priceMsatPerKwh: 1000 + n });

async function writeOrders(dir: string, count: number): Promise<void> {
  const { journal } = await Journal.open<Order>(dir, { version: 1 });
  for (let n = 1; n <= count; n++) await journal.append('order', order(n));
  await journal.close();
}

function journalError(code: string, extra: (err: JournalError) => boolean = () => true) {
  return (err: unknown) => err instanceof JournalError && err.code === code && extra(err);
}

describe('journal: records, reopen and snapshots', () => {
  const dirs = journalDirs();

  it('chains records as documented and gives them back in order on reopen', async () => {
    const dir = dirs.next();
    const { journal, entries, snapshot } = await Journal.open<Order>(dir, { version: 1 });
    assert.deepEqual(entries, []);
    assert.equal(snapshot, undefined);
    const first = journal.append('order', order(1));
    // seq and hash are fixed before the write.
    assert.equal(journal.seq, 1);
    const second = journal.append('cancel', order(2));
    assert.equal(journal.seq, 2);
    const written = await Promise.all([first, second]);
    assert.equal(journal.headHash, written[1].hash);
    await journal.close();

    assert.equal(written[0].prev, GENESIS_HASH);
    assert.equal(written[1].prev, written[0].hash);
    for (const entry of written) {
      const { v, seq, kind, data, prev } = entry;
      assert.equal(entry.hash, sha256Hex(prev + canonicalJson({ v, seq, kind, data })));
    }
    assert.deepEqual(recordsOnDisk(dir), written);
    const lines = readFileSync(join(dir, segmentNames(dir)[0]), 'utf8');
    assert.equal(lines, written.map((entry) => `${canonicalJson(entry)}\n`).join(''));

    const reopened = await Journal.open<Order>(dir, { version: 1 });
    assert.deepEqual(reopened.entries, written);
    assert.equal(reopened.journal.seq, 2);
    assert.equal(reopened.journal.headHash, written[1].hash);
    const third = await reopened.journal.append('order', order(3));
    assert.equal(third.prev, written[1].hash);
    await reopened.journal.close();
    assert.deepEqual((await verifyJournal(dir)).lastSeq, 3);
  });

  it('replays a snapshot and only the records after it, and removes the segments it covers', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open<Order, { orders: number }>(dir, { version: 1 });
    const early = [1, 2, 3].map((n) => journal.append('order', order(n)));
    const snapshotted = journal.snapshot({ orders: 3 });
    // Appended after the snapshot was asked for: they belong to the tail.
    const late = [4, 5].map((n) => journal.append('order', order(n)));
    const [, , third] = await Promise.all(early);
    await snapshotted;
    const tail = await Promise.all(late);
    await journal.close();

    assert.deepEqual(segmentNames(dir), ['segment-0000000000000004.jsonl']);
    const { journal: reopened, snapshot, entries } = await Journal.open<Order, { orders: number }>(dir, { version: 1 });
    assert.deepEqual(snapshot, { seq: 3, state: { orders: 3 } });
    assert.deepEqual(entries, tail);
    assert.equal(entries[0].prev, third.hash);
    await reopened.close();
    const report = await verifyJournal(dir);
    assert.equal(report.ok, true);
    assert.equal(report.anchor, 'snapshot');
    assert.equal(report.records, 2);
    assert.deepEqual(report.snapshot, { seq: 3, hash: third.hash, v: 1 });
  });

  it('keeps the covered segments with keepHistory, so the chain verifies from genesis', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open<Order, number>(dir, { version: 1, keepHistory: true });
    for (let n = 1; n <= 4; n++) await journal.append('order', order(n));
    await journal.snapshot(4);
    const last = await journal.append('order', order(5));
    await journal.snapshot(5);
    await journal.close();
    assert.deepEqual(segmentNames(dir), ['segment-0000000000000001.jsonl', 'segment-0000000000000005.jsonl']);
    const report = await verifyJournal(dir);
    assert.equal(report.ok, true);
    assert.equal(report.anchor, 'genesis');
    assert.equal(report.records, 5);
    assert.equal(report.headHash, last.hash);
    const reopened = await Journal.open<Order, number>(dir, { version: 1, keepHistory: true });
    assert.deepEqual(reopened.snapshot, { seq: 5, state: 5 });
    assert.deepEqual(reopened.entries, []);
    assert.equal((await reopened.journal.append('order', order(6))).prev, last.hash);
    await reopened.journal.close();
  });

  it('hands old-format records and snapshots over migrated, keeping their stored hashes', async () => {
    const dir = dirs.next();
    const v1 = await Journal.open<Named, { names: string[] }>(dir, { version: 1 });
    await v1.journal.append('named', { name: 'a' });
    await v1.journal.snapshot({ names: ['a'] });
    const stored = await v1.journal.append('named', { name: 'b' });
    await v1.journal.close();

    const options: OpenOptions = {
      version: 2,
      migrations: { 1: (entry) => ({ ...entry, data: { ...(entry.data as Named), label: (entry.data as Named).name.toUpperCase() } }) },
      snapshotMigrations: { 1: (state) => ({ ...(state as { names: string[] }), count: (state as { names: string[] }).names.length }) },
    };
    const v2 = await Journal.open<Named & { label: string }, { names: string[]; count: number }>(dir, options);
    assert.deepEqual(v2.snapshot, { seq: 1, state: { names: ['a'], count: 1 } });
    assert.deepEqual(v2.entries, [{ ...stored, v: 2, data: { name: 'b', label: 'B' } }]);
    const fresh = await v2.journal.append('named', { name: 'c', label: 'C' });
    assert.equal(fresh.v, 2);
    await v2.journal.close();
    assert.deepEqual(recordsOnDisk(dir).map((r) => r.v), [1, 2]);
    assert.equal((await verifyJournal(dir)).ok, true);

    await assert.rejects(Journal.open(dir, { ...options, version: 3, snapshotMigrations: { ...options.snapshotMigrations, 2: (state) => state } }), journalError('MIGRATION_MISSING', (e) => e.seq === 2));
    await assert.rejects(Journal.open(dir, { version: 1 }), journalError('VERSION_TOO_NEW', (e) => e.seq === 3));
    // A refused open leaves the journal usable.
    await (await Journal.open(dir, options)).journal.close();
  });

  it('hashes a state the same whatever its key order', () => {
    const a = stateHash({ book: { bids: [1, 2], asks: [] }, seq: 7 });
    const b = stateHash({ seq: 7, book: { asks: [], bids: [1, 2] } });
    assert.equal(a, b);
    assert.equal(a, sha256Hex('{"book":{"asks":[],"bids":[1,2]},"seq":7}'));
    assert.notEqual(a, stateHash({ seq: 7, book: { asks: [], bids: [2, 1] } }));
  });
});

describe('journal: torn tails and corruption', () => {
  const dirs = journalDirs();

  for (const [what, torn] of [
    ['a partial last line', '{"data":{"id":"o-4","priceM'],
    ['an unparsable last line', '\u0000\u0000\u0000\u0000\n'],
  ] as const) {
    it(`cuts off ${what} with a warning and goes on with the chain`, async () => {
      const dir = dirs.next();
      await writeOrders(dir, 3);
      const file = join(dir, segmentNames(dir)[0]);
      const intact = readFileSync(file, 'utf8');
      writeFileSync(file, intact + torn);
      const before = await verifyJournal(dir);
      assert.equal(before.ok, true);
      assert.equal(before.tornTail?.bytes, Buffer.byteLength(torn));

      const { warn, messages } = collectWarnings();
      const { journal, entries } = await Journal.open<Order>(dir, { version: 1, warn });
      assert.equal(entries.length, 3);
      assert.equal(messages.length, 1);
      assert.match(messages[0], /removed a torn last record .* after seq 3/);
      assert.equal(readFileSync(file, 'utf8'), intact);
      const next = await journal.append('order', order(4));
      assert.equal(next.seq, 4);
      assert.equal(next.prev, entries[2].hash);
      await journal.close();
      const after = await verifyJournal(dir);
      assert.equal(after.ok, true);
      assert.equal(after.tornTail, undefined);
      assert.equal(after.lastSeq, 4);
    });
  }

  it('refuses a changed byte in the middle, naming the seq, and changes nothing', async () => {
    const dir = dirs.next();
    await writeOrders(dir, 10);
    const file = join(dir, segmentNames(dir)[0]);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[4] = lines[4].replace('"priceMsatPerKwh":1005', '"priceMsatPerKwh":1006');
    writeFileSync(file, lines.join('\n'));
    const damaged = readFileSync(file);

    await assert.rejects(
      Journal.open(dir, { version: 1 }),
      journalError('HASH_MISMATCH', (e) => e.seq === 5 && e.line === 5 && e.file === file && /seq 5/.test(e.message)),
    );
    assert.deepEqual(readFileSync(file), damaged);
    assert.equal(existsSync(join(dir, 'journal.lock')), false);
    const report = await verifyJournal(dir);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.code, 'HASH_MISMATCH');
    assert.equal(report.problem?.seq, 5);
  });

  it('refuses a missing record, a changed last record and a damaged snapshot', async () => {
    const dir = dirs.next();
    await writeOrders(dir, 5);
    const file = join(dir, segmentNames(dir)[0]);
    const intact = readFileSync(file, 'utf8');
    const lines = intact.split('\n');

    writeFileSync(file, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    await assert.rejects(Journal.open(dir, { version: 1 }), journalError('SEQ_GAP', (e) => e.seq === 4 && /seq 3 was expected/.test(e.message)));

    // A last record that parses but does not hash is not a torn write: it is refused, not cut off.
    writeFileSync(file, intact.replace('"priceMsatPerKwh":1005', '"priceMsatPerKwh":1'));
    await assert.rejects(Journal.open(dir, { version: 1 }), journalError('HASH_MISMATCH', (e) => e.seq === 5));

    writeFileSync(file, intact);
    const { journal } = await Journal.open(dir, { version: 1 });
    await journal.snapshot({ count: 5 });
    await journal.close();
    const snapshotFile = join(dir, 'snapshot.json');
    writeFileSync(snapshotFile, readFileSync(snapshotFile, 'utf8').replace('"count":5', '"count":6'));
    await assert.rejects(Journal.open(dir, { version: 1 }), journalError('SNAPSHOT_INVALID', (e) => e.file === snapshotFile));
    assert.equal((await verifyJournal(dir)).problem?.code, 'SNAPSHOT_INVALID');
  });
});

describe('journal: misuse and locks', () => {
  const dirs = journalDirs();

  it('refuses appends after close and data that is not JSON, synchronously, without using a seq', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open<unknown>(dir, { version: 1 });
    assert.throws(() => journal.append('bad', { at: new Date(0) }), (err: unknown) => err instanceof CanonicalJsonError && err.code === 'UNSUPPORTED_TYPE');
    assert.equal(journal.seq, 0);
    await journal.append('good', { n: 1 });
    await journal.close();
    await journal.close();
    assert.throws(() => journal.append('late', {}), journalError('CLOSED', (e) => /is closed: cannot append/.test(e.message)));
    assert.throws(() => journal.snapshot({}), journalError('CLOSED'));
  });

  it('allows one open Journal per directory in a process', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open(dir, { version: 1 });
    await assert.rejects(Journal.open(join(dir, '.', ''), { version: 1 }), journalError('ALREADY_OPEN', (e) => /already open in this process/.test(e.message)));
    await journal.close();
    await (await Journal.open(dir, { version: 1 })).journal.close();
  });

  it('refuses a journal locked by a live process and takes over the lock of a dead one', async () => {
    const dir = dirs.next();
    await writeOrders(dir, 1);
    const lockFile = join(dir, 'journal.lock');
    writeFileSync(lockFile, `${JSON.stringify({ pid: process.ppid, nonce: 'other' })}\n`);
    await assert.rejects(Journal.open(dir, { version: 1 }), journalError('LOCKED', (e) => e.message.includes(`process ${process.ppid}`)));

    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockFile, `${JSON.stringify({ pid: Number(gone.stdout), nonce: 'dead' })}\n`);
    const { warn, messages } = collectWarnings();
    const { journal } = await Journal.open(dir, { version: 1, warn });
    assert.match(messages.join('\n'), new RegExp(`took over a stale lock of process ${gone.stdout}`));
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.pid);
    await journal.close();
    assert.equal(existsSync(lockFile), false);
  });

  it('refuses a version that is not a positive integer, and verifying a directory that does not exist', async () => {
    await assert.rejects(Journal.open(dirs.next(), { version: 0 }), journalError('OPTIONS_INVALID'));
    await assert.rejects(verifyJournal(join(dirs.next(), 'nowhere')), journalError('NOT_FOUND'));
  });
});
