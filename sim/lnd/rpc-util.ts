// Request-side conversions that LND's handlers make, with LND's error texts: hashes and preimages of 32 bytes
// (lntypes.MakeHash), public keys of 33 (route.NewVertexFromBytes), sat/msat pairs (lnrpc.UnmarshallAmt),
// and TLV maps whose uint64 keys protobufjs hands over as 8-character "long hash" strings.
import { lndError } from './errors';

export function hash32(bytes: Buffer | undefined, what: 'hash' | 'preimage' = 'hash'): Buffer {
  const buf = bytes ?? Buffer.alloc(0);
  if (buf.length !== 32) throw lndError(`invalid ${what} length of ${buf.length}, want 32`);
  return buf;
}

export function vertex(bytes: Buffer | undefined): string {
  const buf = bytes ?? Buffer.alloc(0);
  if (buf.length !== 33) throw lndError(`invalid vertex length of ${buf.length}, want 33`);
  return buf.toString('hex');
}

/** lnrpc.UnmarshallAmt: sat and msat are exclusive and not negative; the amount in msat. */
export function amountMsat(satField: string | undefined, msatField: string | undefined): bigint {
  const satValue = BigInt(satField || '0');
  const msatValue = BigInt(msatField || '0');
  if (satValue !== 0n && msatValue !== 0n) throw lndError('sat and msat arguments are mutually exclusive');
  if (satValue < 0n || msatValue < 0n) throw lndError('amount cannot be negative');
  return satValue !== 0n ? satValue * 1000n : msatValue;
}

/** A uint64 map key as protobufjs decodes it (little-endian bytes in 8 chars), or already decimal. */
export function uint64Key(key: string): string {
  if (key.length === 8 && /[^0-9]/.test(key)) {
    let value = 0n;
    for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(key.charCodeAt(i) & 0xff);
    return value.toString();
  }
  return BigInt(key).toString();
}

/** TLV records from a request map: type (decimal) -> value hex. */
export function tlvRecords(map: Record<string, Buffer> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) out[uint64Key(key)] = Buffer.from(value).toString('hex');
  return out;
}

/** lnd's paging (invoices.QueryInvoices, paymentsdb.QueryPayments) over records sorted by their index. */
export function page<T>(items: readonly T[], indexOf: (item: T) => number, offset: number, max: number, reversed: boolean) {
  const selected = reversed
    ? items.filter((i) => offset === 0 || indexOf(i) < offset).slice(-max)
    : items.filter((i) => indexOf(i) > offset).slice(0, max);
  return {
    items: selected,
    first: String(selected.length ? indexOf(selected[0]) : 0),
    last: String(selected.length ? indexOf(selected[selected.length - 1]) : 0),
  };
}
