// BOLT 11 payment requests on regtest (`lnbcrt`), signed with the node key so that any decoder recovers the
// node's pubkey from the signature, as from a real LND invoice. The `invoices` package lays out the tagged
// fields; the recoverable signature and the bech32 string (BIP 173, without its 90-character limit, as BOLT 11
// says) are made here, so that signing costs one ECDSA signature and no key recovery.
import { createUnsignedRequest, parsePaymentRequest } from 'invoices';
import { fiveBitWords, signRecoverable } from './keys';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i];
  }
  return chk;
}

/** BIP 173 bech32: hrp, "1", the 5-bit words and a 6-word checksum. */
export function bech32Encode(hrp: string, words: readonly number[]): string {
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));
  const mod = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => BECH32[w]).join('')}`;
}

/** LND's invoice features: tlv-onion (8) and payment-addr (14) required, multi-path-payments (17) optional. */
export const INVOICE_FEATURE_BITS = [8, 14, 17] as const;

export interface PaymentRequestFields {
  privateKey: Buffer;
  pubkey: string;
  paymentHash: string;
  paymentAddr: string;
  valueMsat: bigint;
  memo: string;
  descriptionHash?: string;
  createdAtSec: number;
  expirySec: number;
  cltvExpiry: number;
}

export function encodePaymentRequest(f: PaymentRequestFields): string {
  const unsigned = createUnsignedRequest({
    cltv_delta: f.cltvExpiry,
    created_at: new Date(f.createdAtSec * 1000).toISOString(),
    description: f.descriptionHash ? undefined : f.memo,
    description_hash: f.descriptionHash,
    destination: f.pubkey,
    expires_at: new Date((f.createdAtSec + f.expirySec) * 1000).toISOString(),
    features: INVOICE_FEATURE_BITS.map((bit) => ({ bit })),
    id: f.paymentHash,
    mtokens: f.valueMsat > 0n ? f.valueMsat.toString() : undefined,
    network: 'regtest',
    payment: f.paymentAddr,
  });
  const { signature, recoveryId } = signRecoverable(Buffer.from(unsigned.hash, 'hex'), f.privateKey);
  return bech32Encode(unsigned.hrp, [...unsigned.tags, ...fiveBitWords(Buffer.concat([signature, Buffer.from([recoveryId])]))]);
}

export interface DecodedPaymentRequest {
  destination: string;
  paymentHash: string;
  paymentAddr: string | undefined;
  valueMsat: bigint;
  createdAtSec: number;
  expirySec: number;
  cltvExpiry: number;
  description: string;
  descriptionHash: string;
  features: number[];
  network: string;
}

/** Throws the decoder's message for anything that is not a signed BOLT 11 request. */
export function decodePaymentRequest(request: string): DecodedPaymentRequest {
  const parsed = parsePaymentRequest({ request });
  const createdAtSec = Math.floor(Date.parse(parsed.created_at) / 1000);
  return {
    destination: parsed.destination,
    paymentHash: parsed.id,
    paymentAddr: parsed.payment,
    valueMsat: BigInt(parsed.mtokens ?? '0'),
    createdAtSec,
    expirySec: Math.floor(Date.parse(parsed.expires_at) / 1000) - createdAtSec,
    cltvExpiry: parsed.cltv_delta ?? 18,
    description: parsed.description ?? '',
    descriptionHash: parsed.description_hash ?? '',
    features: (parsed.features ?? []).map((f: { bit: number }) => f.bit),
    network: parsed.network,
  };
}
