// What a simulated participant orders for a delivery slot: a prosumer buys what it expects to draw in the slot and
// sells what it expects to export, at a limit price drawn from its own band, on the market's price grid. The
// expectation is the prosumer's net power when the order is made, held for the slot.
import type { Prng } from '../plant/prng';

/** The market's rules a participant must follow, as the market operator publishes them (the matcher's settings). */
export interface MarketRules {
  market: string;
  /** delivery slot length; slots start at multiples of it since the epoch (UTC) */
  slotMs: number;
  /** no order for a slot is taken from its start minus this */
  gateClosureLeadMs: number;
  tickMsatPerKwh: number;
  priceFloorMsatPerKwh: number;
  priceCapMsatPerKwh: number;
}

export interface ParticipantSpec {
  /** the participant id, also its topic level */
  id: string;
  /** the plant's prosumer it trades for (0 = prosumer-1) */
  prosumer: number;
  zone?: string;
  /** the Lightning node that receives its payments when it sells */
  payTo?: string;
  /** the band its buy limit is drawn from, sat/kWh */
  buySatPerKwh: readonly [number, number];
  /** the band its sell limit is drawn from, sat/kWh; without one, it sells nothing (an export goes unsold) */
  sellSatPerKwh?: readonly [number, number];
}

export interface PlannedOrder {
  side: 'buy' | 'sell';
  quantityWh: number;
  priceMsatPerKwh: number;
}

/** Below this much energy in a slot an order is not worth making, Wh. */
const MIN_ORDER_WH = 100;

/** A price in [floor, cap] on the tick grid that starts at the floor. */
export function onGrid(msatPerKwh: number, rules: MarketRules): number {
  const steps = Math.round((msatPerKwh - rules.priceFloorMsatPerKwh) / rules.tickMsatPerKwh);
  const max = Math.floor((rules.priceCapMsatPerKwh - rules.priceFloorMsatPerKwh) / rules.tickMsatPerKwh);
  return rules.priceFloorMsatPerKwh + Math.min(max, Math.max(0, steps)) * rules.tickMsatPerKwh;
}

/** @param netDrawW the prosumer's net draw now: positive draws from the bus, negative exports */
export function planOrder(spec: ParticipantSpec, netDrawW: number, rules: MarketRules, prng: Prng): PlannedOrder | undefined {
  const quantityWh = Math.round((Math.abs(netDrawW) * rules.slotMs) / 3_600_000);
  if (quantityWh < MIN_ORDER_WH) return undefined;
  const side = netDrawW > 0 ? 'buy' : 'sell';
  const band = side === 'buy' ? spec.buySatPerKwh : spec.sellSatPerKwh;
  if (!band) return undefined;
  const [low, high] = band;
  return { side, quantityWh, priceMsatPerKwh: onGrid(prng.between(low, high) * 1000, rules) };
}

/** The first slot whose gate is still open `marginMs` from now. */
export function nextOpenSlotMs(nowMs: number, rules: MarketRules, marginMs: number): number {
  let slot = Math.floor(nowMs / rules.slotMs) * rules.slotMs + rules.slotMs;
  while (slot - rules.gateClosureLeadMs < nowMs + marginMs) slot += rules.slotMs;
  return slot;
}
