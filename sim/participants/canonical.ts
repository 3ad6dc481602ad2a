// RFC 8785 (JSON Canonicalization Scheme), written from the RFC for the simulated participants, who sign what they
// send as an outside participant would: object members sorted by their names' UTF-16 code units, no whitespace,
// numbers as ECMAScript prints them, strings with JSON's minimal escapes. (It does not share code with the
// matcher's side, so that a mistake in one is caught by the other.)

export class CanonicalJsonError extends Error {
  readonly code = 'ERR_CANONICAL_JSON';
  override readonly name = 'CanonicalJsonError';
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    // RFC 8785 §3.2.2.3: the ECMAScript Number serialisation, which JSON.stringify uses; no NaN or infinities.
    if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  // RFC 8785 §3.2.2.2: JSON.stringify escapes exactly ", \, and the control characters (\b \t \n \f \r, else \u00xx).
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    // JavaScript's default sort compares UTF-16 code units, as §3.2.3 asks; members whose value is undefined are
    // not part of the JSON text.
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new CanonicalJsonError(`a ${typeof value} has no JSON form`);
}
