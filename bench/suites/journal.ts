// Suite `journal`: durable appends per second through lib/journal on the machine's disk (os.tmpdir()).
// journalAppendsPerSec: group commit, as the matcher uses it: orders arrive in bursts (one event-loop turn
//   each, as Node-RED delivers messages) and are appended without awaiting each; the figure counts appends
//   whose promise resolved, i.e. records written and fdatasync'd.
// journalAwaitedAppendsPerSec: as a payment stream uses it: each append awaited before the next, one write
//   and one fdatasync per record, so the figure is the disk's sync rate.
// Records are order-shaped, about 300 bytes of data each.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../lib/journal';
import type { BenchResult, BenchSuite } from '../types';

export interface JournalBenchOptions {
  /** records appended with group commit (default 200,000) */
  records?: number;
  /** appends per event-loop turn (default 500) */
  burst?: number;
  /** how long to measure awaited appends, ms (default 2000) */
  awaitedMs?: number;
}

/** An order of the market's shape; its canonical JSON is about 300 bytes. */
export function benchOrder(n: number): Record<string, unknown> {
  return {
    type: 'order',
    id: `order-${String(n).padStart(10, '0')}`,
    market: 'flaregrid-site-a',
    participant: `prosumer-${n % 64}`,
    side: n % 2 === 0 ? 'buy' : 'sell',
    quantityWh: 1000 + (n % 5000),
    priceMsatPerKwh: 90_000 + (n % 997),
    deliveryStart: '2026-05-01T12:00:00.000Z',
    deliveryEnd: '2026-05-01T12:15:00.000Z',
    createdAt: '2026-05-01T11:59:58.123Z',
    sig: 'a'.repeat(16),
  };
}

async function groupCommitBench(dir: string, records: number, burst: number): Promise<number> {
  const { journal } = await Journal.open(dir, { version: 1 });
  try {
    const started = performance.now();
    let issued = 0;
    let resolved = 0;
    await new Promise<void>((resolve, reject) => {
      const onDurable = (): void => {
        if (++resolved === records) resolve();
      };
      const pump = (): void => {
        for (let i = 0; i < burst && issued < records; i++, issued++) journal.append('order', benchOrder(issued)).then(onDurable, reject);
        if (issued < records) setImmediate(pump);
      };
      pump();
    });
    return records / ((performance.now() - started) / 1000);
  } finally {
    await journal.close();
  }
}

async function awaitedBench(dir: string, durationMs: number): Promise<number> {
  const { journal } = await Journal.open(dir, { version: 1 });
  try {
    const started = performance.now();
    let appended = 0;
    while (performance.now() - started < durationMs) {
      await journal.append('payment', benchOrder(appended));
      appended++;
    }
    return appended / ((performance.now() - started) / 1000);
  } finally {
    await journal.close();
  }
}

export async function journalBench(options: JournalBenchOptions = {}): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'flaregrid-bench-journal-'));
  try {
    const grouped = await groupCommitBench(join(root, 'grouped'), options.records ?? 200_000, options.burst ?? 500);
    const awaited = await awaitedBench(join(root, 'awaited'), options.awaitedMs ?? 2000);
    return [
      { suite: 'journal', metric: 'journalAppendsPerSec', value: Math.round(grouped), unit: 'appends/s' },
      { suite: 'journal', metric: 'journalAwaitedAppendsPerSec', value: Math.round(awaited), unit: 'appends/s' },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const journalSuite: BenchSuite = {
  name: 'journal',
  run: () => journalBench(),
};
