// The market identity a flaregrid-participant config node holds, as its users (offer, matcher) see it: the
// public part, and a sign() that uses the private key without handing it out. The key stays in the node's
// Node-RED credentials; nothing here logs it, returns it or puts it in a status.

import { publicKeyOf, signMessage } from '../../lib/market/identity';
import type { OfferIdentity } from '../../lib/participant/offer';
import { ID_PATTERN } from '../../lib/schemas/kit';
import type { Participant } from '../../lib/schemas';
import type { NodeRedAPI, RuntimeNode } from './red';

export interface ParticipantIdentity extends OfferIdentity {
  /** Ed25519 public key, hex; undefined without a signing key (a closed site that allows unsigned orders) */
  publicKey?: string;
}

export interface ParticipantHandle {
  readonly identity: ParticipantIdentity;
  /** whether sign() adds a signature */
  readonly signs: boolean;
  /** The message with its `sig`; unchanged without a signing key. */
  sign<T extends object>(message: T): T;
  /** the entry a matcher's registry lists for this participant, when it has a key */
  registryEntry(): Participant | undefined;
}

export class ParticipantConfigError extends Error {
  readonly code = 'PARTICIPANT_CONFIG';
  override name = 'ParticipantConfigError';
}

export interface ParticipantSettings {
  participantId?: unknown;
  zone?: unknown;
  payTo?: unknown;
  /** the public key the dialog showed; when set it must be the signing key's */
  publicKey?: unknown;
}

const ID = new RegExp(ID_PATTERN);
const NODE_PUBKEY = /^(02|03)[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{64}$/;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value));

/** The identity of a participant node's settings and credential; @throws ParticipantConfigError naming the field. */
export function participantHandle(settings: ParticipantSettings, privateKey: string | undefined): ParticipantHandle {
  const id = text(settings.participantId);
  if (!ID.test(id)) throw new ParticipantConfigError(`Participant id must be 1 to 64 letters, digits or _ . : -, got '${id}'`);
  const zone = text(settings.zone);
  if (zone !== '' && !ID.test(zone)) throw new ParticipantConfigError(`Zone must be empty or 1 to 64 letters, digits or _ . : -, got '${zone}'`);
  const payTo = text(settings.payTo).toLowerCase();
  if (payTo !== '' && !NODE_PUBKEY.test(payTo)) {
    throw new ParticipantConfigError(`Pay to must be a Lightning node public key (66 hex digits starting 02 or 03), got '${payTo}'`);
  }
  const key = text(privateKey).toLowerCase();
  if (key !== '' && !HEX32.test(key)) throw new ParticipantConfigError('Signing key must be 64 hex digits (32 bytes); generate one in the dialog');
  const publicKey = key === '' ? undefined : publicKeyOf(key);
  const shown = text(settings.publicKey).toLowerCase();
  if (publicKey && shown !== '' && shown !== publicKey) {
    throw new ParticipantConfigError(`the signing key does not belong to the public key ${shown.slice(0, 12)}… shown in the dialog: generate or paste the key again`);
  }
  const identity: ParticipantIdentity = {
    participant: id,
    ...(zone ? { zone } : {}),
    ...(payTo ? { payTo } : {}),
    ...(publicKey ? { publicKey } : {}),
  };
  return {
    identity,
    signs: publicKey !== undefined,
    sign: (message) => (key === '' ? message : signMessage(message, key)),
    registryEntry: () =>
      publicKey === undefined
        ? undefined
        : { id, publicKey, ...(zone ? { zone } : {}), ...(payTo ? { payTo } : {}) },
  };
}

const HANDLE = Symbol.for('flaregrid.participant');

/** What a participant config node offers: its handle, or why it has none. */
export type ParticipantState = { handle: ParticipantHandle } | { problem: string };

export function attachParticipant(node: RuntimeNode, state: ParticipantState): void {
  Object.defineProperty(node, HANDLE, { value: state });
}

/** The state of participant config node `id`, or undefined when no such node is deployed. */
export function participantOf(RED: NodeRedAPI, id: unknown): ParticipantState | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const node = RED.nodes.getNode(id) as (RuntimeNode & { [HANDLE]?: ParticipantState }) | null;
  return node?.[HANDLE];
}
