// Market: one durable book. This commit carries the signatures only; the bodies land in the next commits of
// h/marketlib and say so until then.

import type { ParticipantRegistry } from './identity';
import type { MarketSettings } from './settings';
import type { BookSnapshot, MarketEvents, MarketOpenOptions, SnapshotOptions } from './types';

function notYet(what: string): Error {
  return new Error(`lib/market: ${what} is not built yet on this commit of h/marketlib`);
}

export class Market {
  private constructor(readonly settings: MarketSettings) {}

  /** Opens the market's journal, replays it (snapshot and records) into the same book, trade sequence and state hash. */
  static open(_settings: MarketSettings, _options: MarketOpenOptions): Promise<Market> {
    return Promise.reject(notYet('Market.open'));
  }

  /** seq of the newest journal record */
  get seq(): number {
    throw notYet('Market.seq');
  }

  /** validate → journal → match; never throws for bad input (a Reject instead); resolves once its records are durable */
  submit(_message: unknown, _nowMs: number): Promise<MarketEvents> {
    return Promise.reject(notYet('Market.submit'));
  }

  /** submit for each message in order, with one wait for the journal */
  submitMany(_messages: readonly unknown[], _nowMs: number): Promise<MarketEvents> {
    return Promise.reject(notYet('Market.submitMany'));
  }

  /** msg.topic "clear": a call auction of every open slot now */
  clear(_nowMs: number): Promise<MarketEvents> {
    return Promise.reject(notYet('Market.clear'));
  }

  /** expiries, gate closures and periodic auctions due by nowMs */
  tick(_nowMs: number): Promise<MarketEvents> {
    return Promise.reject(notYet('Market.tick'));
  }

  snapshot(_nowMs: number, _options?: SnapshotOptions): BookSnapshot {
    throw notYet('Market.snapshot');
  }

  stateHash(): string {
    throw notYet('Market.stateHash');
  }

  setRegistry(_registry: ParticipantRegistry): void {
    throw notYet('Market.setRegistry');
  }

  close(): Promise<void> {
    return Promise.reject(notYet('Market.close'));
  }
}
