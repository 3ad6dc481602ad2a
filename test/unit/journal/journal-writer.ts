// Not a test: the child process of the crash test. It opens the journal in argv[2] and appends records
// {n: seq} in bursts without awaiting each, snapshotting now and then, until it is killed. On stdout it
// reports, each line written synchronously (stdout is a pipe):
//   ready <seq>    the journal is open at <seq>
//   issued <seq>   appends up to <seq> are about to be made (printed before they are)
//   ack <seq>      the append of <seq> resolved: the record is durable
// argv[3] is "keep" to keep the history, "prune" to let snapshots remove covered segments; argv[4] a seed.

import { Journal } from '../../../lib/journal';

interface Tick {
  n: number;
  pad: string;
}

async function main(): Promise<void> {
  const [dir, history, seedText] = process.argv.slice(2);
  let seed = Number(seedText) >>> 0;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const { journal } = await Journal.open<Tick, { n: number }>(dir, { version: 1, keepHistory: history === 'keep' });
  process.stdout.write(`ready ${journal.seq}\n`);
  let acks: number[] = [];
  let acked = journal.seq;
  const printAcks = (): void => {
    process.stdout.write(acks.map((seq) => `ack ${seq}\n`).join(''));
    acks = [];
  };
  for (;;) {
    const burst = 1 + Math.floor(random() * 300);
    process.stdout.write(`issued ${journal.seq + burst}\n`);
    let last: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < burst; i++) {
      last = journal.append('tick', { n: journal.seq + 1, pad: 'p'.repeat(Math.floor(random() * 200)) }).then((entry) => {
        if (acks.length === 0) queueMicrotask(printAcks);
        acks.push(entry.seq);
        acked = entry.seq;
      });
    }
    if (random() < 0.1) void journal.snapshot({ n: journal.seq });
    // Keep a few bursts in flight, never an unbounded backlog.
    if (journal.seq - acked > 2_000 || random() < 0.3) await last;
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`journal-writer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
