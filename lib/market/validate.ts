// Admission: what the matcher checks before a message may touch the book. Each refusal is a Reject with a
// machine reason and a sentence that names the field; a refused message is neither journalled nor applied.
//
// The checks, in order: the message's size and shape (an object under maxMessageBytes, no __proto__,
// constructor or prototype key anywhere, type order or cancel); the market; quantities; the price against
// the grid; the rest of the contract (lib/schemas); then:
// - an identical re-submission of an accepted message (same canonical JSON, signature included) is a
//   duplicate: a no-op, neither a reject nor a second order. Orders are recognised by id, cancels by nonce.
//   The same id or nonce on a different message is refused (duplicate-id, replay). Identity wins over the
//   nonce rule because it is checked first: a retransmission (MQTT QoS 1 delivers at least once) must not
//   turn into a reject for the participant it already succeeded for.
// - the window: a whole slot, not past, its gate not closed; expiresAt not passed; createdAt within
//   maxClockSkewMs of the market's clock;
// - identity: a participant of the registry with a valid signature, unless allowUnsigned (a closed site):
//   then an unsigned message from any participant is taken, and a signature, if there is one, is verified;
// - the nonce; the zone (the registry's, if it names one); a seller's payTo (the order's or the registry's);
// - the open-order cap. The rate limit (RateLimiter) comes last, so that refused messages cost no tokens.

import { canonicalJson, sha256Hex } from '../canonical-json';
import { isoTimeMs } from '../schemas/iso-time';
import { isCancel, isOrder, type Cancel, type Order, type Reject, type RejectReason } from '../schemas';
import type { Engine, OrderMeta } from './engine';
import type { ParticipantRegistry } from './identity';
import { messageJson } from './message-json';
import { iso } from './rules';

/** An accepted message comes with its canonical JSON (`json`), which its fingerprint hashes and the journal writes. */
export type Verdict =
  | { kind: 'order'; order: Order; meta: OrderMeta; json: string }
  | { kind: 'cancel'; cancel: Cancel; fingerprint: string; json: string }
  | { kind: 'duplicate' }
  | { kind: 'reject'; reject: Reject };

