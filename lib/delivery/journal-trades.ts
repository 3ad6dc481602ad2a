// The trades a market's journal holds (its records since the last snapshot), read with lib/journal's reader
// (readJournal: no lock, the chain checked). lib/market journals every trade as a record whose data is the
// Trade, right after the command that made it; these are what a matcher sends again after a restart when it
// cannot tell whether they left before the crash.
//
// Read once the market is open and before anything is submitted: the market has then cut any torn record and
// nothing else writes.

import { readJournal } from '../journal';
import { isTrade, type Trade } from '../schemas';

export async function journalledTrades(journalDir: string): Promise<Trade[]> {
  const { entries } = await readJournal(journalDir);
  return entries.map((entry) => entry.data).filter((data): data is Trade => isTrade(data));
}

/** The trades after trade `tradeId`; all of them when it is undefined or not among them (it was before the tail). */
export function tradesAfter(trades: readonly Trade[], tradeId: string | undefined): Trade[] {
  const at = tradeId === undefined ? -1 : trades.findIndex((trade) => trade.id === tradeId);
  return trades.slice(at + 1);
}
