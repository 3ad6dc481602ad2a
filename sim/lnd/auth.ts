// What LND checks before a call runs: the RPC state (rpcperms/interceptor.go checkRPCState), then the macaroon
// in the call's `macaroon` metadata against the permission the method needs (macaroons/service.go
// ValidateMacaroon, CheckMacAuth; the per-method entries of rpcserver.go MainRPCServerPermissions and the
// router and invoices sub-servers' macPermissions). Every refusal is a plain error, so code UNKNOWN.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { lndError } from './errors';
import { chainedSignature, decodeMacaroonId, parse, type MacaroonOp } from './macaroons';

const r = (entity: string): MacaroonOp[] => [{ entity, action: 'read' }];
const w = (entity: string): MacaroonOp[] => [{ entity, action: 'write' }];

/**
 * The permissions each served method requires, all of them (bakery Allow), from lnd 90ea05d's tables:
 * rpcserver.go MainRPCServerPermissions, lnrpc/routerrpc/router_server.go and lnrpc/invoicesrpc/invoices_server.go
 * macPermissions. (LookupInvoiceV2 does need invoices:write there.)
 */
export const METHOD_PERMISSIONS: Readonly<Record<string, readonly MacaroonOp[]>> = {
  '/lnrpc.Lightning/GetInfo': r('info'),
  '/lnrpc.Lightning/ListChannels': r('offchain'),
  '/lnrpc.Lightning/ChannelBalance': r('offchain'),
  '/lnrpc.Lightning/WalletBalance': r('onchain'),
  '/lnrpc.Lightning/FeeReport': r('offchain'),
  '/lnrpc.Lightning/AddInvoice': w('invoices'),
  '/lnrpc.Lightning/LookupInvoice': r('invoices'),
  '/lnrpc.Lightning/ListInvoices': r('invoices'),
  '/lnrpc.Lightning/SubscribeInvoices': r('invoices'),
  '/lnrpc.Lightning/DecodePayReq': r('offchain'),
  '/lnrpc.Lightning/ListPayments': r('offchain'),
  '/lnrpc.Lightning/SignMessage': w('message'),
  '/lnrpc.Lightning/VerifyMessage': r('message'),
  '/lnrpc.Lightning/BakeMacaroon': [{ entity: 'macaroon', action: 'generate' }],
  '/routerrpc.Router/SendPaymentV2': w('offchain'),
  '/routerrpc.Router/TrackPaymentV2': r('offchain'),
  '/routerrpc.Router/TrackPayments': r('offchain'),
  '/routerrpc.Router/EstimateRouteFee': r('offchain'),
  '/invoicesrpc.Invoices/AddHoldInvoice': w('invoices'),
  '/invoicesrpc.Invoices/SettleInvoice': w('invoices'),
  '/invoicesrpc.Invoices/CancelInvoice': w('invoices'),
  '/invoicesrpc.Invoices/SubscribeSingleInvoice': r('invoices'),
  '/invoicesrpc.Invoices/LookupInvoiceV2': w('invoices'),
};

export interface AuthContext {
  /** The root key for a macaroon's storage id, if this node issued one under it. */
  rootKey(storageId: Buffer): Buffer | undefined;
  /** wall time, ms: LND checks `time-before` caveats against its own clock */
  nowMs: number;
  /** the caller's address (`ipaddr` caveats) */
  peerIp: string | undefined;
}

/** Go's hex.DecodeString, with its two error texts. */
function decodeHex(text: string): Buffer {
  const bad = text.search(/[^0-9a-fA-F]/);
  if (bad >= 0) {
    const ch = text.codePointAt(bad) as number;
    throw lndError(`encoding/hex: invalid byte: U+${ch.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(ch)}'`);
  }
  if (text.length % 2) throw lndError('encoding/hex: odd length hex string');
  return Buffer.from(text, 'hex');
}

