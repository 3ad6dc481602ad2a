// The market's journal records, and replaying them into an engine. A replay applies the commands (settings,
// order, cancel, tick, clear) in order and checks that they make exactly the journalled trades: the engine is
// deterministic, so any difference means the code or the journal changed, and the replay stops.

import { canonicalJson } from '../canonical-json';
import type { JournalEntry } from '../journal';
import type { Cancel, Order, Trade } from '../schemas';
import { Engine, type OrderMeta } from './engine';
import { engineFromState, engineState, type EngineState } from './engine-state';
import { MarketError } from './errors';
import { emptyOutcome } from './outcome';
import type { MarketSettings } from './settings';

export type MarketRecord =
  | MarketSettings
  | { order: Order; meta: OrderMeta; atMs: number }
  | { cancel: Cancel; fingerprint: string; atMs: number }
  | { atMs: number }
  | Trade;

export const JOURNAL_VERSION = 1;

/** Replays records into an engine (undefined before the first settings record); trades not yet journalled come back. */
export class Replayer {
  /** trades the commands made that no trade record has matched yet */
  pending: Trade[] = [];
  droppedOrders = 0;

  constructor(public engine: Engine | undefined) {}

  apply(entry: JournalEntry<MarketRecord>): void {
    const data = entry.data;
    if (entry.kind === 'settings') {
      this.settle(entry.seq);
      this.engine = this.engine === undefined ? new Engine(data as MarketSettings) : this.rebuild(this.engine, data as MarketSettings);
      return;
    }
    const engine = this.engine;
    if (engine === undefined) throw new MarketError('JOURNAL_INVALID', `journal record ${entry.seq} (${entry.kind}) comes before the market's settings record`);
    if (entry.kind === 'trade') {
      const expected = this.pending.shift();
      if (expected === undefined || canonicalJson(expected) !== canonicalJson(data)) {
        throw new MarketError('REPLAY_DIVERGED', `journal record ${entry.seq}: trade ${(data as Trade).id} is not the trade the replayed book makes (${expected ? expected.id : 'none'})`);
      }
      return;
    }
    this.settle(entry.seq);
    const out = emptyOutcome();
    if (entry.kind === 'order') {
      const { order, meta, atMs } = data as { order: Order; meta: OrderMeta; atMs: number };
      engine.place(order, meta, atMs, out);
    } else if (entry.kind === 'cancel') {
      const { cancel, fingerprint, atMs } = data as { cancel: Cancel; fingerprint: string; atMs: number };
      engine.cancel(cancel, fingerprint, atMs, out);
    } else if (entry.kind === 'tick') {
      engine.advance((data as { atMs: number }).atMs, out);
    } else if (entry.kind === 'clear') {
      engine.clear((data as { atMs: number }).atMs, out);
    } else {
      throw new MarketError('JOURNAL_INVALID', `journal record ${entry.seq} has an unknown kind ${entry.kind}`);
    }
    this.pending = out.trades;
  }

  /**
   * A command's trades go to the journal right after it; only the end of a journal (a crash between the two)
   * may lack some. Anywhere else a missing trade is a divergence.
   */
  private settle(seq: number): void {
    if (this.pending.length > 0) {
      throw new MarketError('REPLAY_DIVERGED', `journal record ${seq}: the replayed book made trade ${this.pending[0].id}, which the journal does not have`);
    }
  }

  private rebuild(engine: Engine, settings: MarketSettings): Engine {
    const restored = engineFromState(engineState(engine), settings);
    this.droppedOrders += restored.dropped.length;
    return restored.engine;
  }
}

export function replayState(snapshot: EngineState | undefined): Replayer {
  return new Replayer(snapshot === undefined ? undefined : engineFromState(snapshot).engine);
}
