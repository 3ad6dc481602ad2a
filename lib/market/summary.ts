// ClearingSummary: what one clearing of a slot did, with the welfare it realised against the best possible.

import type { ClearingSummary } from '../schemas';
import type { Engine } from './engine';
import { msatOf, perMille, type ExactSum } from './exact';
import { maxWelfareFlow, type FlowZone } from './flow';
import type { SlotBook, ZoneBook } from './slot-book';

export interface SummaryFigures {
  volumeWh: number;
  trades: number;
  welfare: ExactSum;
  best: bigint;
  fees: ExactSum;
  surplus: ExactSum;
  zones: ClearingSummary['zones'];
  priceMsatPerKwh?: number;
  buyerPriceMsatPerKwh?: number;
}

export function summary(engine: Engine, slot: SlotBook, mode: ClearingSummary['mode'], atIso: string, figures: SummaryFigures): ClearingSummary {
  const welfare = figures.welfare.value;
  const result: ClearingSummary = {
    type: 'clearing',
    market: engine.settings.market,
    mode,
    mechanism: engine.settings.mechanism,
    deliveryStart: slot.startIso,
    deliveryEnd: slot.endIso,
    clearedAt: atIso,
    zones: figures.zones,
    volumeWh: figures.volumeWh,
    trades: figures.trades,
    welfareMsat: msatOf(welfare),
    bestWelfareMsat: msatOf(figures.best),
    efficiencyPerMille: perMille(welfare, figures.best),
    feesMsat: msatOf(figures.fees.value),
    budgetSurplusMsat: msatOf(figures.surplus.value),
  };
  if (figures.priceMsatPerKwh !== undefined) result.priceMsatPerKwh = figures.priceMsatPerKwh;
  if (figures.buyerPriceMsatPerKwh !== undefined) result.buyerPriceMsatPerKwh = figures.buyerPriceMsatPerKwh;
  return result;
}

function curve(offered: Map<number, number>, priceOf: (index: number) => number, descending: boolean): FlowZone['asks'] {
  const entries = [...offered.entries()].filter(([, wh]) => wh > 0).sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
  return { prices: entries.map(([index]) => priceOf(index)), volumes: entries.map(([, wh]) => wh) };
}

/**
 * A continuous slot at its gate closure: its trades, against the best an ideal call auction could have done
 * with every Wh that was offered and could have traded (the fills, and what rested until expiry or gate
 * closure; not what participants cancelled, nor ioc and fok remainders, which never rested).
 */
export function continuousSummary(engine: Engine, slot: SlotBook, atIso: string): ClearingSummary {
  const books: ZoneBook[] = slot.zoneList;
  const { zones, priceOf } = engine.rules;
  const flow = maxWelfareFlow({
    zones: books.map((book) => ({ asks: curve(book.offeredAsks, priceOf, false), bids: curve(book.offeredBids, priceOf, true) })),
    fee: (a, b) => zones.fee(books[a].zone, books[b].zone),
    capLeftWh: (a, b) => zones.cap(books[a].zone, books[b].zone),
  });
  const { totals } = slot;
  return summary(engine, slot, 'continuous', atIso, {
    volumeWh: totals.volumeWh,
    trades: totals.trades,
    welfare: totals.welfare,
    best: flow.welfare,
    fees: totals.fees,
    surplus: totals.surplus,
    zones: [],
  });
}
