// The call auction's price rule (docs/market.md has it in words and a worked example). Given the allocation
// that maximises the matched volume, every price from `lower` (the highest ask that trades) to `upper` (the
// lowest bid that trades, less the fee) matches that same volume. Among them, keep those where the excess
// |demand − supply| is smallest, then take the midpoint of what is left, rounded down to the tick.
//
// demand(p) = Σ bids ≥ p + exportWh,  supply(p) = Σ asks ≤ p + importWh. With one zone the exports and
// imports are 0 and this is the textbook rule. demand − supply never rises with p, so the prices of least
// excess are one interval.

import type { Curve } from './flow';

export interface PriceInput {
  /** ascending */
  asks: Curve;
  /** descending */
  bids: Curve;
  /** energy the zone's sellers send to other zones' buyers (a fixed demand) */
  exportWh: number;
  /** energy the zone's buyers take from other zones' sellers (a fixed supply) */
  importWh: number;
  lower: number;
  upper: number;
  tick: number;
}

export function uniformPrice(input: PriceInput): number {
  const { asks, bids, lower, upper, tick } = input;
  // demand and supply at p = lower
  let demand = input.exportWh;
  for (let i = 0; i < bids.prices.length && bids.prices[i] >= lower; i++) demand += bids.volumes[i];
  let supply = input.importWh;
  let a = 0;
  for (; a < asks.prices.length && asks.prices[a] <= lower; a++) supply += asks.volumes[a];
  // bids that drop out as p rises past them, lowest first: a bid at b counts up to p = b
  let b = bids.prices.length - 1;
  while (b >= 0 && bids.prices[b] < lower) b--;
  let from = lower;
  let bestExcess = Infinity;
  let lo = lower;
  let hi = lower;
  for (;;) {
    const next = Math.min(a < asks.prices.length ? asks.prices[a] : Infinity, b >= 0 ? bids.prices[b] + tick : Infinity, upper + tick);
    const excess = Math.abs(demand - supply);
    // the segment [from, next − tick] has this excess
    if (excess < bestExcess) {
      bestExcess = excess;
      lo = from;
      hi = next - tick;
    } else if (excess === bestExcess) {
      hi = next - tick;
    } else {
      break; // |excess| only grows from here
    }
    if (next > upper) break;
    while (a < asks.prices.length && asks.prices[a] === next) supply += asks.volumes[a++];
    while (b >= 0 && bids.prices[b] + tick === next) demand -= bids.volumes[b--];
    from = next;
  }
  return lo + Math.floor((hi - lo) / tick / 2) * tick;
}
