// What the two payment nodes share: where their journals live, the refusal of any message that tries to set a
// cap or fee limit, and the short status of a refused input.
import { join } from 'node:path';
import { CAP_FIELDS } from '../../lib/payments/caps';
import { PaymentError } from '../../lib/payments/errors';
import { flaregridSettings } from './clock';
import type { NodeMessage, NodeRedAPI, NodeStatus } from './red';

/** <dataDir>/<kind>/<node id>: one journal directory per node. */
export function journalDir(RED: NodeRedAPI, kind: string, nodeId: string): string {
  const root = flaregridSettings(RED).dataDir ?? (typeof RED.settings.userDir === 'string' ? join(RED.settings.userDir, 'flaregrid') : undefined);
  if (root === undefined) throw new Error('Node-RED has no userDir (settings.userDir) and settings.flaregrid.dataDir is not set: the payment journal needs a directory');
  return join(root, kind, nodeId);
}

/** Caps and fee limits come from the flaregrid-lnd node only: a message naming one is refused as a whole. */
export function refuseCapOverride(msg: NodeMessage): void {
  const payload = msg.payload !== null && typeof msg.payload === 'object' ? (msg.payload as Record<string, unknown>) : {};
  const named = CAP_FIELDS.filter((field) => field in msg || field in payload);
  if (named.length > 0) {
    throw new PaymentError('CAP_OVERRIDE', `a message may not set ${named.join(', ')}: spending caps and fee limits are set in the flaregrid-lnd node only`);
  }
}

/** Codes that have a short text of their own in the nodes' catalogues (`status.refused.<code>`). */
const REFUSALS = new Set([
  'UNKNOWN_TRADE',
  'TRADE_OVER',
  'TRADE_CONFLICT',
  'NOT_OUR_TRADE',
  'WRONG_METER',
  'COUNTER_BACKWARDS',
  'BAD_READING',
  'BAD_INVOICE',
  'BAD_PAYMENT',
  'OVERPAYMENT',
  'CAP_OVERRIDE',
  'CONTRACT_VIOLATION',
  'PERMISSION',
  'NOT_CONNECTED',
  'SETTINGS',
]);

/** A refused input's status: a yellow ring saying what was wrong. */
export function refusedStatus(err: unknown, t: (key: string) => string): NodeStatus {
  const code = (err as { code?: string }).code;
  return { fill: 'yellow', shape: 'ring', text: t(`status.refused.${code !== undefined && REFUSALS.has(code) ? code : 'other'}`) };
}
