// Shared builders of the market tests: settings, orders of one slot, and an engine with its outputs.
import { Engine, type OrderMeta } from '../../../lib/market/engine';
import { emptyOutcome, type Outcome } from '../../../lib/market/outcome';
import { defaultMarketSettings, validateMarketSettings, type MarketSettings } from '../../../lib/market';
import type { Cancel, Order } from '../../../lib/schemas';

export const SLOT = '2026-12-01T06:00:00.000Z';
export const SLOT_END = '2026-12-01T06:15:00.000Z';
export const SLOT_MS = Date.parse(SLOT);
/** an hour before the slot: its gate (5 min before) is open */
export const NOW = SLOT_MS - 3_600_000;
/** the default gate closure lead */
export const GATE_LEAD = 300_000;
export const PAY_TO = `02${'ab'.repeat(32)}`;

export function marketSettings(overrides: Partial<MarketSettings> = {}): MarketSettings {
  return validateMarketSettings({ ...defaultMarketSettings('well-7'), maxOpenOrdersPerParticipant: 100_000, ...overrides });
}

let counter = 0;

/** An order of the test slot; prices in sat/kWh × 1000 as given (msat/kWh). */
export function order(side: Order['side'], quantityWh: number, priceMsatPerKwh: number, participant: string, extra: Partial<Order> = {}): Order {
  counter++;
  return {
    type: 'order', id: `o-${counter}`, market: 'well-7', participant, side, quantityWh, priceMsatPerKwh, deliveryStart: SLOT, deliveryEnd: SLOT_END,
    createdAt: new Date(NOW).toISOString(), nonce: `nonce-${String(counter).padStart(6, '0')}`, ...extra,
  };
}

export function cancelOf(target: Order, extra: Partial<Cancel> = {}): Cancel {
  counter++;
  return { type: 'cancel', id: target.id, market: target.market, participant: target.participant, createdAt: new Date(NOW).toISOString(), nonce: `cancel-${String(counter).padStart(6, '0')}`, ...extra };
}

/** An engine with one outcome that collects everything it does. */
export class TestBook {
  readonly engine: Engine;
  readonly out: Outcome = emptyOutcome();
  atMs = NOW;

  constructor(overrides: Partial<MarketSettings> = {}) {
    this.engine = new Engine(marketSettings(overrides));
  }

  place(o: Order, zone = ''): Order {
    const meta: OrderMeta = { zone, payTo: PAY_TO, fingerprint: `fp-${o.id}` };
    this.engine.place(o, meta, this.atMs, this.out);
    return o;
  }

  cancel(o: Order): void {
    this.engine.cancel(cancelOf(o), `fp-cancel-${o.id}`, this.atMs, this.out);
  }

  clear(): void {
    this.engine.clear(this.atMs, this.out);
  }

  advance(toMs: number): void {
    this.atMs = toMs;
    this.engine.advance(toMs, this.out);
  }

  /** [buyer order id, seller order id, Wh, price, fee] of every trade so far */
  trades(): [string, string, number, number, number][] {
    return this.out.trades.map((t) => [t.buyOrderId, t.sellOrderId, t.quantityWh, t.priceMsatPerKwh, t.feeMsatPerKwh]);
  }

  /** [order id, reason, Wh left] of every removal so far */
  removed(): [string, string, number][] {
    return this.out.removed.map((r) => [r.orderId, r.reason, r.remainingWh]);
  }

  /** the open levels of the test slot: [price, Wh, orders], best first */
  depth(side: 'bids' | 'asks', zone = ''): [number, number, number][] {
    const book = this.engine.slots.get(SLOT_MS)?.zones.get(zone);
    if (book === undefined) return [];
    return [...book[side].walk()].map((level) => [level.price, level.volumeWh, level.count]);
  }
}
