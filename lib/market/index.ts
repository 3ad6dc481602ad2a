// lib/market: one durable order book per market, continuous matching and call auctions on it, in integer
// units (Wh, msat/kWh, msat). docs/market.md describes the rules; Market (market.ts) is the entry point:
//   Market.open(settings, { journalDir, registry, snapshotEveryRecords?, warn? }) → Market (replays the journal)
//   market.submit(message, nowMs) / submitMany(messages, nowMs) / clear(nowMs) / tick(nowMs) → MarketEvents
//   market.snapshot(nowMs, { depth? }) → BookSnapshot;  market.stateHash();  market.setRegistry(registry)
//   market.settings;  market.seq;  market.recoveredTrades (made again by the replay after a crash: send them)
//   market.close()

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
