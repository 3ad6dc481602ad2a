// A market's settings: what the matcher's edit dialog shows, with its defaults and the checks that turn a
// bad value into a sentence naming the field. Every figure is an integer in the unit its name states.

import { ID_PATTERN } from '../schemas/kit';
import { MARKET_MECHANISMS, MATCHING_MODES, SELF_TRADE_RULES, type MarketMechanism, type MatchingMode, type SelfTradeRule } from '../schemas';
import { MarketError } from './errors';

export interface ZoneFee {
  /** the seller's zone: energy flows from here */
  from: string;
  /** the buyer's zone */
  to: string;
  /** paid by the buyer on top of the price; a multiple of the tick, so trade prices stay on the grid */
  feeMsatPerKwh: number;
}

export interface ZoneCap {
  from: string;
  to: string;
  /** the most energy that may flow from `from` to `to` in one slot, over every trade of the slot */
  capWh: number;
}

export interface MarketSettings {
  market: string;
  mode: MatchingMode;
  /** delivery slot length; slots start at multiples of it since the epoch (UTC) */
  slotMs: number;
  /** gate closure = slot start − this; no order for the slot is taken from then on */
  gateClosureLeadMs: number;
  /** auction mode: a call auction every N ms as well as the one at gate closure */
  auctionIntervalMs?: number;
  priceFloorMsatPerKwh: number;
  priceCapMsatPerKwh: number;
  tickMsatPerKwh: number;
  mechanism: MarketMechanism;
  selfTrade: SelfTradeRule;
  /** fees and caps are directional (seller's zone → buyer's zone); list both directions for a two-way rule */
  zones?: { fees?: ZoneFee[]; capsWh?: ZoneCap[] };
  maxClockSkewMs: number;
  allowUnsigned: boolean;
  maxOpenOrdersPerParticipant: number;
  rateLimit: { orders: number; perMs: number };
  maxMessageBytes: number;
  /** the largest order; keeps every sum of quantities an exact integer */
  maxQuantityWh: number;
}

/** Price levels a book may have; more would make the per-level bitmaps large. */
export const MAX_PRICE_LEVELS = 1_000_000;
const DAY_MS = 86_400_000;

export function defaultMarketSettings(market: string): MarketSettings {
  return {
    market,
    mode: 'continuous',
    slotMs: 900_000,
    gateClosureLeadMs: 300_000,
    priceFloorMsatPerKwh: 0,
    priceCapMsatPerKwh: 1_000_000,
    tickMsatPerKwh: 1_000,
    mechanism: 'pay-as-clear',
    selfTrade: 'cancel-newest',
    maxClockSkewMs: 30_000,
    allowUnsigned: false,
    maxOpenOrdersPerParticipant: 100,
    rateLimit: { orders: 50, perMs: 1_000 },
    maxMessageBytes: 4_096,
    maxQuantityWh: 1_000_000_000,
  };
}

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(problems: Problems, name: string, value: unknown, min: number, unit: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    problems.push(`${name} must be a whole number of ${unit} of at least ${min}, got ${JSON.stringify(value)}`);
    return min;
  }
  return value as number;
}

function oneOf<T extends string>(problems: Problems, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return allowed[0];
  }
  return value as T;
}

function zoneId(problems: Problems, name: string, value: unknown): string {
  if (typeof value !== 'string' || !new RegExp(ID_PATTERN).test(value)) {
    problems.push(`${name} must be a zone id of 1 to 64 letters, digits or _ . : -, got ${JSON.stringify(value)}`);
    return '';
  }
  return value;
}

function zoneRules(problems: Problems, input: unknown, tick: number): MarketSettings['zones'] {
  if (input === undefined) return undefined;
  if (!isRecord(input)) {
    problems.push('zones must be an object with fees and capsWh lists');
    return undefined;
  }
  const list = (key: 'fees' | 'capsWh'): Record<string, unknown>[] => {
    const value = input[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every(isRecord)) {
      problems.push(`zones.${key} must be a list of {from, to, ...} entries`);
      return [];
    }
    return value;
  };
  const seen = new Set<string>();
  const pair = (key: string, entry: Record<string, unknown>, at: string): { from: string; to: string } => {
    const from = zoneId(problems, `${at}.from`, entry.from);
    const to = zoneId(problems, `${at}.to`, entry.to);
    if (from !== '' && from === to) problems.push(`${at} must join two different zones, got ${from} to itself`);
    if (seen.has(`${key} ${from} ${to}`)) problems.push(`${at} repeats the zone pair ${from} → ${to}`);
    seen.add(`${key} ${from} ${to}`);
    return { from, to };
  };
  const fees = list('fees').map((entry, i) => {
    const at = `zones.fees[${i}]`;
    const feeMsatPerKwh = integer(problems, `${at}.feeMsatPerKwh`, entry.feeMsatPerKwh, 0, 'msat/kWh');
    if (feeMsatPerKwh % tick !== 0) problems.push(`${at}.feeMsatPerKwh must be a multiple of the tick (${tick} msat/kWh), got ${feeMsatPerKwh}`);
    return { ...pair('fee', entry, at), feeMsatPerKwh };
  });
  const capsWh = list('capsWh').map((entry, i) => {
    const at = `zones.capsWh[${i}]`;
    return { ...pair('cap', entry, at), capWh: integer(problems, `${at}.capWh`, entry.capWh, 0, 'Wh') };
  });
  return { fees, capsWh };
}

