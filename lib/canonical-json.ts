// RFC 8785 JSON Canonicalization Scheme (JCS): one byte-exact text per JSON value, so that a hash or a
// signature computed by one participant is reproduced by every other one, in any language that implements
// the RFC. The market signs canonicalJson(order without `sig`); the journal chains sha256Hex over it.
//
// The rules, exactly as applied here:
// - Objects: the own enumerable string-keyed properties, sorted by their names compared as sequences of
//   UTF-16 code units (JavaScript's default string order, which RFC 8785 §3.2.3 prescribes), written as
//   `{"name":value,...}` with no whitespace. A property whose value is `undefined` is left out, as
//   JSON.stringify does. Only plain objects (prototype Object.prototype or null) are accepted: a Date, Map
//   or class instance would silently change shape through toJSON or lose its contents.
// - Arrays: in order, `[a,b]`. An `undefined` element (or a hole) is refused: JSON.stringify would write
//   `null`, which does not read back as what was signed.
// - Strings (values and names): as ECMAScript JSON.stringify writes them (RFC 8785 §3.2.2.2): `\"`, `\\`,
//   `\b \t \n \f \r`, other code points below U+0020 as `\u00xx` in lowercase hex, everything else as is.
//   A lone surrogate is refused: I-JSON (RFC 7493), which JCS requires, forbids it and it has no UTF-8 form.
// - Numbers: ECMAScript Number::toString, which is what JSON.stringify writes and what RFC 8785 §3.2.2.3
//   prescribes for IEEE-754 doubles (shortest round-trip digits; exponent form below 1e-6 and from 1e21 on;
//   -0 is written 0). NaN and ±Infinity are refused.
// - true, false, null as literals. bigint, symbols, functions and cyclic structures are refused; a value
//   that is reached twice without a cycle (a shared sub-object) is written twice, as JSON.stringify does.
// Every refusal is a CanonicalJsonError with a `code` and the path of the offending value (`$.a[2].b`).
// The result is a JavaScript string; sign or hash its UTF-8 bytes (sha256Hex does).

import { hash } from 'node:crypto';

export type CanonicalJsonErrorCode =
  | 'NON_FINITE_NUMBER'
  | 'UNDEFINED_VALUE'
  | 'UNSUPPORTED_TYPE'
  | 'CYCLE'
  | 'LONE_SURROGATE';

export class CanonicalJsonError extends Error {
  readonly code: CanonicalJsonErrorCode;
  /** where the refused value sits, from the root `$` */
  readonly path: string;

  constructor(code: CanonicalJsonErrorCode, message: string, path: string) {
    super(message);
    this.name = 'CanonicalJsonError';
    this.code = code;
    this.path = path;
  }
}

/** Thrown inside the recursion; the path is collected while the stack unwinds, so success pays nothing. */
class Refusal {
  readonly segments: (string | number)[] = [];
  constructor(
    readonly code: CanonicalJsonErrorCode,
    readonly detail: string,
  ) {}
}

/** The RFC 8785 canonical text of a JSON value; throws CanonicalJsonError for anything that is not JSON. */
export function canonicalJson(value: unknown): string {
  try {
    return serialize(value, []);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const path = formatPath(err.segments);
    throw new CanonicalJsonError(err.code, `canonical JSON: ${err.detail} at ${path}`, path);
  }
}

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

function serialize(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal('NON_FINITE_NUMBER', `${String(value)} is not a JSON number`);
      // Number::toString; String(-0) is "0", as RFC 8785 wants.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      throw new Refusal('UNDEFINED_VALUE', 'undefined is not a JSON value');
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new Refusal('CYCLE', 'the value contains itself');
      ancestors.push(value);
      // No finally: after a refusal the whole serialisation is abandoned, ancestors with it.
      const text = Array.isArray(value) ? serializeArray(value, ancestors) : serializeObject(value, ancestors);
      ancestors.pop();
      return text;
    }
    default:
      // bigint, symbol, function
      throw new Refusal('UNSUPPORTED_TYPE', `a ${typeof value} is not a JSON value`);
  }
}

function serializeArray(array: readonly unknown[], ancestors: object[]): string {
  const flat = primitiveArrayJson(array);
  if (flat !== undefined) return flat;
  let text = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) text += (i === 0 ? '' : ',') + serialize(array[i], ancestors);
  } catch (err) {
    if (err instanceof Refusal) err.segments.unshift(i);
    throw err;
  }
  return `${text}]`;
}

/**
 * An array of strings (well-formed), finite numbers, booleans and nulls only, as JSON.stringify writes it, which
 * is exactly the text above for such values, in one flat string (a state's lists of ids are long, and the rope
 * of small strings the general way builds costs more to turn into bytes than to build); undefined otherwise.
 */
function primitiveArrayJson(array: readonly unknown[]): string | undefined {
  if ((array as { toJSON?: unknown }).toJSON !== undefined) return undefined;
  for (let i = 0; i < array.length; i++) if (!isPlainPrimitive(array[i])) return undefined;
  return JSON.stringify(array);
}

/** A primitive JSON value JSON.stringify writes as serialize does: a well-formed string, a finite number, a boolean, null. */
function isPlainPrimitive(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return (value as string & { isWellFormed(): boolean }).isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      return value === null;
    default:
      return false;
  }
}

/**
 * The same for an object of such values (undefined members left out), copied in sorted key order and written by
 * JSON.stringify. JavaScript puts integer-like keys first whatever the insertion order, so a key that starts with
 * a digit sends the object the general way, and so does __proto__, which an assignment would not make a key.
 */
function primitiveObjectJson(record: Record<string, unknown>, sortedKeys: readonly string[]): string | undefined {
  const copy: Record<string, unknown> = {};
  for (const key of sortedKeys) {
    const value = record[key];
    if (value === undefined) continue;
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__' || !isPlainPrimitive(value)) return undefined;
    copy[key] = value;
  }
  return JSON.stringify(copy);
}

function serializeObject(object: object, ancestors: object[]): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
    throw new Refusal('UNSUPPORTED_TYPE', `a ${typeof name === 'string' && name !== '' ? name : 'non-plain object'} is not a plain JSON object`);
  }
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const flat = primitiveObjectJson(record, keys);
  if (flat !== undefined) return flat;
  let text = '{';
  let key = '';
  try {
    for (key of keys) {
      const member = record[key];
      if (member !== undefined) text += (text.length === 1 ? '' : ',') + quote(key) + ':' + serialize(member, ancestors);
    }
  } catch (err) {
    if (err instanceof Refusal) err.segments.unshift(key);
    throw err;
  }
  return `${text}}`;
}

/** Anything JSON.stringify would escape, and surrogates (which may be lone). */
const NEEDS_CARE = /[\u0000-\u001f"\\\ud800-\udfff]/;

function quote(text: string): string {
  // Most names and values are plain: no escape, no surrogate, so no call into JSON.stringify.
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new Refusal('LONE_SURROGATE', 'a string holds a lone UTF-16 surrogate, which has no UTF-8 form');
  }
  return JSON.stringify(text);
}

function formatPath(segments: readonly (string | number)[]): string {
  let path = '$';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return path;
}
