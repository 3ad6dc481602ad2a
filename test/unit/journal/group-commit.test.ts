import assert from 'node:assert/strict';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal, JournalError, verifyJournal, type JournalEntry } from '../../../lib/journal';
import { journalDirs, segmentNames } from './support';

type SyncMethods = Record<'datasync' | 'sync', (this: FileHandle) => Promise<void>>;

async function fileHandlePrototype(dir: string): Promise<SyncMethods> {
  const probe = await open(join(dir, 'probe'), 'w');
  await probe.close();
  return Object.getPrototypeOf(probe) as SyncMethods;
}

/**
 * Counts the fdatasync and fsync calls of every FileHandle in the process by wrapping the FileHandle
 * prototype, independently of the journal's own counters, and after each one counts the complete lines of
 * the journal's one segment: the records that are durable at that moment.
 */
async function watchSyncs(dir: string): Promise<{ datasyncs: number; syncs: number; durable: number; restore(): void }> {
  const proto = await fileHandlePrototype(dir);
  const original = { datasync: proto.datasync, sync: proto.sync };
  const watch = { datasyncs: 0, syncs: 0, durable: 0, restore: () => Object.assign(proto, original) };
  const countDurable = async (): Promise<void> => {
    const [segment] = segmentNames(dir);
    if (segment !== undefined) watch.durable = (await readFile(join(dir, segment), 'utf8')).split('\n').length - 1;
  };
  proto.datasync = async function () {
    await original.datasync.call(this);
    watch.datasyncs++;
    await countDurable();
  };
  proto.sync = async function () {
    await original.sync.call(this);
    watch.syncs++;
  };
  return watch;
}

describe('journal: group commit', () => {
  const dirs = journalDirs();

  it('10,000 appends issued at once resolve in order, on one chain, each after its record was synced, with few syncs', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open<{ n: number; pad: string }>(dir, { version: 1 });
    const watch = await watchSyncs(dir);
    const resolvedOrder: number[] = [];
    const notDurable: number[] = [];
    let entries: JournalEntry<{ n: number; pad: string }>[];
    try {
      const pending: Promise<JournalEntry<{ n: number; pad: string }>>[] = [];
      // Half at once, half while the first write is in flight.
      for (let n = 1; n <= 5_000; n++) pending.push(journal.append('tick', { n, pad: 'x'.repeat(200) }));
      await new Promise((resolve) => setImmediate(resolve));
      for (let n = 5_001; n <= 10_000; n++) pending.push(journal.append('tick', { n, pad: 'x'.repeat(200) }));
      for (const promise of pending) {
        void promise.then((entry) => {
          resolvedOrder.push(entry.seq);
          if (watch.durable < entry.seq) notDurable.push(entry.seq);
        });
      }
      entries = await Promise.all(pending);
    } finally {
      watch.restore();
    }
    const stats = journal.stats;
    await journal.close();

    assert.deepEqual(resolvedOrder, Array.from({ length: 10_000 }, (_, i) => i + 1));
    assert.deepEqual(entries.map((e) => e.data.n), resolvedOrder);
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i].prev, entries[i - 1].hash);
    assert.deepEqual(notDurable, [], 'an append resolved before its record was synced');
    // Two bursts: at least two writes; far fewer syncs than records.
    assert.ok(watch.datasyncs >= 2 && watch.datasyncs <= 20, `${watch.datasyncs} syncs for 10,000 appends`);
    assert.equal(stats.syncs, watch.datasyncs);
    assert.equal(stats.writes, watch.datasyncs);
    // The new segment's directory entry was synced too.
    assert.ok(watch.syncs >= 1);
    assert.equal(stats.appends, 10_000);
    const report = await verifyJournal(dir);
    assert.equal(report.ok, true);
    assert.equal(report.records, 10_000);
    assert.equal(segmentNames(dir).length, 1);
  });

  it('an awaited append is written and synced on its own', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open(dir, { version: 1 });
    for (let n = 1; n <= 5; n++) {
      await journal.append('payment', { paymentId: `p-${n}` });
      assert.equal(journal.stats.syncs, n);
      const lines = (await readFile(join(dir, segmentNames(dir)[0]), 'utf8')).split('\n').length - 1;
      assert.equal(lines, n);
    }
    await journal.close();
  });

  it('a failed sync rejects its batch, the snapshot behind it and every later append, until the journal is reopened', async () => {
    const dir = dirs.next();
    const { journal } = await Journal.open(dir, { version: 1 });
    await journal.append('paid', { n: 1 });
    const proto = await fileHandlePrototype(dir);
    const original = proto.datasync;
    proto.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await Promise.allSettled([journal.append('lost', { n: 2 }), journal.append('lost', { n: 3 }), journal.snapshot({})]);
    } finally {
      proto.datasync = original;
    }
    for (const result of settled) {
      assert.equal(result.status, 'rejected');
      const reason = (result as PromiseRejectedResult).reason as JournalError;
      assert.equal(reason.code, 'WRITE_FAILED');
      assert.match(reason.message, /EIO.*records from seq 2 on may not be on disk/);
    }
    assert.throws(() => journal.append('later', {}), (err: unknown) => err instanceof JournalError && err.code === 'FAILED');
    await journal.close();
    // The failed batch was written before its sync failed: whether it is durable is unknown, and a reopen
    // replays what the file holds.
    const reopened = await Journal.open(dir, { version: 1 });
    assert.deepEqual(reopened.entries.map((e) => e.seq), [1, 2, 3]);
    await reopened.journal.close();
  });
});