/**
 * The settings of `input`, fields left out taking their defaults; throws a MarketError SETTINGS_INVALID whose
 * message lists every problem as a sentence naming the field.
 */
export function validateMarketSettings(input: unknown): MarketSettings {
  const problems: Problems = [];
  if (!isRecord(input)) throw new MarketError('SETTINGS_INVALID', 'market settings must be an object');
  const market = typeof input.market === 'string' && new RegExp(ID_PATTERN).test(input.market) ? input.market : undefined;
  if (market === undefined) problems.push(`market must be an id of 1 to 64 letters, digits or _ . : -, got ${JSON.stringify(input.market)}`);
  const given = { ...defaultMarketSettings(market ?? 'market'), ...input } as Record<string, unknown>;
  const slotMs = integer(problems, 'slotMs', given.slotMs, 60_000, 'ms');
  if (DAY_MS % slotMs !== 0) problems.push(`slotMs must divide a day (86,400,000 ms) so that slots line up with UTC days, got ${slotMs}`);
  const floor = integer(problems, 'priceFloorMsatPerKwh', given.priceFloorMsatPerKwh, 0, 'msat/kWh');
  const cap = integer(problems, 'priceCapMsatPerKwh', given.priceCapMsatPerKwh, 0, 'msat/kWh');
  const tick = integer(problems, 'tickMsatPerKwh', given.tickMsatPerKwh, 1, 'msat/kWh');
  if (cap <= floor) problems.push(`priceCapMsatPerKwh (${cap}) must be above priceFloorMsatPerKwh (${floor})`);
  else if ((cap - floor) % tick !== 0) problems.push(`priceCapMsatPerKwh − priceFloorMsatPerKwh (${cap - floor}) must be a multiple of tickMsatPerKwh (${tick})`);
  else if ((cap - floor) / tick + 1 > MAX_PRICE_LEVELS) problems.push(`the price grid has ${(cap - floor) / tick + 1} levels; at most ${MAX_PRICE_LEVELS} are allowed: use a larger tickMsatPerKwh`);
  const rate = isRecord(given.rateLimit) ? given.rateLimit : {};
  if (!isRecord(given.rateLimit)) problems.push('rateLimit must be an object {orders, perMs}');
  if (typeof given.allowUnsigned !== 'boolean') problems.push(`allowUnsigned must be true or false, got ${JSON.stringify(given.allowUnsigned)}`);
  const mechanism = oneOf(problems, 'mechanism', given.mechanism, MARKET_MECHANISMS);
  const zones = zoneRules(problems, given.zones, tick);
  if (mechanism === 'trade-reduction' && ((zones?.fees?.length ?? 0) > 0 || (zones?.capsWh?.length ?? 0) > 0)) {
    problems.push('mechanism trade-reduction clears one zone: it cannot be combined with zone fees or caps');
  }
  const settings: MarketSettings = {
    market: market ?? '',
    mode: oneOf(problems, 'mode', given.mode, MATCHING_MODES),
    slotMs,
    gateClosureLeadMs: integer(problems, 'gateClosureLeadMs', given.gateClosureLeadMs, 0, 'ms'),
    priceFloorMsatPerKwh: floor,
    priceCapMsatPerKwh: cap,
    tickMsatPerKwh: tick,
    mechanism,
    selfTrade: oneOf(problems, 'selfTrade', given.selfTrade, SELF_TRADE_RULES),
    maxClockSkewMs: integer(problems, 'maxClockSkewMs', given.maxClockSkewMs, 0, 'ms'),
    allowUnsigned: given.allowUnsigned === true,
    maxOpenOrdersPerParticipant: integer(problems, 'maxOpenOrdersPerParticipant', given.maxOpenOrdersPerParticipant, 1, 'orders'),
    rateLimit: { orders: integer(problems, 'rateLimit.orders', rate.orders, 1, 'orders'), perMs: integer(problems, 'rateLimit.perMs', rate.perMs, 1, 'ms') },
    maxMessageBytes: integer(problems, 'maxMessageBytes', given.maxMessageBytes, 256, 'bytes'),
    maxQuantityWh: integer(problems, 'maxQuantityWh', given.maxQuantityWh, 1, 'Wh'),
  };
  if (settings.maxQuantityWh > 1e12) problems.push(`maxQuantityWh must be at most 1,000,000,000,000 Wh (1 TWh), got ${settings.maxQuantityWh}`);
  if (given.auctionIntervalMs !== undefined) settings.auctionIntervalMs = integer(problems, 'auctionIntervalMs', given.auctionIntervalMs, 1_000, 'ms');
  if (zones !== undefined) settings.zones = zones;
  if (problems.length > 0) throw new MarketError('SETTINGS_INVALID', `market settings: ${problems.join('; ')}`, problems);
  return settings;
}
