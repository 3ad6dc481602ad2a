// The participant's side of the market: an Order or Cancel made from an offer's settings and a message's
// overrides, checked against the same contracts the matcher checks (lib/schemas), ready to be signed.
//
// Delivery slots are aligned to the epoch (UTC): a 15-minute slot starts at :00, :15, :30 or :45, the alignment
// the matcher requires of every window.

import { randomBytes } from 'node:crypto';
import { ID_PATTERN } from '../schemas/kit';
import {
  isCancel,
  isOrder,
  ORDER_SIDES,
  ORDER_TYPES,
  type Cancel,
  type Order,
  type OrderSide,
  type OrderType,
} from '../schemas';

export class OfferError extends Error {
  override name = 'OfferError';
  constructor(
    readonly code: 'OFFER_FIELD' | 'OFFER_OVERRIDE' | 'OFFER_CONTRACT',
    message: string,
  ) {
    super(message);
  }
}

/** Who places the order, from the participant config node. */
export interface OfferIdentity {
  participant: string;
  zone?: string;
  /** the seller's Lightning node; put on sell orders only */
  payTo?: string;
}

export type DeliveryWindowSpec =
  | { kind: 'next-slot' }
  | { kind: 'slot-at'; atMs: number }
  | { kind: 'absolute'; deliveryStart: string; deliveryEnd: string };

export interface DeliveryWindow {
  deliveryStart: string;
  deliveryEnd: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The delivery window a spec names, for slots of `slotMs` at `nowMs`. */
export function deliveryWindow(spec: DeliveryWindowSpec, slotMs: number, nowMs: number): DeliveryWindow {
  if (spec.kind === 'absolute') {
    const startMs = Date.parse(spec.deliveryStart);
    const endMs = Date.parse(spec.deliveryEnd);
    if (!(endMs > startMs)) {
      throw new OfferError('OFFER_FIELD', `deliveryEnd must be after deliveryStart, got ${spec.deliveryStart} to ${spec.deliveryEnd}`);
    }
    return { deliveryStart: spec.deliveryStart, deliveryEnd: spec.deliveryEnd };
  }
  const startMs = spec.kind === 'next-slot' ? (Math.floor(nowMs / slotMs) + 1) * slotMs : Math.floor(spec.atMs / slotMs) * slotMs;
  return { deliveryStart: iso(startMs), deliveryEnd: iso(startMs + slotMs) };
}

/** What an order is made of before its identity, times, nonce and signature are added. */
export interface OrderDraft {
  id?: string;
  side: OrderSide;
  orderType: OrderType;
  quantityWh: number;
  priceMsatPerKwh: number;
  minFillWh?: number;
  window: DeliveryWindowSpec;
  /** overrides the expiry that `expiresAfterMs` gives */
  expiresAt?: string;
}

export interface StampOptions {
  nowMs: number;
  /** the message is refused after createdAt + this */
  expiresAfterMs: number;
  slotMs: number;
}

/** A fresh nonce: 96 random bits, base64url (16 characters of the contract's nonce alphabet). */
export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}

/** A fresh order id: `o-` and 72 random bits, so ids from many offers never collide in a market. */
export function newOrderId(): string {
  return `o-${randomBytes(9).toString('base64url')}`;
}

/** The unsigned Order; @throws OfferError naming the field when the result breaks the Order contract. */
export function buildOrder(identity: OfferIdentity, market: string, draft: OrderDraft, options: StampOptions): Order {
  const order: Order = {
    type: 'order',
    id: draft.id ?? newOrderId(),
    market,
    participant: identity.participant,
    side: draft.side,
    ...(draft.orderType === 'limit' ? {} : { orderType: draft.orderType }),
    quantityWh: draft.quantityWh,
    priceMsatPerKwh: draft.priceMsatPerKwh,
    ...(draft.minFillWh === undefined ? {} : { minFillWh: draft.minFillWh }),
    ...deliveryWindow(draft.window, options.slotMs, options.nowMs),
    ...(identity.zone ? { zone: identity.zone } : {}),
    ...(identity.payTo && draft.side === 'sell' ? { payTo: identity.payTo } : {}),
    createdAt: iso(options.nowMs),
    expiresAt: draft.expiresAt ?? iso(options.nowMs + options.expiresAfterMs),
    nonce: newNonce(),
  };
  const problems = isOrder.problems(order);
  if (problems.length > 0) throw new OfferError('OFFER_CONTRACT', problems.join('; '));
  return order;
}

