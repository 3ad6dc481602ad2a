// The matcher's dialog fields, in the units a market operator types (minutes, seconds, msat/kWh), turned into
// lib/market's MarketSettings (checked by validateMarketSettings, whose errors name the setting) and the node's own
// settings: where the registry and the journal are, and how often the book is published.
import { isAbsolute, join, resolve } from 'node:path';
import { defaultMarketSettings, validateMarketSettings, type MarketSettings } from '../../lib/market';
import { ID_PATTERN } from '../../lib/schemas/kit';
import { REGISTRY_SOURCES, type RegistrySource } from '../../lib/schemas';
import { nonNegativeNumber, positiveNumber } from '../shared/handlers';
import type { NodeDefinition } from '../shared/red';

export interface MatcherConfig extends NodeDefinition {
  market?: string;
  mode?: string;
  slotMinutes?: string | number;
  gateClosureLeadS?: string | number;
  auctionIntervalS?: string | number;
  priceFloorMsatPerKwh?: string | number;
  priceCapMsatPerKwh?: string | number;
  tickMsatPerKwh?: string | number;
  mechanism?: string;
  selfTrade?: string;
  zones?: string;
  maxClockSkewS?: string | number;
  allowUnsigned?: boolean;
  maxOpenOrders?: string | number;
  rateOrders?: string | number;
  ratePerS?: string | number;
  maxMessageBytes?: string | number;
  maxQuantityWh?: string | number;
  registrySource?: string;
  registry?: string;
  registryFile?: string;
  trustLocal?: boolean;
  journalDir?: string;
  bookIntervalS?: string | number;
  confirmDelivery?: boolean;
  retryS?: string | number;
}

export interface MatcherSettings {
  market: MarketSettings;
  registrySource: RegistrySource;
  /** the registry as JSON text, when the source is config */
  registryJson: string;
  /** absolute path of the registry file, when the source is file */
  registryFile: string;
  /** also trust the flaregrid-participant nodes deployed in this Node-RED that have a key */
  trustLocal: boolean;
  /** the matcher's directory: the market's journal (journal/) and the delivery mark (delivered.json) */
  dataDir: string;
  /** at most one book snapshot per this many ms */
  bookIntervalMs: number;
  /** trades count as delivered only when they come back from a Complete node */
  confirmDelivery: boolean;
  /** an unconfirmed trade is sent again after this many ms */
  retryMs: number;
}

export class MatcherConfigError extends Error {
  readonly code = 'MATCHER_CONFIG';
  override name = 'MatcherConfigError';
}

const blank = (value: unknown): boolean => value === undefined || value === null || String(value).trim() === '';

/** A whole number from a dialog field (Node-RED stores them as strings). */
function whole(value: unknown, label: string, min: number): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (blank(value) || !Number.isSafeInteger(n) || n < min) throw new MatcherConfigError(`${label} must be a whole number of ${min} or more, got '${String(value)}'`);
  return n;
}

/** Relative paths are taken from the Node-RED user directory, where the runtime keeps its own files. */
function underUserDir(path: string, userDir: string | undefined, label: string): string {
  if (isAbsolute(path)) return path;
  if (!userDir) throw new MatcherConfigError(`${label} '${path}' is relative, and this Node-RED has no userDir: give an absolute path`);
  return resolve(userDir, path);
}

export function readMatcherSettings(config: MatcherConfig, userDir: string | undefined): MatcherSettings {
  const market = String(config.market ?? '').trim();
  if (!new RegExp(ID_PATTERN).test(market)) throw new MatcherConfigError(`Market must be 1 to 64 letters, digits or _ . : -, got '${market}'`);
  const mode = config.mode === 'auction' ? 'auction' : 'continuous';
  let zones: unknown;
  if (!blank(config.zones)) {
    try {
      zones = JSON.parse(String(config.zones));
    } catch (err) {
      throw new MatcherConfigError(`Zones must be JSON ({"fees": ..., "capsWh": ...}): ${(err as Error).message}`);
    }
  }
  const marketSettings = validateMarketSettings({
    ...defaultMarketSettings(market),
    mode,
    slotMs: Math.round(positiveNumber(config.slotMinutes, 'Slot (min)') * 60_000),
    gateClosureLeadMs: Math.round(nonNegativeNumber(config.gateClosureLeadS, 'Gate closure (s)') * 1000),
    ...(mode === 'auction' ? { auctionIntervalMs: Math.round(positiveNumber(config.auctionIntervalS, 'Auction every (s)') * 1000) } : {}),
    priceFloorMsatPerKwh: whole(config.priceFloorMsatPerKwh, 'Price floor', 0),
    priceCapMsatPerKwh: whole(config.priceCapMsatPerKwh, 'Price cap', 0),
    tickMsatPerKwh: whole(config.tickMsatPerKwh, 'Tick', 1),
    mechanism: config.mechanism,
    selfTrade: config.selfTrade,
    ...(zones === undefined ? {} : { zones }),
    maxClockSkewMs: Math.round(nonNegativeNumber(config.maxClockSkewS, 'Clock skew (s)') * 1000),
    allowUnsigned: config.allowUnsigned === true,
    maxOpenOrdersPerParticipant: whole(config.maxOpenOrders, 'Open orders', 1),
    rateLimit: { orders: whole(config.rateOrders, 'Rate (orders)', 1), perMs: Math.round(positiveNumber(config.ratePerS, 'Rate (per s)') * 1000) },
    maxMessageBytes: whole(config.maxMessageBytes, 'Max message (bytes)', 256),
    ...(blank(config.maxQuantityWh) ? {} : { maxQuantityWh: whole(config.maxQuantityWh, 'Max order (Wh)', 1) }),
  });
  const source = config.registrySource ?? 'config';
  if (!(REGISTRY_SOURCES as readonly string[]).includes(source)) {
    throw new MatcherConfigError(`Registry must be one of ${REGISTRY_SOURCES.join(', ')}, got '${source}'`);
  }
  const registrySource = source as RegistrySource;
  const registryFile = String(config.registryFile ?? '').trim();
  if (registrySource === 'file' && registryFile === '') throw new MatcherConfigError('Registry file is empty: give the path of a JSON array of participants');
  const journalDir = String(config.journalDir ?? '').trim();
  return {
    market: marketSettings,
    registrySource,
    registryJson: String(config.registry ?? '').trim() || '[]',
    registryFile: registrySource === 'file' ? underUserDir(registryFile, userDir, 'Registry file') : '',
    trustLocal: config.trustLocal === true,
    dataDir: underUserDir(journalDir === '' ? join('flaregrid', 'markets', market) : journalDir, userDir, 'Journal'),
    bookIntervalMs: Math.round(nonNegativeNumber(config.bookIntervalS, 'Book every (s)') * 1000),
    confirmDelivery: config.confirmDelivery === true,
    retryMs: config.confirmDelivery === true ? Math.round(positiveNumber(config.retryS, 'Resend after (s)') * 1000) : 0,
  };
}
