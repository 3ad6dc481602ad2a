// A simulated participant's identity, by the published signing rule (docs/contracts.md, Order.sig): Ed25519 over
// the RFC 8785 canonical JSON of the message without `sig`, the signature as 128 hex digits, the public key as the
// raw 32 bytes in 64 hex digits, which is what the matcher's participant registry lists.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical';

export interface SigningIdentity {
  publicKeyHex: string;
  /** the message with `sig` set: the signature of the message's other fields */
  signed<T extends Record<string, unknown>>(message: T): T & { sig: string };
}

/** The raw key of an Ed25519 public key: the last 32 bytes of its SubjectPublicKeyInfo DER. */
function rawPublicKey(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
}

export function newSigningIdentity(): SigningIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyHex: rawPublicKey(publicKey),
    signed(message) {
      const { sig: _ignored, ...unsigned } = message as Record<string, unknown>;
      const sig = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), privateKey).toString('hex');
      return { ...message, sig };
    },
  };
}
