// Least-privilege macaroons, as lnd bakes them: the permission checks of rpcserver.go BakeMacaroon (its
// validEntities / validActions, its error texts), root keys by id as macaroons/store.go RootKeyStorage keeps them
// (the id is the decimal text of BakeMacaroonRequest.root_key_id; a new id gets a new random root key). The node
// spec's `macaroons` option bakes through the same checks, so a file the simulator writes is one that
// `lncli bakemacaroon` could have made.
import { randomBytes } from 'node:crypto';
import { lndError } from './errors';
import { bakeMacaroon, chainedSignature, DEFAULT_ROOT_KEY_ID, decodeMacaroonId, parse, type MacaroonOp } from './macaroons';
import type { NodeRecord } from './state';

/** rpcserver.go validActions */
export const VALID_ACTIONS: readonly string[] = ['read', 'write', 'generate'];
/** rpcserver.go validEntities, with macaroons.PermissionEntityCustomURI last */
export const VALID_ENTITIES: readonly string[] = ['onchain', 'offchain', 'address', 'message', 'remotesigner', 'peers', 'info', 'invoices', 'signer', 'macaroon', 'uri'];

/** Go's %v of a []string */
const goList = (items: readonly string[]) => `[${items.join(' ')}]`;
const HELP = `supported actions are ${goList(VALID_ACTIONS)}, supported entities are ${goList(VALID_ENTITIES)}`;

/**
 * The operations of a BakeMacaroon request, checked as lnd checks them. `knownUri` says whether a `uri:` action
 * names a method the node serves (lnd: one of its interceptor chain's permissions). Throws lnd's error text.
 */
export function checkedPermissions(permissions: readonly MacaroonOp[], knownUri: (uri: string) => boolean, allowExternal = false): MacaroonOp[] {
  if (permissions.length === 0) throw lndError(`permission list cannot be empty. specify at least one action/entity pair. ${HELP}`);
  return permissions.map(({ entity, action }) => {
    if (allowExternal) return { entity, action };
    if (!VALID_ENTITIES.includes(entity)) throw lndError(`invalid permission entity. ${HELP}`);
    if (entity === 'uri') {
      if (!knownUri(action)) throw lndError('invalid permission action, must be an existing URI in the format /package.Service/MethodName');
    } else if (!VALID_ACTIONS.includes(action)) {
      throw lndError(`invalid permission action. ${HELP}`);
    }
    return { entity, action };
  });
}

/** "offchain:read" as lncli bakemacaroon and ln-service's grantAccess write a permission. */
export function parsePermission(text: string): MacaroonOp {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new Error(`'${text}' is not an entity:action permission`);
  return { entity: text.slice(0, colon), action: text.slice(colon + 1) };
}

/** The root key a node verifies macaroons of `storageId` with, if it ever issued one under that id. */
export function rootKeyOf(record: NodeRecord, storageId: Buffer): Buffer | undefined {
  if (storageId.equals(DEFAULT_ROOT_KEY_ID)) return Buffer.from(record.macaroonRootKey, 'hex');
  const hex = record.macaroonRootKeys?.[storageId.toString()];
  return hex === undefined ? undefined : Buffer.from(hex, 'hex');
}

/** RootKeyStorage.RootKey: the key of `id`, made (and kept in the record) at its first use. Returns whether it was made. */
function rootKeyFor(record: NodeRecord, id: string): { key: Buffer; created: boolean } {
  const existing = rootKeyOf(record, Buffer.from(id));
  if (existing) return { key: existing, created: false };
  const key = randomBytes(32);
  record.macaroonRootKeys = { ...record.macaroonRootKeys, [id]: key.toString('hex') };
  return { key, created: true };
}

export interface BakeRequest {
  permissions?: readonly MacaroonOp[];
  /** uint64 as protobufjs hands it over with longs as strings */
  root_key_id?: string;
  allow_external_permissions?: boolean;
}

/**
 * lnrpc.Lightning/BakeMacaroon: the hex of a new macaroon (no caveats) granting the checked permissions under the
 * root key of `root_key_id`. `onNewRootKey` is told when the node's record gained a root key (to persist it).
 */
export function bakeForRequest(record: NodeRecord, req: BakeRequest, knownUri: (uri: string) => boolean, onNewRootKey: () => void): { macaroon: string } {
  const ops = checkedPermissions(req.permissions ?? [], knownUri, req.allow_external_permissions === true);
  const id = BigInt(req.root_key_id || '0').toString();
  const { key, created } = rootKeyFor(record, id);
  if (created) onNewRootKey();
  return { macaroon: bakeMacaroon(key, ops, Buffer.from(id)).toString('hex') };
}

const canonical = (ops: readonly MacaroonOp[]) => [...new Set(ops.map((o) => `${o.entity}\u0000${o.action}`))].sort().join('\n');

/** Whether `bytes` is a caveat-free macaroon of `rootKey` (id "0") granting exactly `ops`: a file kept across restarts. */
export function grantsExactly(bytes: Buffer, rootKey: Buffer, ops: readonly MacaroonOp[]): boolean {
  try {
    const macaroon = parse(bytes);
    const decoded = decodeMacaroonId(macaroon.id);
    return (
      macaroon.caveats.length === 0 &&
      decoded.storageId.equals(DEFAULT_ROOT_KEY_ID) &&
      canonical(decoded.ops) === canonical(ops) &&
      chainedSignature(rootKey, macaroon.id).equals(macaroon.signature)
    );
  } catch {
    return false;
  }
}
