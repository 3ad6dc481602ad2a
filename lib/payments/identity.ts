// Durable payment identity. The preimage of each interval of a trade is derived from the stream's secret:
// preimage = HMAC-SHA256(secret, "flaregrid/interval/v1" 0 tradeId 0 interval), hash = sha256(preimage). A
// re-send of an interval therefore carries the same payment hash, which LND refuses as a duplicate while the
// first is in flight or paid, and a restart can ask LND about every interval it may have sent.

import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { PaymentError } from './errors';

const HEX32 = /^[0-9a-f]{64}$/;

/** A new stream secret: 32 random bytes, hex. */
export function newStreamSecret(): string {
  return randomBytes(32).toString('hex');
}

/** A secret's key object, made once: turning raw bytes into an HMAC key costs more than the HMAC itself. */
const keys = new Map<string, KeyObject>();

function keyOf(secretHex: string): KeyObject {
  let key = keys.get(secretHex);
  if (!key) {
    if (!HEX32.test(secretHex)) throw new PaymentError('SETTINGS', 'a stream secret must be 32 bytes of hex');
    key = createSecretKey(Buffer.from(secretHex, 'hex'));
    if (keys.size >= 1024) keys.clear();
    keys.set(secretHex, key);
  }
  return key;
}

export function derivePreimage(secretHex: string, tradeId: string, interval: number): string {
  if (!Number.isSafeInteger(interval) || interval < 0) throw new PaymentError('AMOUNT', `an interval must be a whole number of 0 or more, got ${String(interval)}`);
  return createHmac('sha256', keyOf(secretHex)).update(`flaregrid/interval/v1\0${tradeId}\0${interval}`).digest('hex');
}

export function paymentHashOf(preimageHex: string): string {
  return createHash('sha256').update(Buffer.from(preimageHex, 'hex')).digest('hex');
}

/** true when preimage is 32 bytes of hex whose sha256 is paymentHash: a proof of payment. */
export function provesPayment(preimageHex: string | undefined, paymentHashHex: string): boolean {
  return preimageHex !== undefined && HEX32.test(preimageHex) && paymentHashOf(preimageHex) === paymentHashHex;
}
