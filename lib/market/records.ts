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

// The canonical JSON (RFC 8785) of the hot records, written out for their known shapes so that a message is
// serialised once, by admission (message-json.ts), and each trade without the generic walk: keys in code-unit
// order, strings quoted by JSON.stringify (which RFC 8785 prescribes), integers as they are. A test holds them
// equal to canonicalJson.

const str = JSON.stringify;

/** canonicalJson({ order, meta, atMs }) given canonicalJson(order) */
export function orderRecordJson(meta: OrderMeta, atMs: number, orderJson: string): string {
  const payTo = meta.payTo === undefined ? '' : `,"payTo":${str(meta.payTo)}`;
  return `{"atMs":${atMs},"meta":{"fingerprint":${str(meta.fingerprint)}${payTo},"zone":${str(meta.zone)}},"order":${orderJson}}`;
}

/** canonicalJson({ cancel, fingerprint, atMs }) given canonicalJson(cancel) */
export function cancelRecordJson(fingerprint: string, atMs: number, cancelJson: string): string {
  return `{"atMs":${atMs},"cancel":${cancelJson},"fingerprint":${str(fingerprint)}}`;
}

/**
 * canonicalJson(trade): a literal with the Trade fields in code-unit order, written by JSON.stringify (one flat
 * string; undefined members left out). A trade's strings come from admitted orders (ids, zones and keys of
 * the contracts' ASCII patterns, ISO times), so none holds a lone surrogate, and its numbers are integers.
 */
export function tradeJson(t: Trade): string {
  return JSON.stringify({
    buyOrderId: t.buyOrderId, buyer: t.buyer, buyerZone: t.buyerZone, deliveryEnd: t.deliveryEnd, deliveryStart: t.deliveryStart,
    feeMsatPerKwh: t.feeMsatPerKwh, id: t.id, market: t.market, matchedAt: t.matchedAt, mode: t.mode, payTo: t.payTo,
    priceMsatPerKwh: t.priceMsatPerKwh, quantityWh: t.quantityWh, sellOrderId: t.sellOrderId, seller: t.seller, sellerZone: t.sellerZone,
    surplusMsatPerKwh: t.surplusMsatPerKwh, type: t.type,
  });
}

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
