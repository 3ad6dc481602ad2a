// What a flaregrid-lnd config node offers the payment nodes: its shared connection (an ln-service client,
// checked by a probe, watched while it lives), the spending guard that enforces its caps on every payment from
// that node, and its deadlines. The pay nodes reach it with useLnd().

import type { Clock } from '../../lib/clock';
import { openLnd, probeLnd, type LndAccess, type Probe } from '../../lib/payments/backend/connect';
import type { LnServiceBackend } from '../../lib/payments/backend/ln-service';
import { BackendError, type PaymentBackend } from '../../lib/payments/backend/types';
import { SpendingGuard, type SpendingCaps } from '../../lib/payments/caps';
import type { Connector } from '../../lib/connection/types';
import { useConnection, type ConnectionNode, type RegisterOptions } from '../shared/connection-node';
import type { NodeRedAPI, RuntimeNode } from '../shared/red';

export interface LndSession {
  backend: LnServiceBackend;
  probe: Probe;
  close(): void;
}

export interface LndSettings {
  access: LndAccess;
  caps: SpendingCaps;
  /** our deadline for one payment */
  paymentTimeoutMs: number;
  /** our deadline for any other call */
  callTimeoutMs: number;
  /** how often a live connection is probed; a silent half-open link is found this way */
  watchMs: number;
}

export interface LndConfig {
  readonly owner: ConnectionNode<LndSession>;
  readonly guard: SpendingGuard;
  readonly settings: LndSettings;
}

const CONFIG = Symbol.for('flaregrid.lndConfig');

/** Field names of the caps in the dialog and the flow JSON, each in msat (maxFeePpm in ppm). */
export const CAP_CONFIG_FIELDS = ['perPaymentMsat', 'perTradeMsat', 'perHourMsat', 'perDayMsat', 'maxFeeMsat', 'maxFeePpm'] as const;

export function readCaps(config: Record<string, unknown>): SpendingCaps {
  const caps = {} as Record<(typeof CAP_CONFIG_FIELDS)[number], number>;
  for (const field of CAP_CONFIG_FIELDS) {
    const value = Number(config[field]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${field} must be a whole number of 0 or more, got '${String(config[field])}'`);
    caps[field] = value;
  }
  return caps;
}

export function lndConnector(settings: LndSettings, clock: Clock): Connector<LndSession> {
  const watches = new WeakMap<LndSession, { cancel(): void }>();
  return {
    async connect(attempt) {
      const opened = openLnd(settings.access, clock);
      let probe: Probe;
      try {
        probe = await probeLnd(opened.backend, settings.callTimeoutMs);
      } catch (err) {
        opened.close();
        throw err;
      }
      const session: LndSession = { backend: opened.backend, probe, close: opened.close };
      const watch = clock.setInterval(() => {
        probeLnd(opened.backend, settings.callTimeoutMs).catch((err: Error) => attempt.lost(err));
      }, settings.watchMs);
      watches.set(session, watch);
      return session;
    },
    async disconnect(session) {
      watches.get(session)?.cancel();
      session.close();
    },
  };
}

/** Makes a config node's connection, guard and deadlines reachable by its users. */
export function publishLndConfig(node: RuntimeNode, config: LndConfig): void {
  Object.defineProperty(node, CONFIG, { value: config });
}

export interface LndUse extends LndConfig {
  /** the connected backend, within the call deadline; rejects with NOT_CONNECTED otherwise */
  backend(): Promise<PaymentBackend>;
  /** a call found the node unreachable: drop this client and reconnect (with back-off) */
  unavailable(err: BackendError): void;
  /** the connection's last error is a refused macaroon: messages that need LND are refused at once */
  refusal(): string | undefined;
}

/** Registers `node` with the flaregrid-lnd config node `id`; undefined (red status, logged) when there is none. */
export function useLnd(RED: NodeRedAPI, node: RuntimeNode, id: unknown, options?: RegisterOptions): LndUse | undefined {
  const owner = useConnection<LndSession>(RED, node, id, options);
  if (!owner) return undefined;
  const config = (RED.nodes.getNode(String(id)) as (RuntimeNode & { [CONFIG]?: LndConfig }) | null)?.[CONFIG];
  if (!config) return undefined;
  return {
    ...config,
    backend: () => owner.connection.whenConnected(config.settings.callTimeoutMs).then((session) => session.backend),
    unavailable: (err) => {
      const session = owner.connection.current();
      if (session) owner.connection.invalidate(session, err);
    },
    refusal: () => {
      const state = owner.connection.state;
      const lastError = 'lastError' in state ? state.lastError : undefined;
      return lastError !== undefined && /PERMISSION|macaroon|permission denied|verification failed/i.test(lastError) ? lastError : undefined;
    },
  };
}
