// BOLT 11 payment requests on regtest (`lnbcrt`), signed with the node key so that any decoder recovers the
// node's pubkey from the signature, as from a real LND invoice. The `invoices` package encodes the fields; the
// signature is ours.
import { createSignedRequest, createUnsignedRequest, parsePaymentRequest } from 'invoices';
import { signHash } from './keys';

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
  const signature = signHash(Buffer.from(unsigned.hash, 'hex'), f.privateKey);
  return createSignedRequest({ destination: f.pubkey, hrp: unsigned.hrp, signature: signature.toString('hex'), tags: unsigned.tags }).request;
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
