// Checks a payee's receipt signature without a Lightning node: LND's SignMessage signs
// sha256(sha256("Lightning Signed Message:" + text)) with the node key and encodes the 65-byte compact
// recoverable signature (header, r, s) in zbase32. Knowing the signer's public key (the receipt's payee), the
// check is a plain secp256k1 ECDSA verification, which node:crypto does.

import { createHash, createPublicKey, verify } from 'node:crypto';

const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const SIGNED_MESSAGE_PREFIX = 'Lightning Signed Message:';
/** DER SubjectPublicKeyInfo header for a compressed secp256k1 point (id-ecPublicKey, secp256k1, 33-byte key) */
const SPKI_SECP256K1_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');

export function decodeZbase32(text: string): Buffer | undefined {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text) {
    const index = ZBASE32.indexOf(char);
    if (index < 0) return undefined;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** true when signature (zbase32, as LND SignMessage returns it) is pubkeyHex's signature of text. */
export function verifyNodeSignature(text: string, signature: string, pubkeyHex: string): boolean {
  const raw = decodeZbase32(signature);
  if (!raw || raw.length !== 65 || !/^(02|03)[0-9a-f]{64}$/.test(pubkeyHex)) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_SECP256K1_COMPRESSED, Buffer.from(pubkeyHex, 'hex')]), format: 'der', type: 'spki' });
    const once = createHash('sha256').update(SIGNED_MESSAGE_PREFIX + text, 'utf8').digest();
    // verify() hashes its data with sha256 once more: the double SHA-256 LND signs
    return verify('sha256', once, { key, dsaEncoding: 'ieee-p1363' }, raw.subarray(1));
  } catch {
    return false;
  }
}
