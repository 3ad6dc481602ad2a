// The node key (secp256k1) and what LND signs with it: BOLT 11 invoice signatures and SignMessage's recoverable
// "compact" signatures (btcec SignCompact: a header byte 27 + recovery id + 4 for a compressed key, then r and
// s), which LND encodes in z-base-32 over "Lightning Signed Message:" + message, hashed twice with SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import * as secp from 'tiny-secp256k1';

export const SIGNED_MESSAGE_PREFIX = Buffer.from('Lightning Signed Message:');
const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export const sha256 = (data: Buffer | Uint8Array) => createHash('sha256').update(data).digest();

export function newPrivateKey(): Buffer {
  for (;;) {
    const key = randomBytes(32);
    if (secp.isPrivate(key)) return key;
  }
}

export function publicKeyOf(privateKey: Buffer): Buffer {
  return Buffer.from(secp.pointFromScalar(privateKey, true) as Uint8Array);
}

/** 64-byte compact (r || s) ECDSA signature of a 32-byte hash (low-s, RFC 6979) and its recovery id. */
export function signRecoverable(hash: Buffer, privateKey: Buffer): { signature: Buffer; recoveryId: number } {
  const { signature, recoveryId } = secp.signRecoverable(hash, privateKey);
  return { signature: Buffer.from(signature), recoveryId };
}

/** Bytes regrouped into 5-bit words, most significant bit first, the last word padded with zeros. */
export function fiveBitWords(data: Buffer): number[] {
  const words: number[] = [];
  let value = 0;
  let bits = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      words.push((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) words.push((value << (5 - bits)) & 31);
  return words;
}

export function zbase32Encode(data: Buffer): string {
  return fiveBitWords(data)
    .map((w) => ZBASE32[w])
    .join('');
}

/** Throws on a character outside the alphabet (tv42/zbase32 "illegal z-base-32 data at input byte n"). */
export function zbase32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = ZBASE32.indexOf(text[i]);
    if (digit < 0) throw new Error(`illegal z-base-32 data at input byte ${i}`);
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(bytes);
}

function messageDigest(message: Buffer, doubleHash: boolean): Buffer {
  const once = sha256(Buffer.concat([SIGNED_MESSAGE_PREFIX, message]));
  return doubleHash ? sha256(once) : once;
}

/** LND SignMessage: zbase32 of the 65-byte recoverable signature; `singleHash` as SignMessageRequest.single_hash. */
export function signMessage(message: Buffer, privateKey: Buffer, singleHash = false): string {
  const { signature, recoveryId } = signRecoverable(messageDigest(message, !singleHash), privateKey);
  return zbase32Encode(Buffer.concat([Buffer.from([27 + recoveryId + 4]), signature]));
}

/** The compressed public key that signed `message` (LND VerifyMessage always hashes twice), or undefined. */
export function recoverMessageSigner(message: Buffer, signature: string): Buffer | undefined {
  const sig = zbase32Decode(signature);
  if (sig.length !== 65 || sig[0] < 27 || sig[0] > 34) return undefined;
  const recoveryId = ((sig[0] - 27) & 3) as 0 | 1 | 2 | 3;
  try {
    const key = secp.recover(messageDigest(message, true), sig.subarray(1), recoveryId, true);
    return key ? Buffer.from(key) : undefined;
  } catch {
    return undefined;
  }
}
