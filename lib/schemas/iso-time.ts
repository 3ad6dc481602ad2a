// The contracts' timestamps: ISO 8601 date-times with a zone. The contract check (check.ts) reads each one, and
// the market then needs its milliseconds (slot, expiry, clock skew): the few most recent readings are kept, so
// that the same text, which an order carries through both, is parsed once.

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const RECENT = 16;
const texts: string[] = new Array<string>(RECENT).fill('');
const readings = new Float64Array(RECENT).fill(NaN);
let next = 0;

/** The ms since the epoch of an ISO date-time with a zone (as Date.parse reads it); NaN for any other text. */
export function isoTimeMs(text: string): number {
  for (let i = 0; i < RECENT; i++) if (texts[i] === text) return readings[i];
  const ms = ISO_DATE_TIME.test(text) ? Date.parse(text) : NaN;
  texts[next] = text;
  readings[next] = ms;
  next = (next + 1) % RECENT;
  return ms;
}
