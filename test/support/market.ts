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

export function cancelOf(who: Pick<TestParticipant, 'id'>, orderId: string, nowMs: number): Cancel {
  counter++;
  return { type: 'cancel', id: orderId, market: 'well-7', participant: who.id, createdAt: iso(nowMs), expiresAt: iso(nowMs + 600_000), nonce: `cancel${String(counter).padStart(8, '0')}` };
}

export function signedCancel(who: TestParticipant, orderId: string, nowMs: number): Cancel {
  return signMessage(cancelOf(who, orderId, nowMs), who.privateKeyHex);
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

/** A small seeded generator (mulberry32), so that a stream is the same in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` orders and cancels from `participants` for the slot after `nowMs`, all made at `nowMs`: buys and
 * sells around 95 sat/kWh on a 100 msat tick, so that about half of them trade, and one cancel in ten of an
 * earlier order of the same participant. Signed unless `sign` is false.
 */
export function orderStream(participants: readonly TestParticipant[], count: number, nowMs: number, seed = 7, sign = true): (Order | Cancel)[] {
  const random = seededRandom(seed);
  const placed = new Map<string, string[]>(participants.map((p) => [p.id, []]));
  const out: (Order | Cancel)[] = [];
  for (let i = 0; i < count; i++) {
    const who = participants[Math.floor(random() * participants.length)];
    const mine = placed.get(who.id) as string[];
    if (mine.length > 0 && random() < 0.1) {
      const [orderId] = mine.splice(Math.floor(random() * mine.length), 1);
      out.push(sign ? signedCancel(who, orderId, nowMs) : cancelOf(who, orderId, nowMs));
      continue;
    }
    const side = random() < 0.5 ? 'buy' : 'sell';
    const fields: Partial<Order> = {
      side,
      quantityWh: 100 + Math.floor(random() * 30) * 100,
      priceMsatPerKwh: 95_000 + Math.round((random() - (side === 'buy' ? 0.4 : 0.6)) * 40) * 100,
    };
    const order = sign ? signedOrder(who, nowMs, fields) : orderOf(who, nowMs, fields);
    mine.push(order.id);
    out.push(order);
  }
  return out;
}
