// LND's macaroons, byte for byte: libmacaroons' V2 binary format (go-macaroon marshal-v2.go), an HMAC-SHA256
// chain from a root key (macaroon paper §3; go-macaroon crypto.go), and the macaroon-bakery V3 identifier that
// LND mints (bakery/oven.go): version byte 3, then the protobuf MacaroonId {nonce, storageId, ops}. The
// permissions live in the identifier, as LND's do, and the checks follow macaroons/service.go CheckMacAuth.
import { createHmac, randomBytes } from 'node:crypto';

export interface MacaroonOp {
  entity: string;
  action: string;
}

const op = (entity: string, action: string): MacaroonOp => ({ entity, action });

/** lnd rpcserver.go readPermissions */
export const READ_PERMISSIONS: readonly MacaroonOp[] = ['onchain', 'offchain', 'address', 'message', 'peers', 'info', 'invoices', 'signer', 'macaroon'].map(
  (entity) => op(entity, 'read'),
);
/** lnd rpcserver.go writePermissions */
export const WRITE_PERMISSIONS: readonly MacaroonOp[] = [
  ...['onchain', 'offchain', 'address', 'message', 'peers', 'info', 'invoices'].map((entity) => op(entity, 'write')),
  op('signer', 'generate'),
  op('macaroon', 'generate'),
  op('macaroon', 'write'),
  op('remotesigner', 'generate'),
];
/** lnd rpcserver.go invoicePermissions */
export const INVOICE_PERMISSIONS: readonly MacaroonOp[] = [
  op('invoices', 'read'),
  op('invoices', 'write'),
  op('address', 'read'),
  op('address', 'write'),
  op('onchain', 'read'),
];
/** lnd.go adminPermissions(): read + write */
export const ADMIN_PERMISSIONS: readonly MacaroonOp[] = [...READ_PERMISSIONS, ...WRITE_PERMISSIONS];

/** macaroons.DefaultRootKeyID */
export const DEFAULT_ROOT_KEY_ID = Buffer.from('0');
const BAKERY_VERSION_3 = 3;
const LOCATION = 'lnd';

const FIELD = { eos: 0, location: 1, identifier: 2, verificationId: 4, signature: 6 } as const;

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * The signature a macaroon with `id` and first-party `caveats` has under `rootKey`: go-macaroon makeKey hashes the
 * root key under the fixed key "macaroons-key-generator", then each caveat chains on over the previous signature.
 */
export function chainedSignature(rootKey: Buffer, id: Buffer, caveats: readonly Buffer[] = []): Buffer {
  let signature = hmac(hmac(Buffer.from('macaroons-key-generator'), rootKey), id);
  for (const caveat of caveats) signature = hmac(signature, caveat);
  return signature;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function readVarint(buf: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let i = at, scale = 1; i < buf.length && i < at + 5; i++, scale *= 0x80) {
    value += (buf[i] & 0x7f) * scale;
    if (!(buf[i] & 0x80)) return [value, i + 1];
  }
  throw new Error('varint value extends past end of buffer');
}

const field = (type: number, data: Buffer) => Buffer.concat([varint(type), varint(data.length), data]);
const protoField = (no: number, data: Buffer) => Buffer.concat([varint((no << 3) | 2), varint(data.length), data]);

