// The canonical JSON (RFC 8785) of an incoming order or cancel, fast, for the shapes the contracts define: a
// plain object whose properties are all Order (or Cancel) fields holding strings, finite numbers, booleans or
// null. Anything else (an unknown field, a nested value, a lone surrogate, NaN) gets undefined, and admission
// falls back to lib/canonical-json, so the text is the same for every message; a property test holds the two
// equal.
//
// Why it is the same text: the object is copied into a literal whose keys are written in code-unit order (the
// order RFC 8785 §3.2.3 prescribes; a test checks the lists), and JSON.stringify writes it: keys in that order,
// undefined members left out, strings escaped as RFC 8785 §3.2.2.2 says (it is ECMAScript's JSON.stringify
// that the RFC cites), numbers as Number::toString. What JSON.stringify would write differently from
// canonicalJson never gets here: lone surrogates (escaped by it, refused by canonicalJson), NaN and
// ±Infinity (written null by it), objects with toJSON.
//
// The generic serialiser concatenates dozens of small strings, and turning that rope into bytes for the
// fingerprint's hash and the journal cost more than building it; JSON.stringify writes one flat string.

/** the Order fields, in code-unit order */
export const ORDER_KEYS = [
  'createdAt', 'deliveryEnd', 'deliveryStart', 'expiresAt', 'id', 'market', 'minFillWh', 'nonce', 'orderType', 'participant', 'payTo',
  'priceMsatPerKwh', 'quantityWh', 'side', 'sig', 'type', 'zone',
] as const;

/** the Cancel fields, in code-unit order */
export const CANCEL_KEYS = ['createdAt', 'expiresAt', 'id', 'market', 'nonce', 'participant', 'sig', 'type'] as const;

const ORDER_FIELDS: ReadonlySet<string> = new Set(ORDER_KEYS);
const CANCEL_FIELDS: ReadonlySet<string> = new Set(CANCEL_KEYS);

type Fields = Record<string, unknown>;

/** How many own properties hold a JSON primitive, or -1 when one is not a field of `fields` or not such a value. */
function definedFields(message: Fields, fields: ReadonlySet<string>): number {
  if (Object.getPrototypeOf(message) !== Object.prototype) return -1;
  let defined = 0;
  for (const key of Object.keys(message)) {
    if (!fields.has(key)) return -1;
    const value = message[key];
    switch (typeof value) {
      case 'undefined':
        continue;
      case 'string':
        if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return -1;
        break;
      case 'number':
        if (!Number.isFinite(value)) return -1;
        break;
      case 'boolean':
        break;
      case 'object':
        if (value !== null) return -1;
        break;
      default:
        return -1;
    }
    defined++;
  }
  return defined;
}

/** How many members of the copy are defined: more than the message's own means an inherited one crept in. */
function definedMembers(copy: Fields): number {
  let defined = 0;
  for (const key in copy) if (copy[key] !== undefined) defined++;
  return defined;
}

/** canonicalJson(message) for a message of Order fields only; undefined for anything else. */
export function orderJson(message: Fields): string | undefined {
  const defined = definedFields(message, ORDER_FIELDS);
  if (defined < 0) return undefined;
  const m = message;
  const copy = {
    createdAt: m.createdAt, deliveryEnd: m.deliveryEnd, deliveryStart: m.deliveryStart, expiresAt: m.expiresAt, id: m.id, market: m.market,
    minFillWh: m.minFillWh, nonce: m.nonce, orderType: m.orderType, participant: m.participant, payTo: m.payTo,
    priceMsatPerKwh: m.priceMsatPerKwh, quantityWh: m.quantityWh, side: m.side, sig: m.sig, type: m.type, zone: m.zone,
  };
  return definedMembers(copy) === defined ? JSON.stringify(copy) : undefined;
}

/** canonicalJson(message) for a message of Cancel fields only; undefined for anything else. */
export function cancelJson(message: Fields): string | undefined {
  const defined = definedFields(message, CANCEL_FIELDS);
  if (defined < 0) return undefined;
  const m = message;
  const copy = { createdAt: m.createdAt, expiresAt: m.expiresAt, id: m.id, market: m.market, nonce: m.nonce, participant: m.participant, sig: m.sig, type: m.type };
  return definedMembers(copy) === defined ? JSON.stringify(copy) : undefined;
}

/** canonicalJson(message) when the message is an order or a cancel of the contracts' fields; undefined otherwise. */
export function messageJson(message: Fields): string | undefined {
  if (message.type === 'order') return orderJson(message);
  if (message.type === 'cancel') return cancelJson(message);
  return undefined;
}
