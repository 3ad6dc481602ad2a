// Market identity: Ed25519 signing keys, signatures over orders and cancels, and the registry of participants a
// matcher trusts.
//
// Why Ed25519 from node:crypto rather than BIP-340 Schnorr over secp256k1: no added dependency (OpenSSL's
// constant-time implementation ships with Node), and verification runs natively, several times faster than a
// pure-JavaScript secp256k1 verify — the matcher checks every order it is sent. A participant's Lightning key
// stays in its LND; the market key only signs orders, so sharing the curve with Lightning would buy nothing.
//
// What is signed: the RFC 8785 canonical JSON (lib/canonical-json.ts) of the message without its `sig` property,
// as UTF-8 bytes. Every other property is covered, unknown ones included, so nothing can be added in transit.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { isParticipant, type Participant } from '../schemas';

export class IdentityError extends Error {
  override name = 'IdentityError';
  constructor(
    readonly code: 'KEY_INVALID' | 'REGISTRY_INVALID',
    message: string,
  ) {
    super(message);
  }
}

// DER prefixes that wrap a raw 32-byte Ed25519 key (RFC 8410): PKCS#8 for the private seed, SPKI for the public key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const HEX32 = /^[0-9a-f]{64}$/;

export interface SigningKey {
  /** 32-byte private seed, hex: what a participant config node keeps in its credentials */
  privateKeyHex: string;
  /** 32-byte public key, hex: what the matcher's registry lists */
  publicKeyHex: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyHex: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('hex'),
    publicKeyHex: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex'),
  };
}

function privateKeyObject(privateKeyHex: string): KeyObject {
  if (!HEX32.test(privateKeyHex)) throw new IdentityError('KEY_INVALID', 'a signing key is 32 bytes as 64 lowercase hex digits');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(privateKeyHex, 'hex')]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(publicKeyHex: string): KeyObject {
  if (!HEX32.test(publicKeyHex)) throw new IdentityError('KEY_INVALID', 'a public key is 32 bytes as 64 lowercase hex digits');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
}

export function publicKeyOf(privateKeyHex: string): string {
  return createPublicKey(privateKeyObject(privateKeyHex)).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
}

/** The bytes a signature covers: the canonical JSON of the message without `sig`. */
export function signedBytes(message: object): Buffer {
  const { sig: _sig, ...rest } = message as { sig?: unknown };
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** The message with its `sig`, made with the participant's signing key. */
export function signMessage<T extends object>(message: T, privateKeyHex: string): T & { sig: string } {
  const sig = sign(null, signedBytes(message), privateKeyObject(privateKeyHex)).toString('hex');
  return { ...message, sig };
}

/** A participant the matcher trusts, with its public key ready to verify. */
export interface RegisteredParticipant extends Participant {
  readonly key: KeyObject;
}

/**
 * The participants a matcher trusts, from its config, a JSON file or a msg. Each entry is checked against the
 * Participant contract; keys are decoded once, so verifying an order costs one signature check.
 */
export class ParticipantRegistry {
  private readonly byId = new Map<string, RegisteredParticipant>();

  constructor(participants: readonly unknown[] = []) {
    for (const [index, entry] of participants.entries()) this.add(entry, `participant ${index}`);
  }

  /** From a JSON array text, e.g. a registry file. */
  static fromJson(text: string): ParticipantRegistry {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new IdentityError('REGISTRY_INVALID', `the participant registry is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new IdentityError('REGISTRY_INVALID', 'the participant registry must be a JSON array of participants');
    return new ParticipantRegistry(parsed);
  }

  add(entry: unknown, where = 'a participant'): RegisteredParticipant {
    const problems = isParticipant.problems(entry);
    if (problems.length > 0) throw new IdentityError('REGISTRY_INVALID', `${where} is not valid: ${problems.join('; ')}`);
    const participant = entry as Participant;
    const registered: RegisteredParticipant = { ...participant, key: publicKeyObject(participant.publicKey) };
    this.byId.set(participant.id, registered);
    return registered;
  }

  get(id: string): RegisteredParticipant | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  list(): Participant[] {
    return [...this.byId.values()].map(({ key: _key, ...participant }) => participant);
  }

  /** Whether `message.sig` is the participant's valid signature over the message. */
  verify(message: { participant: string; sig?: string; [field: string]: unknown }): boolean {
    const participant = this.byId.get(message.participant);
    if (!participant || typeof message.sig !== 'string' || !/^[0-9a-f]{128}$/.test(message.sig)) return false;
    return verify(null, signedBytes(message), participant.key, Buffer.from(message.sig, 'hex'));
  }
}