/** bakery CanonicalOps then macaroonIdOps: sorted, deduplicated, grouped by entity. */
function encodeOps(ops: readonly MacaroonOp[]): Buffer[] {
  const sorted = [...ops].sort((a, b) => (a.entity === b.entity ? cmp(a.action, b.action) : cmp(a.entity, b.entity)));
  const groups: { entity: string; actions: string[] }[] = [];
  for (const { entity, action } of sorted) {
    const last = groups.at(-1);
    if (last?.entity === entity) {
      if (last.actions.at(-1) !== action) last.actions.push(action);
    } else groups.push({ entity, actions: [action] });
  }
  return groups.map((g) =>
    protoField(3, Buffer.concat([protoField(1, Buffer.from(g.entity)), ...g.actions.map((a) => protoField(2, Buffer.from(a)))])),
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A macaroon as lnd bakes it (bakeMacaroon: bakery.LatestVersion, no caveats), in V2 binary. */
export function bakeMacaroon(rootKey: Buffer, ops: readonly MacaroonOp[], storageId = DEFAULT_ROOT_KEY_ID, nonce = randomBytes(16)): Buffer {
  const macaroonId = Buffer.concat([protoField(1, nonce), protoField(2, storageId), ...encodeOps(ops)]);
  const id = Buffer.concat([Buffer.from([BAKERY_VERSION_3]), macaroonId]);
  return serialize({ location: LOCATION, id, caveats: [], signature: chainedSignature(rootKey, id) });
}

export interface Caveat {
  id: Buffer;
  verificationId?: Buffer;
  location?: string;
}

export interface Macaroon {
  location: string;
  id: Buffer;
  caveats: Caveat[];
  signature: Buffer;
}

export function serialize(m: Macaroon): Buffer {
  const eos = Buffer.from([FIELD.eos]);
  const parts = [Buffer.from([2])];
  if (m.location) parts.push(field(FIELD.location, Buffer.from(m.location)));
  parts.push(field(FIELD.identifier, m.id), eos);
  for (const c of m.caveats) {
    if (c.location) parts.push(field(FIELD.location, Buffer.from(c.location)));
    parts.push(field(FIELD.identifier, c.id));
    if (c.verificationId?.length) parts.push(field(FIELD.verificationId, c.verificationId));
    parts.push(eos);
  }
  parts.push(eos, field(FIELD.signature, m.signature));
  return Buffer.concat(parts);
}

/** A first-party caveat added by the holder (attenuation): the signature chains on over the condition. */
export function addFirstPartyCaveat(macaroon: Buffer, condition: string): Buffer {
  const m = parse(macaroon);
  const id = Buffer.from(condition);
  return serialize({ ...m, caveats: [...m.caveats, { id }], signature: hmac(m.signature, id) });
}

type Packet = { type: number; data: Buffer };

function readSection(buf: Buffer, start: number): [packets: Packet[], next: number] {
  const packets: Packet[] = [];
  let at = start;
  for (;;) {
    if (at >= buf.length) throw new Error('section extends past end of buffer');
    const [type, afterType] = readVarint(buf, at);
    if (type === FIELD.eos) return [packets, afterType];
    const [size, afterSize] = readVarint(buf, afterType);
    if (afterSize + size > buf.length) throw new Error('field data extends past end of buffer');
    if (packets.length && type <= packets[packets.length - 1].type) throw new Error('fields out of order');
    packets.push({ type, data: buf.subarray(afterSize, afterSize + size) });
    at = afterSize + size;
  }
}

/** go-macaroon parseBinaryV2, with its error texts. */
export function parse(buf: Buffer): Macaroon {
  if (buf.length === 0) throw new Error('empty macaroon data');
  if (buf[0] !== 2) throw new Error('cannot determine data format of binary-encoded macaroon');
  try {
    let [header, at] = readSection(buf, 1);
    let location = '';
    if (header[0]?.type === FIELD.location) {
      location = header[0].data.toString();
      header = header.slice(1);
    }
    if (header.length !== 1 || header[0].type !== FIELD.identifier) throw new Error('invalid macaroon header');
    const caveats: Caveat[] = [];
    for (;;) {
      const [section, next] = readSection(buf, at);
      at = next;
      if (section.length === 0) break;
      const cav: Caveat = { id: Buffer.alloc(0) };
      let rest = section;
      if (rest[0].type === FIELD.location) {
        cav.location = rest[0].data.toString();
        rest = rest.slice(1);
      }
      if (rest[0]?.type !== FIELD.identifier) throw new Error('no identifier in caveat');
      cav.id = Buffer.from(rest[0].data);
      if (rest.length === 2 && rest[1].type === FIELD.verificationId) cav.verificationId = Buffer.from(rest[1].data);
      else if (rest.length > 1) throw new Error('extra fields found in caveat');
      caveats.push(cav);
    }
    const [type, afterType] = readVarint(buf, at);
    const [size, afterSize] = readVarint(buf, afterType);
    if (type !== FIELD.signature) throw new Error('unexpected field found instead of signature');
    if (size !== 32 || afterSize + size > buf.length) throw new Error('signature has unexpected length');
    return { location, id: Buffer.from(header[0].data), caveats, signature: Buffer.from(buf.subarray(afterSize, afterSize + size)) };
  } catch (err) {
    throw new Error(`unmarshal v2: ${(err as Error).message}`);
  }
}

/** The bakery V3 identifier: its storage id (the root key id) and the operations it grants. */
export function decodeMacaroonId(id: Buffer): { storageId: Buffer; ops: MacaroonOp[] } {
  let storageId = Buffer.alloc(0);
  const ops: MacaroonOp[] = [];
  const fields = (buf: Buffer, visit: (no: number, data: Buffer) => void) => {
    for (let at = 0; at < buf.length; ) {
      const [key, afterKey] = readVarint(buf, at);
      if ((key & 7) !== 2) throw new Error('cannot unmarshal macaroon id');
      const [size, afterSize] = readVarint(buf, afterKey);
      if (afterSize + size > buf.length) throw new Error('cannot unmarshal macaroon id');
      visit(key >> 3, buf.subarray(afterSize, afterSize + size));
      at = afterSize + size;
    }
  };
  fields(id.subarray(1), (no, data) => {
    if (no === 2) storageId = Buffer.from(data);
    if (no !== 3) return;
    let entity = '';
    const actions: string[] = [];
    fields(data, (opNo, value) => (opNo === 1 ? (entity = value.toString()) : actions.push(value.toString())));
    ops.push(...actions.map((action) => op(entity, action)));
  });
  if (ops.length === 0) throw new Error('no operations found in macaroon');
  return { storageId, ops };
}
