// Money arithmetic of docs/contracts.md (Money), in integers only. The amount owed for E Wh at P msat/kWh is
// floor(E × P / 1000) msat, always of the trade's cumulative energy: a payment for the interval [from, to] is
// owed(to) − owed(from), so the sub-msat remainder of one interval is carried into the next and a trade's
// payments sum to owed(total energy) exactly. The one rounding, below 1 msat, happens once per trade.
//
// E × P can pass 2^53 (a 10 MWh trade at 1,000 sat/kWh is 10^13), so the product is taken in BigInt when it
// may not be exact as a double.

import type { Trade } from '../schemas/market';
import { PaymentError } from './errors';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function assertWhole(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new PaymentError('AMOUNT', `${what} must be a whole number of 0 or more, got ${String(value)}`);
}

/** floor(energyWh × priceMsatPerKwh / 1000): what energyWh of a trade costs in msat. */
export function owedMsat(energyWh: number, priceMsatPerKwh: number): number {
  assertWhole(energyWh, 'energyWh');
  assertWhole(priceMsatPerKwh, 'priceMsatPerKwh');
  const product = energyWh * priceMsatPerKwh;
  if (product <= Number.MAX_SAFE_INTEGER) return Math.floor(product / 1000);
  const exact = (BigInt(energyWh) * BigInt(priceMsatPerKwh)) / 1000n;
  if (exact > SAFE) throw new PaymentError('AMOUNT', `${energyWh} Wh at ${priceMsatPerKwh} msat/kWh is beyond exact integer msat`);
  return Number(exact);
}

/** What the interval [fromWh, toWh] of a trade costs: the remainder of the intervals before is carried. */
export function intervalMsat(fromWh: number, toWh: number, priceMsatPerKwh: number): number {
  if (toWh < fromWh) throw new PaymentError('AMOUNT', `an interval ends (${toWh} Wh) before it starts (${fromWh} Wh)`);
  return owedMsat(toWh, priceMsatPerKwh) - owedMsat(fromWh, priceMsatPerKwh);
}

/**
 * The most energy that paidMsat covers: the largest E with owed(E) ≤ paidMsat (capped at capWh). A free trade
 * (price 0) is covered up to capWh by nothing.
 */
export function coveredWh(paidMsat: number, priceMsatPerKwh: number, capWh: number): number {
  assertWhole(paidMsat, 'paidMsat');
  assertWhole(capWh, 'capWh');
  if (priceMsatPerKwh === 0) return capWh;
  // owed(E) ≤ M  ⇔  E × P < 1000 × (M + 1)  ⇔  E ≤ ceil(1000 (M + 1) / P) − 1
  const limitNumber = 1000 * (paidMsat + 1);
  // exact in doubles while the dividend stays below 2^52 (the quotient's rounding cannot reach the next integer)
  if (limitNumber + priceMsatPerKwh <= 2 ** 52) {
    return Math.min(capWh, Math.floor((limitNumber + priceMsatPerKwh - 1) / priceMsatPerKwh) - 1);
  }
  const limit = 1000n * (BigInt(paidMsat) + 1n);
  const price = BigInt(priceMsatPerKwh);
  const energy = (limit + price - 1n) / price - 1n;
  return energy >= BigInt(capWh) ? capWh : Number(energy);
}

type TradePrice = Pick<Trade, 'priceMsatPerKwh' | 'feeMsatPerKwh' | 'surplusMsatPerKwh'>;

/**
 * The all-in price a buyer pays per kWh: a trade is one payment obligation to the seller's payTo, of the seller's
 * price plus the zone fee plus a trade-reduction surplus (lib/schemas/market.ts). The seller keeps its price and
 * owes the operator's share (fee and surplus) to the market operator, outside the stream.
 */
export function tradePriceMsatPerKwh(trade: TradePrice): number {
  const price = trade.priceMsatPerKwh + trade.feeMsatPerKwh + (trade.surplusMsatPerKwh ?? 0);
  assertWhole(price, 'priceMsatPerKwh + feeMsatPerKwh + surplusMsatPerKwh');
  return price;
}

/** The most a trade can cost: its whole quantity at its all-in price. */
export function tradeTotalMsat(trade: TradePrice & Pick<Trade, 'quantityWh'>): number {
  return owedMsat(trade.quantityWh, tradePriceMsatPerKwh(trade));
}

/**
 * How the seller splits what it received: the operator's share (zone fee and surplus) is floor(E × share / 1000)
 * of the cumulative energy, the seller keeps the rest (so the seller, not the operator, bears the sub-msat
 * remainder).
 */
export function operatorShareMsat(energyWh: number, trade: Pick<Trade, 'feeMsatPerKwh' | 'surplusMsatPerKwh'>): number {
  return owedMsat(energyWh, trade.feeMsatPerKwh + (trade.surplusMsatPerKwh ?? 0));
}
