// The market's errors. Bad input never throws (it becomes a Reject); these are for settings, the journal and
// broken invariants.

export type MarketErrorCode =
  /** validateMarketSettings: a field is wrong; `problems` lists each */
  | 'SETTINGS_INVALID'
  /** the journal belongs to another market, or a record in it cannot be applied */
  | 'JOURNAL_INVALID'
  /** replaying the journal did not reproduce a journalled trade: the code or the journal changed */
  | 'REPLAY_DIVERGED'
  /** a journal write failed; the market must be opened again */
  | 'JOURNAL_FAILED'
  /** the market was closed */
  | 'CLOSED';

export class MarketError extends Error {
  override name = 'MarketError';
  constructor(
    readonly code: MarketErrorCode,
    message: string,
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
