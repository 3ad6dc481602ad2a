// What a kWh earns when mined, and the offer of surplus to the market when a buyer pays more (economic mode).
// Offering does not take load off the miners: energy a buyer takes shows up as firm demand in the next balance
// and displaces miners through the ordinary shed path, so unsold surplus is still mined and never flared.
import { DEFAULT_EFFICIENCY_J_PER_TH } from './fleet';

/**
 * Mining value of one kWh in msat: hashprice (sat per TH/s per day) × TH/s per kW ÷ 24 h × 1,000 msat/sat.
 * At 44 sat/TH/day and 17.5 J/TH: 44 × 57.14 / 24 ≈ 104.8 sat/kWh = 104,762 msat/kWh.
 */
export function miningValueMsatPerKwh(hashpriceSatPerThDay: number, joulesPerTh: number = DEFAULT_EFFICIENCY_J_PER_TH): number {
  const thsPerKw = 1000 / joulesPerTh;
  return Math.floor((hashpriceSatPerThDay * thsPerKw * 1000) / 24);
}

/** The fleet's efficiency from what its hashing miners report, J/TH, or the S21 figure when none reports. */
export function fleetJoulesPerTh(miners: Iterable<{ powerW: number; hashrateThs: number }>): number {
  let powerW = 0;
  let hashrateThs = 0;
  for (const m of miners) {
    if (m.hashrateThs <= 0) continue;
    powerW += m.powerW;
    hashrateThs += m.hashrateThs;
  }
  return hashrateThs > 0 ? powerW / hashrateThs : DEFAULT_EFFICIENCY_J_PER_TH;
}

/** Surplus offered to the market: for a flow that feeds a flaregrid-offer. */
export interface SurplusOffer {
  site: string;
  ts: string;
  /** the power the miners take now and a buyer may have instead, W */
  offerW: number;
  /** the lowest price worth selling at: what mining earns, msat/kWh */
  floorPriceMsatPerKwh: number;
  /** the market's best bid that made the offer worth it, msat/kWh */
  marketPriceMsatPerKwh: number;
  reason: string;
}
