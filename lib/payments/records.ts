// The TLV records a keysend payment of a trade carries (LND dest_custom_records; ln-service `messages`), so
// that the payee's gate can attribute it to the trade and the interval, and check it against the meter, from
// the payment alone. Types are odd (optional to understand) and above 65536, as LND requires; strings are UTF-8,
// numbers unsigned 64-bit big-endian. The keysend preimage itself travels in record 5482373484.

import { PaymentError } from './errors';

export const KEYSEND_PREIMAGE_TYPE = '5482373484';

/** FlareGrid's record types: 0x46 0x47 ('FG') × 65536 + an odd number. */
export const TLV_TYPES = Object.freeze({
  tradeId: '4605697',
  interval: '4605699',
  meterId: '4605701',
  fromWh: '4605703',
  toWh: '4605705',
  counterStartWh: '4605707',
  counterEndWh: '4605709',
  priceMsatPerKwh: '4605711',
  buyer: '4605713',
});

export interface IntervalRecord {
  tradeId: string;
  interval: number;
  meterId: string;
  buyer: string;
  /** the trade's energy at the interval's start and end */
  fromWh: number;
  toWh: number;
  /** the meter's counter when the interval before was paid and when this one was */
  counterStartWh: number;
  counterEndWh: number;
  priceMsatPerKwh: number;
}

/** ln-service's shape of a TLV record: a decimal type and a hex value. */
export interface TlvMessage {
  type: string;
  value: string;
}

const STRING_FIELDS = ['tradeId', 'meterId', 'buyer'] as const;
const NUMBER_FIELDS = ['interval', 'fromWh', 'toWh', 'counterStartWh', 'counterEndWh', 'priceMsatPerKwh'] as const;

function u64(value: number): string {
  return BigInt(value).toString(16).padStart(16, '0');
}

export function encodeIntervalRecords(record: IntervalRecord): TlvMessage[] {
  return [
    ...STRING_FIELDS.map((field) => ({ type: TLV_TYPES[field], value: Buffer.from(record[field], 'utf8').toString('hex') })),
    ...NUMBER_FIELDS.map((field) => ({ type: TLV_TYPES[field], value: u64(record[field]) })),
  ];
}

/**
 * The interval a payment's records describe; undefined when it carries no trade id (a payment that is not a
 * FlareGrid one). @throws PaymentError BAD_INVOICE when the trade id is there but a field is missing or malformed.
 */
export function decodeIntervalRecords(messages: readonly TlvMessage[]): IntervalRecord | undefined {
  const byType = new Map(messages.map((m) => [m.type, m.value]));
  if (!byType.has(TLV_TYPES.tradeId)) return undefined;
  const out: Partial<Record<keyof IntervalRecord, string | number>> = {};
  for (const field of STRING_FIELDS) {
    const hex = byType.get(TLV_TYPES[field]);
    if (hex === undefined || !/^([0-9a-f]{2})+$/i.test(hex)) throw new PaymentError('BAD_INVOICE', `the payment's record ${field} is missing or not hex`);
    out[field] = Buffer.from(hex, 'hex').toString('utf8');
  }
  for (const field of NUMBER_FIELDS) {
    const hex = byType.get(TLV_TYPES[field]);
    if (hex === undefined || !/^[0-9a-f]{16}$/i.test(hex)) throw new PaymentError('BAD_INVOICE', `the payment's record ${field} is missing or not a 64-bit number`);
    const value = BigInt(`0x${hex}`);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PaymentError('BAD_INVOICE', `the payment's record ${field} is too large`);
    out[field] = Number(value);
  }
  return out as unknown as IntervalRecord;
}
