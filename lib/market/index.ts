// lib/market: one durable order book per market, continuous matching and call auctions on it, in integer
// units (Wh, msat/kWh, msat). docs/market.md describes the rules; Market (market.ts) is the entry point.

export { Market } from './market';
export { defaultMarketSettings, validateMarketSettings, MAX_PRICE_LEVELS, type MarketSettings, type ZoneCap, type ZoneFee } from './settings';
export { MarketError, type MarketErrorCode } from './errors';
export {
  REMOVAL_REASONS,
  type BookSnapshot,
  type ClearingSummary,
  type MarketEvents,
  type MarketOpenOptions,
  type OrderRemoval,
  type RemovalReason,
  type SnapshotOptions,
} from './types';
export { generateSigningKey, IdentityError, ParticipantRegistry, publicKeyOf, signMessage, signedBytes, type SigningKey } from './identity';
