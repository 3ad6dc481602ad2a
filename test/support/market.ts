// Participants with keys, the signed orders they send, and a matcher node's config, for the market node tests,
// the crash test and the bench.
import { generateSigningKey, signMessage, type SigningKey } from '../../lib/market/identity';
import type { Cancel, Order, Participant } from '../../lib/schemas';

export const SLOT_MS = 15 * 60_000;

export interface TestParticipant extends SigningKey {
  id: string;
  payTo: string;
  entry: Participant;
}

export function testParticipant(id: string, n: number): TestParticipant {
  const key = generateSigningKey();
  const payTo = `02${n.toString(16).padStart(2, '0').repeat(32)}`;
  return { ...key, id, payTo, entry: { id, publicKey: key.publicKeyHex, payTo } };
}

const iso = (ms: number) => new Date(ms).toISOString();

let counter = 0;

/** An unsigned order of `who` for the slot after `nowMs`, made at `nowMs`. */
export function orderOf(who: Pick<TestParticipant, 'id' | 'payTo'>, nowMs: number, fields: Partial<Order> = {}): Order {
  counter++;
  const slotStartMs = (Math.floor(nowMs / SLOT_MS) + 1) * SLOT_MS;
  const side = fields.side ?? 'sell';
  return {
    type: 'order',
    id: `o-${who.id}-${counter}`,
    market: 'well-7',
    participant: who.id,
    side,
    quantityWh: 1000,
    priceMsatPerKwh: 95_000,
    deliveryStart: iso(slotStartMs),
    deliveryEnd: iso(slotStartMs + SLOT_MS),
    ...(side === 'sell' ? { payTo: who.payTo } : {}),
    createdAt: iso(nowMs),
    expiresAt: iso(nowMs + 600_000),
    nonce: `nonce${String(counter).padStart(8, '0')}`,
    ...fields,
  };
}

export function signedOrder(who: TestParticipant, nowMs: number, fields: Partial<Order> = {}): Order {
  return signMessage(orderOf(who, nowMs, fields), who.privateKeyHex);
}

export function signedCancel(who: TestParticipant, orderId: string, nowMs: number): Cancel {
  counter++;
  return signMessage(
    { type: 'cancel', id: orderId, market: 'well-7', participant: who.id, createdAt: iso(nowMs), expiresAt: iso(nowMs + 600_000), nonce: `cancel${String(counter).padStart(8, '0')}` } as Cancel,
    who.privateKeyHex,
  );
}

/** A flaregrid-matcher node's saved config for market well-7. */
export function matcherConfig(dataDir: string, participants: readonly Participant[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'flaregrid-matcher', market: 'well-7', mode: 'continuous', slotMinutes: 15, gateClosureLeadS: 60, auctionIntervalS: 60,
    priceFloorMsatPerKwh: 0, priceCapMsatPerKwh: 1_000_000, tickMsatPerKwh: 100, mechanism: 'pay-as-clear', selfTrade: 'cancel-newest',
    zones: '', maxClockSkewS: 30, allowUnsigned: false, maxOpenOrders: 100, rateOrders: 1000, ratePerS: 1, maxMessageBytes: 4096,
    registrySource: 'config', registry: JSON.stringify(participants), registryFile: '', trustLocal: false, journalDir: dataDir,
    bookIntervalS: 0, confirmDelivery: false, retryS: 10, ...extra,
  };
}
