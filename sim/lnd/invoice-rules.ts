// What lnd accepts in AddInvoice and AddHoldInvoice (lnrpc/invoicesrpc/addinvoice.go), with its texts and defaults.
import { lndError } from './errors';

export const DEFAULT_INVOICE_EXPIRY_SEC = 24 * 3600;
/** lnd's default invoice CLTV delta: its time_lock_delta */
export const DEFAULT_CLTV_EXPIRY = 80;
const MAX_MEMO_BYTES = 1024;
/** routing.MinCLTVDelta */
const MIN_CLTV_DELTA = 18;
/** invoices.MaxFinalCltvDelta */
const MAX_FINAL_CLTV_DELTA = 2016;
const MAX_EXPIRY_SEC = 365 * 24 * 3600;

export interface AddInvoiceData {
  memo: string;
  valueMsat: bigint;
  preimage?: Buffer;
  /** hold invoices only: the payee keeps the preimage until SettleInvoice */
  hash?: Buffer;
  descriptionHash?: Buffer;
  expirySec: number;
  cltvExpiry: number;
  private: boolean;
  hold: boolean;
}

export function checkAddInvoice(data: AddInvoiceData): void {
  if (data.preimage && data.hash) throw lndError('preimage and hash both set');
  if (Buffer.byteLength(data.memo) > MAX_MEMO_BYTES) {
    throw lndError(`memo too large: ${Buffer.byteLength(data.memo)} bytes (maxsize=${MAX_MEMO_BYTES})`);
  }
  if (data.descriptionHash?.length && data.descriptionHash.length !== 32) {
    throw lndError(`description hash is ${data.descriptionHash.length} bytes, must be 32`);
  }
  if (data.valueMsat < 0n) throw lndError(`payments of negative value are not allowed, value is ${data.valueMsat}`);
  if (data.expirySec > MAX_EXPIRY_SEC) {
    throw lndError(`expiry of ${data.expirySec} seconds greater than max expiry of ${MAX_EXPIRY_SEC} seconds`);
  }
  if (data.cltvExpiry > MAX_FINAL_CLTV_DELTA) {
    throw lndError(`CLTV delta of ${data.cltvExpiry} is too large, max accepted is: ${MAX_FINAL_CLTV_DELTA}`);
  }
  if (data.cltvExpiry !== 0 && data.cltvExpiry < MIN_CLTV_DELTA) {
    throw lndError(`CLTV delta of ${data.cltvExpiry} must be greater than minimum of ${MIN_CLTV_DELTA}`);
  }
}
