// The trades a market's journal holds (its records since the last snapshot), read from the journal's files in
// the documented format (docs/contributing/journal.md: segment-<first seq>.jsonl, one record a line, the
// record's data under `data`). lib/market journals every trade as a record whose data is the Trade, right
// after the command that made it; these are what a matcher sends again after a restart when it cannot tell
// whether they left before the crash.
//
// Read once the market is open and before anything is submitted: the market has then cut any torn record and
// removed the segments its snapshot covers, and nothing else writes.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTrade, type Trade } from '../schemas';

const SEGMENT = /^segment-(\d+)\.jsonl$/;

export async function journalledTrades(journalDir: string): Promise<Trade[]> {
  const segments = (await readdir(journalDir))
    .map((name) => ({ name, firstSeq: Number(SEGMENT.exec(name)?.[1]) }))
    .filter((segment) => Number.isSafeInteger(segment.firstSeq))
    .sort((a, b) => a.firstSeq - b.firstSeq);
  const trades: Trade[] = [];
  for (const segment of segments) {
    for (const line of (await readFile(join(journalDir, segment.name), 'utf8')).split('\n')) {
      if (line === '') continue;
      const data = (JSON.parse(line) as { data?: unknown }).data;
      if (isTrade(data)) trades.push(data);
    }
  }
  return trades;
}

/** The trades after trade `tradeId`; all of them when it is undefined or not among them (it was before the tail). */
export function tradesAfter(trades: readonly Trade[], tradeId: string | undefined): Trade[] {
  const at = tradeId === undefined ? -1 : trades.findIndex((trade) => trade.id === tradeId);
  return trades.slice(at + 1);
}