/** A first-party caveat's condition against the checkers LND registers; the error text if it fails. */
function caveatFailure(condition: string, ctx: AuthContext): string | undefined {
  const space = condition.indexOf(' ');
  const name = space < 0 ? condition : condition.slice(0, space);
  const arg = space < 0 ? '' : condition.slice(space + 1);
  const failed = (reason: string) => `caveat ${JSON.stringify(condition)} not satisfied: ${reason}`;
  if (name === 'time-before') {
    const untilMs = Date.parse(arg);
    if (!Number.isFinite(untilMs)) return failed(`parsing time "${arg}" as RFC3339 failed`);
    return ctx.nowMs < untilMs ? undefined : failed('macaroon has expired');
  }
  if (name === 'ipaddr') {
    if (isIP(arg) === 0) return failed(`unable to parse caveat IP`);
    const peer = ctx.peerIp?.replace(/^::ffff:/, '');
    return peer === arg ? undefined : failed('macaroon locked to different IP address');
  }
  return failed('caveat not recognized');
}

/** A macaroon whose signature checked out: what it grants and the caveats still to check on each call. */
interface VerifiedMacaroon {
  ops: MacaroonOp[];
  conditions: string[];
}

/** Steps of CheckMacAuth that depend only on the macaroon's bytes and the root key: format, id, signature. */
function verify(hex: string, rootKeyFor: AuthContext['rootKey']): VerifiedMacaroon {
  const bytes = decodeHex(hex);
  let macaroon;
  try {
    macaroon = parse(bytes);
  } catch (err) {
    throw lndError((err as Error).message);
  }
  if (macaroon.id.length < 1 || macaroon.id[0] !== 3) throw lndError('invalid ID');
  let decoded;
  try {
    decoded = decodeMacaroonId(macaroon.id);
  } catch (err) {
    throw lndError(`cannot retrieve macaroon: ${(err as Error).message}`);
  }
  const rootKey = rootKeyFor(decoded.storageId);
  if (!rootKey) throw lndError('verification failed: macaroon not found in storage');
  const thirdParty = macaroon.caveats.find((c) => c.verificationId);
  if (thirdParty) throw lndError(`verification failed: cannot find discharge macaroon for caveat ${thirdParty.id.toString('hex')}`);
  const signature = chainedSignature(rootKey, macaroon.id, macaroon.caveats.map((c) => c.id));
  if (!timingSafeEqual(signature, macaroon.signature)) {
    throw lndError('verification failed: signature mismatch after caveat verification');
  }
  return { ops: decoded.ops, conditions: macaroon.caveats.map((c) => c.id.toString()) };
}

function authorize(macaroon: VerifiedMacaroon, required: readonly MacaroonOp[], fullMethod: string, ctx: AuthContext): void {
  for (const condition of macaroon.conditions) {
    const failure = caveatFailure(condition, ctx);
    if (failure) throw lndError(failure);
  }
  const grants = (o: MacaroonOp) => macaroon.ops.some((g) => g.entity === o.entity && g.action === o.action);
  // CheckMacAuth: the broad permissions first, then the one `uri:<method>` that may stand in for them
  if (!required.every(grants) && !grants({ entity: 'uri', action: fullMethod })) throw lndError('permission denied');
}

/**
 * The macaroon check for one node's calls, remembering the macaroons whose signature checked out (a client sends the
 * same one on every call), so a call costs a map lookup and the caveat checks, not two HMACs. Safe because a
 * node's root keys never change (BakeMacaroon only adds keys under new ids).
 */
export class MacaroonChecker {
  private readonly verified = new Map<string, VerifiedMacaroon>();

  constructor(private readonly rootKey: AuthContext['rootKey']) {}

  /** Throws the error LND would answer with, unless the metadata's one macaroon grants `required`. */
  check(values: readonly unknown[], required: readonly MacaroonOp[], fullMethod: string, ctx: Omit<AuthContext, 'rootKey'>): void {
    if (values.length !== 1) throw lndError(`expected 1 macaroon, got ${values.length}`);
    const hex = String(values[0]);
    let macaroon = this.verified.get(hex);
    if (!macaroon) {
      macaroon = verify(hex, this.rootKey);
      if (this.verified.size >= 64) this.verified.clear();
      this.verified.set(hex, macaroon);
    }
    authorize(macaroon, required, fullMethod, { ...ctx, rootKey: this.rootKey });
  }
}