/** The unsigned Cancel of order `orderId`. */
export function buildCancel(identity: OfferIdentity, market: string, orderId: string, options: Omit<StampOptions, 'slotMs'>): Cancel {
  const cancel: Cancel = {
    type: 'cancel',
    id: orderId,
    market,
    participant: identity.participant,
    createdAt: iso(options.nowMs),
    expiresAt: iso(options.nowMs + options.expiresAfterMs),
    nonce: newNonce(),
  };
  const problems = isCancel.problems(cancel);
  if (problems.length > 0) throw new OfferError('OFFER_CONTRACT', problems.join('; '));
  return cancel;
}

/** A whole number of at least `min` from a typed input or a message (numbers, or digits in a string). */
export function wholeNumber(value: unknown, field: string, min: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
    throw new OfferError('OFFER_FIELD', `${field} must be a whole number of ${min} or more, got ${shown}`);
  }
  return n;
}

/** A time as epoch ms, from a number (ms), an ISO 8601 string or a Date. */
export function timeMs(value: unknown, field: string): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new OfferError('OFFER_FIELD', `${field} must be a time (ISO 8601, e.g. 2026-12-01T06:00:00Z, or ms since the epoch), got ${JSON.stringify(value) ?? String(value)}`);
  }
  return ms;
}

/** What a message may set, and what it may not (the identity comes from the participant node, the rest is made here). */
export interface OfferOverrides {
  action?: 'order' | 'cancel';
  id?: string;
  side?: OrderSide;
  orderType?: OrderType;
  quantityWh?: number;
  priceMsatPerKwh?: number;
  minFillWh?: number;
  deliveryStart?: string;
  deliveryEnd?: string;
  deliveryAt?: number;
  expiresAt?: string;
}

const FIXED_FIELDS = ['market', 'participant', 'zone', 'payTo', 'createdAt', 'nonce', 'sig'];
const ID = new RegExp(ID_PATTERN);

function oneOf<T extends string>(value: unknown, values: readonly T[], field: string): T {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw new OfferError('OFFER_OVERRIDE', `msg.payload.${field} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
}

function isoField(value: unknown, field: string): string {
  const ms = timeMs(value, `msg.payload.${field}`);
  return typeof value === 'string' ? value : iso(ms);
}

/**
 * The overrides in `payload` when it is an object (any other payload only triggers the offer). A field the
 * message may not set, or does not exist, is an error that names it, so that a typo is not silently ignored.
 */
export function offerOverrides(payload: unknown): OfferOverrides {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload)) return {};
  const out: OfferOverrides = {};
  for (const [field, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    switch (field) {
      case 'type':
        out.action = oneOf(value, ['order', 'cancel'] as const, field);
        break;
      case 'id':
        if (typeof value !== 'string' || !ID.test(value)) {
          throw new OfferError('OFFER_OVERRIDE', `msg.payload.id must be 1 to 64 letters, digits or _ . : -, got ${JSON.stringify(value)}`);
        }
        out.id = value;
        break;
      case 'side':
        out.side = oneOf(value, ORDER_SIDES, field);
        break;
      case 'orderType':
        out.orderType = oneOf(value, ORDER_TYPES, field);
        break;
      case 'quantityWh':
        out.quantityWh = wholeNumber(value, 'msg.payload.quantityWh', 1);
        break;
      case 'priceMsatPerKwh':
        out.priceMsatPerKwh = wholeNumber(value, 'msg.payload.priceMsatPerKwh', 0);
        break;
      case 'minFillWh':
        out.minFillWh = wholeNumber(value, 'msg.payload.minFillWh', 1);
        break;
      case 'deliveryStart':
      case 'deliveryEnd':
      case 'expiresAt':
        out[field] = isoField(value, field);
        break;
      case 'deliveryAt':
        out.deliveryAt = timeMs(value, 'msg.payload.deliveryAt');
        break;
      default:
        if (FIXED_FIELDS.includes(field)) {
          throw new OfferError('OFFER_OVERRIDE', `msg.payload.${field} cannot be set by a message: it comes from the participant node or is made when the order is signed`);
        }
        throw new OfferError('OFFER_OVERRIDE', `msg.payload.${field} is not an order field a message can set (type, id, side, orderType, quantityWh, priceMsatPerKwh, minFillWh, deliveryStart, deliveryEnd, deliveryAt, expiresAt)`);
    }
  }
  return out;
}
