// What the two payment nodes share: where their journals live, the refusal of any message that tries to set a
// cap or fee limit, the short status of a refused input, and the life of their driver (open, status, input, close).
import { join } from 'node:path';
import { TimerSet, type Clock } from '../../lib/clock';
import { BackendError } from '../../lib/payments/backend/types';
import { CAP_FIELDS } from '../../lib/payments/caps';
import { PaymentError } from '../../lib/payments/errors';
import { flaregridSettings } from './clock';
import { asyncInput } from './handlers';
import type { NodeMessage, NodeRedAPI, NodeStatus, RuntimeNode } from './red';

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

/** What the payment nodes need of their flaregrid-lnd registration here. */
interface LndLink {
  owner: { connection: { state: { kind: string } } };
  refusal(): string | undefined;
}

export interface PaymentDriverOptions<D> {
  clock: Clock;
  t: (key: string) => string;
  /** the node's status once its driver is open */
  status: () => NodeStatus;
  /** what the journal is, for the error when it cannot be opened: 'the ledger', 'the payment journal' */
  journalName: string;
  /** opens the driver from its journal; `showStatus` is for the driver's change callbacks */
  open: (showStatus: () => void) => Promise<D>;
}

export interface PaymentDriverRun<D> {
  opening: Promise<D>;
  showStatus: () => void;
  /** Handles each input with the open driver: a refused one leaves a yellow status and reaches Catch. */
  onInput(admit: (driver: D, msg: NodeMessage) => Promise<void> | void): void;
}

/**
 * Runs a payment node's driver, whichever side it is on: opens it from its journal (red when the journal cannot
 * be opened), shows the status at most every 250 ms while LND is connected (a stream may pay a hundred times a
 * second), refuses messages that set caps, and on close cancels its timers and closes the driver.
 */
export function runPaymentDriver<D extends { close(): Promise<void> }>(node: RuntimeNode, lnd: LndLink, options: PaymentDriverOptions<D>): PaymentDriverRun<D> {
  const { t, status } = options;
  const connected = () => lnd.owner.connection.state.kind === 'connected';
  const timers = new TimerSet(options.clock);
  let statusDue = false;
  const showStatus = (): void => {
    if (statusDue || !connected()) return;
    statusDue = true;
    timers.setTimeout(() => {
      statusDue = false;
      if (connected()) node.status(status());
    }, 250);
  };
  const opening = options.open(showStatus).then((opened) => {
    if (connected()) node.status(status());
    return opened;
  });
  opening.catch((err: Error) => {
    node.status({ fill: 'red', shape: 'ring', text: t('status.journalError') });
    node.error(`${options.journalName} cannot be opened: ${err.message}`);
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    timers.cancelAll();
    opening.then((driver) => driver.close()).then(() => done(), () => done());
  });
  return {
    opening,
    showStatus,
    onInput(admit) {
      node.on(
        'input',
        asyncInput(async (msg) => {
          try {
            refuseCapOverride(msg);
            await admit(await opening, msg);
            showStatus();
          } catch (err) {
            node.status(refusedStatus(err, t));
            throw err;
          }
        }),
      );
    },
  };
}

/** A trade is not taken on while LND refuses the node's macaroon: it could be neither paid nor gated. */
export function refuseTradeWhileMacaroonRefused(lnd: LndLink, tradeId: string, what: string): void {
  const refused = lnd.refusal();
  if (refused) throw new BackendError('PERMISSION', `LND refuses the macaroon, so trade ${tradeId} cannot be ${what}: ${refused}`, false);
}
