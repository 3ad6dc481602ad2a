// What the market hands back: the events of each call, the removals, and the options of Market.open.

import type { BookSnapshot, Cancel, ClearingSummary, Order, Reject, Trade } from '../schemas';
import type { ParticipantRegistry } from './identity';

export type { BookSnapshot, ClearingSummary };

/** Why an order left the book other than by trading in full. */
export const REMOVAL_REASONS = [
  /** its participant cancelled it */
  'cancelled',
  /** expiresAt passed */
  'expired',
  /** its slot's gate closed (continuous: whatever is left; auction: what the last auction did not fill) */
  'gate-closed',
  /** ioc: what did not fill at once */
  'ioc-remainder',
  /** fok: it could not fill completely at once, so nothing traded */
  'fok-unfilled',
  /** post-only: it would have taken liquidity */
  'post-only-would-take',
  /** self-trade prevention, by the market's rule */
  'self-trade',
  /** the market's settings changed and the order no longer fits them (price grid, slot length) */
  'settings-changed',
] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export interface OrderRemoval {
  type: 'removed';
  orderId: string;
  participant: string;
  reason: RemovalReason;
  /** what was left of the order when it left */
  remainingWh: number;
  deliveryStart: string;
  at: string;
}

/**
 * The outputs of one call, in the order they happened. Nothing is in here before the journal records behind it
 * are durable.
 */
export interface MarketEvents {
  /** orders and cancels accepted (journalled), in arrival order */
  accepted: (Order | Cancel)[];
  rejects: Reject[];
  /** identical re-submissions of messages the market already accepted: no-ops, counted */
  duplicates: number;
  trades: Trade[];
  removed: OrderRemoval[];
  /** one per call auction of a slot, and one per continuous slot at its gate closure */
  clearings: ClearingSummary[];
  /** the open orders changed: time to publish a new BookSnapshot */
  bookChanged: boolean;
}

export interface MarketOpenOptions {
  /** the market's own journal directory (one market per directory) */
  journalDir: string;
  registry: ParticipantRegistry;
  /** a snapshot is written after this many journal records (default 100,000) */
  snapshotEveryRecords?: number;
  /** torn journal records cut off, stale locks taken over */
  warn?: (message: string) => void;
}

export interface SnapshotOptions {
  /** price levels per side and slot (default 20) */
  depth?: number;
}

export function emptyEvents(): MarketEvents {
  return { accepted: [], rejects: [], duplicates: 0, trades: [], removed: [], clearings: [], bookChanged: false };
}