export interface AdmissionContext {
  engine: Engine;
  registry: ParticipantRegistry;
  nowMs: number;
  /** false for the auditor's CLI, which clears a file of orders whatever their times and signatures */
  checkTimeAndIdentity: boolean;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class Refusal {
  constructor(
    readonly reason: RejectReason,
    readonly message: string,
  ) {}
}

function forbiddenKey(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > 16) return `${path} (nested too deep)`;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `${path}.${key}`;
    const inner = forbiddenKey((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

function wholeWh(field: string, value: unknown, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Refusal('bad-quantity', `${field} must be a whole number of Wh of at least 1, got ${shown(value)}`);
  if ((value as number) > max) throw new Refusal('bad-quantity', `${field} must be at most ${max} Wh (the market's maxQuantityWh), got ${shown(value)}`);
  return value as number;
}

function checkOrderNumbers(engine: Engine, message: Record<string, unknown>): void {
  const settings = engine.settings;
  const quantity = wholeWh('quantityWh', message.quantityWh, settings.maxQuantityWh);
  if (message.minFillWh !== undefined && wholeWh('minFillWh', message.minFillWh, settings.maxQuantityWh) > quantity) {
    throw new Refusal('bad-quantity', `minFillWh (${shown(message.minFillWh)}) must not exceed quantityWh (${quantity})`);
  }
  const price = message.priceMsatPerKwh;
  if (!Number.isSafeInteger(price)) throw new Refusal('bad-price', `priceMsatPerKwh must be a whole number of msat/kWh, got ${shown(price)}`);
  const { priceFloorMsatPerKwh: floor, priceCapMsatPerKwh: cap, tickMsatPerKwh: tick } = settings;
  if ((price as number) < floor || (price as number) > cap) {
    throw new Refusal('price-out-of-range', `priceMsatPerKwh must be between the floor ${floor} and the cap ${cap} msat/kWh, got ${shown(price)}`);
  }
  if (engine.rules.indexOf(price as number) < 0) {
    const below = floor + Math.floor(((price as number) - floor) / tick) * tick;
    throw new Refusal('off-tick', `priceMsatPerKwh must lie on the tick grid (${floor} + a multiple of ${tick} msat/kWh), got ${shown(price)}; the nearest are ${below} and ${below + tick}`);
  }
}

function contract<T>(check: { problems(value: unknown): string[] }, message: unknown): T {
  const problems = check.problems(message);
  if (problems.length > 0) throw new Refusal('bad-field', problems.join('; '));
  return message as T;
}

function checkWindow(engine: Engine, order: Order, nowMs: number): void {
  const { slotMs } = engine.settings;
  const start = isoTimeMs(order.deliveryStart);
  const end = isoTimeMs(order.deliveryEnd);
  if (start % slotMs !== 0) throw new Refusal('window-unaligned', `deliveryStart must be the start of a ${slotMs / 60_000}-minute slot, got ${order.deliveryStart}`);
  if (end - start !== slotMs) throw new Refusal('window-unaligned', `deliveryEnd must be deliveryStart + ${slotMs / 60_000} minutes (${iso(start + slotMs)}), got ${order.deliveryEnd}`);
  if (end <= nowMs) throw new Refusal('window-past', `deliveryEnd ${order.deliveryEnd} is in the past (the market's clock reads ${iso(nowMs)})`);
  const gate = engine.rules.gateClosureMs(start);
  if (gate <= nowMs) throw new Refusal('gate-closed', `the gate of the slot from ${order.deliveryStart} closed at ${iso(gate)}; deliveryStart must name a later slot`);
  if (order.orderType === 'post-only' && engine.settings.mode === 'auction') {
    throw new Refusal('order-type-not-allowed', 'orderType post-only is for continuous markets; this market runs call auctions');
  }
}

function checkTimes(engine: Engine, message: Order | Cancel, nowMs: number): void {
  if (message.expiresAt !== undefined && isoTimeMs(message.expiresAt) <= nowMs) {
    throw new Refusal('expired', `expiresAt ${message.expiresAt} has passed (the market's clock reads ${iso(nowMs)})`);
  }
  const skew = engine.settings.maxClockSkewMs;
  if (Math.abs(isoTimeMs(message.createdAt) - nowMs) > skew) {
    throw new Refusal('stale', `createdAt ${message.createdAt} is more than ${skew} ms from the market's clock (${iso(nowMs)})`);
  }
}

function checkIdentity(ctx: AdmissionContext, message: Order | Cancel): void {
  const known = ctx.registry.get(message.participant);
  const allowUnsigned = ctx.engine.settings.allowUnsigned;
  if (known === undefined && !(allowUnsigned && message.sig === undefined)) {
    throw new Refusal('unknown-participant', `participant ${message.participant} is not in the market's registry`);
  }
  if (message.sig === undefined) {
    if (!allowUnsigned) throw new Refusal('unsigned', 'sig is missing: this market takes signed orders and cancels only');
  } else if (!ctx.registry.verify(message)) {
    throw new Refusal('bad-signature', `sig is not participant ${message.participant}'s signature over the message`);
  }
  if (ctx.engine.recall.nonceUsed(message.participant, message.nonce)) throw new Refusal('replay', `nonce ${message.nonce} of participant ${message.participant} was used before`);
}

function orderVerdict(ctx: AdmissionContext, message: Record<string, unknown>, json: string, fingerprint: string): Verdict {
  const { engine } = ctx;
  checkOrderNumbers(engine, message);
  const order = contract<Order>(isOrder, message);
  const seen = engine.recall.fingerprintOf(order.id);
  if (seen === fingerprint) return { kind: 'duplicate' };
  if (seen !== undefined) throw new Refusal('duplicate-id', `id ${order.id} was already used by another order of this market`);
  checkWindow(engine, order, ctx.nowMs);
  const registered = ctx.registry.get(order.participant);
  if (ctx.checkTimeAndIdentity) {
    checkTimes(engine, order, ctx.nowMs);
    checkIdentity(ctx, order);
  }
  if (registered?.zone !== undefined && order.zone !== undefined && order.zone !== registered.zone) {
    throw new Refusal('zone-mismatch', `zone ${order.zone} is not participant ${order.participant}'s zone (${registered.zone})`);
  }
  const payTo = order.payTo ?? registered?.payTo;
  if (order.side === 'sell' && payTo === undefined) {
    throw new Refusal('missing-pay-to', 'payTo is missing: a sell order needs the Lightning node that receives payment, in the order or in the registry');
  }
  if (engine.openOrdersOf(order.participant) >= engine.settings.maxOpenOrdersPerParticipant) {
    throw new Refusal('too-many-open-orders', `participant ${order.participant} has ${engine.settings.maxOpenOrdersPerParticipant} open orders, the most this market allows; cancel one first`);
  }
  const meta: OrderMeta = { zone: order.zone ?? registered?.zone ?? '', fingerprint };
  if (payTo !== undefined) meta.payTo = payTo;
  return { kind: 'order', order, meta, json };
}

function cancelVerdict(ctx: AdmissionContext, message: Record<string, unknown>, json: string, fingerprint: string): Verdict {
  const cancel = contract<Cancel>(isCancel, message);
  if (ctx.engine.recall.cancelFingerprint(cancel.participant, cancel.nonce) === fingerprint) return { kind: 'duplicate' };
  if (ctx.checkTimeAndIdentity) {
    checkTimes(ctx.engine, cancel, ctx.nowMs);
    checkIdentity(ctx, cancel);
  }
  const target = ctx.engine.restingOrder(cancel.id);
  if (target === undefined) throw new Refusal('unknown-order', `id ${cancel.id} is not an open order of this market`);
  if (target.participant !== cancel.participant) throw new Refusal('not-owner', `order ${cancel.id} belongs to another participant, not ${cancel.participant}`);
  return { kind: 'cancel', cancel, fingerprint, json };
}

/** The canonical text of a message of any other shape, after the checks the fast way makes unnecessary. */
function genericText(record: Record<string, unknown>): string {
  const key = forbiddenKey(record, 'the message', 0);
  if (key !== undefined) throw new Refusal('forbidden-key', `${key} is a property name the market refuses (__proto__, constructor, prototype)`);
  try {
    return canonicalJson(record);
  } catch (err) {
    throw new Refusal('malformed', `the message is not JSON: ${(err as Error).message}`);
  }
}

/** The verdict on one message: an order or cancel to apply, a duplicate to ignore, or a Reject. */
export function admit(message: unknown, ctx: AdmissionContext): Verdict {
  const record = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>) : undefined;
  const orderId = typeof record?.id === 'string' ? record.id : '';
  try {
    if (record === undefined) throw new Refusal('malformed', 'the message must be an object with type order or cancel');
    // An order or cancel of the contracts' fields has no forbidden key and is JSON: its text comes the fast way.
    const text = messageJson(record) ?? genericText(record);
    const bytes = Buffer.byteLength(text, 'utf8');
    const max = ctx.engine.settings.maxMessageBytes;
    if (bytes > max) throw new Refusal('oversized', `the message is ${bytes} bytes; the market takes at most ${max} (maxMessageBytes)`);
    if (record.type !== 'order' && record.type !== 'cancel') throw new Refusal('malformed', `type must be order or cancel, got ${shown(record.type)}`);
    if (record.market !== ctx.engine.settings.market) throw new Refusal('unknown-market', `market must be ${ctx.engine.settings.market}, got ${shown(record.market)}`);
    const fingerprint = sha256Hex(text);
    return record.type === 'order' ? orderVerdict(ctx, record, text, fingerprint) : cancelVerdict(ctx, record, text, fingerprint);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    return { kind: 'reject', reject: { type: 'reject', orderId, reason: err.reason, message: err.message, order: message } };
  }
}

/**
 * A token bucket per participant: `orders` messages per `perMs`, in bursts of up to `orders`. Integer units:
 * a message costs perMs units, a millisecond refills `orders` units. Only accepted messages take tokens; the
 * buckets are admission control, not book state, so they are neither journalled nor in the state hash.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { units: number; atMs: number }>();

  constructor(private readonly rate: { orders: number; perMs: number }) {}

  take(participant: string, nowMs: number): boolean {
    const { orders, perMs } = this.rate;
    const capacity = orders * perMs;
    const bucket = this.buckets.get(participant);
    if (bucket === undefined) {
      this.buckets.set(participant, { units: capacity - perMs, atMs: nowMs });
      return true;
    }
    bucket.units = Math.min(capacity, bucket.units + Math.max(0, nowMs - bucket.atMs) * orders);
    bucket.atMs = Math.max(bucket.atMs, nowMs);
    if (bucket.units < perMs) return false;
    bucket.units -= perMs;
    return true;
  }
}
