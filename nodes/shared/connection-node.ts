// The Node-RED side of lib/connection: a config node that owns a SharedConnection (LND, a miner API, the market
// broker) and the user nodes that register with it. The config node turns every connection state into the
// status of every user node and logs connects and failures; its close handler releases everything within
// Node-RED's close timeout.
//
// Texts: Node-RED loads a catalogue only beside a node file, and this file is shared by several. So the English
// texts live in ./locales/en-US/connection.json and are the fallback: each text is first asked of the config
// node's own catalogue (key `connection.status.retrying` and so on), where a translation can be added.

import { SharedConnection } from '../../lib/connection/shared-connection';
import type { ConnectionState, ConnectionUser, Connector, SharedConnectionOptions } from '../../lib/connection/types';
import { clockOf } from './clock';
import type { NodeRedAPI, NodeStatus, RuntimeNode } from './red';
import { formatWaitMs } from './status';
import catalogue from './locales/en-US/connection.json';

export type ConnectionNodeOptions = Omit<SharedConnectionOptions, 'clock' | 'onState' | 'warn'> & {
  /** retries from this one on show a red ring instead of a yellow one; default 5 */
  alarmAfterAttempts?: number;
};

export interface RegisterOptions {
  /**
   * What the user shows while connected, instead of a green "connected": a node that reports its own work
   * (an invoice paid, a miner's hash rate) keeps its status; the adapter calls this when the connection comes
   * up, and the node may set its own status whenever `connection.state.kind` is 'connected'.
   */
  connectedStatus?: () => NodeStatus;
}

/** What a config node that owns a connection offers its users. */
export interface ConnectionNode<C> {
  readonly connection: SharedConnection<C>;
  /** Call in the user's constructor: it sees the current state at once, and the first user connects. */
  register(user: RuntimeNode, options?: RegisterOptions): void;
  /** Call in the user's close handler: done runs once the connection is released, if this was the last user. */
  deregister(user: RuntimeNode, done: () => void): void;
}

export type Translate = (path: string, substitutions?: Record<string, string | number>) => string;

const OWNER = Symbol.for('flaregrid.connectionNode');
const DEFAULT_ALARM_AFTER_ATTEMPTS = 5;

/**
 * Makes `node` (a config node, in its constructor after createNode) own a connection made by `connector`, and
 * adds its close handler. Throws ConnectionError or BackoffError when an option is out of range.
 */
export function ownConnection<C>(
  RED: NodeRedAPI,
  node: RuntimeNode,
  connector: Connector<C>,
  options: ConnectionNodeOptions = {},
): ConnectionNode<C> {
  const { alarmAfterAttempts = DEFAULT_ALARM_AFTER_ATTEMPTS, ...sharedOptions } = options;
  const t = translator(RED);
  let previous: ConnectionState | undefined;
  const connection = new SharedConnection<C>(connector, {
    ...sharedOptions,
    clock: clockOf(RED),
    warn: (text) => node.warn(text),
    onState: (state) => {
      logState(node, t, state, previous);
      previous = state;
    },
  });
  const users = new Map<string, ConnectionUser>();

  const owner: ConnectionNode<C> = {
    connection,
    register(user, registerOptions = {}) {
      if (users.has(user.id)) return;
      const listener: ConnectionUser = {
        onState: (state) => {
          const own = state.kind === 'connected' ? registerOptions.connectedStatus?.() : undefined;
          user.status(own ?? connectionStatus(state, t, alarmAfterAttempts));
        },
      };
      users.set(user.id, listener);
      connection.register(listener);
    },
    deregister(user, done) {
      const listener = users.get(user.id);
      users.delete(user.id);
      if (!listener) {
        done();
        return;
      }
      void connection.deregister(listener).then(() => done());
    },
  };
  Object.defineProperty(node, OWNER, { value: owner });
  node.on('close', (_removed, done) => {
    users.clear();
    void connection.close().then(() => done());
  });
  return owner;
}

/** The config node with this id, if it owns a connection. */
export function connectionNodeOf<C>(RED: NodeRedAPI, id: unknown): ConnectionNode<C> | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const node = RED.nodes.getNode(id) as (RuntimeNode & { [OWNER]?: ConnectionNode<C> }) | null;
  return node?.[OWNER];
}

/**
 * The usual user: finds the config node `configId`, registers `node` with it and deregisters it on close.
 * Without a deployed config node it shows a red ring, logs an error and returns undefined.
 */
export function useConnection<C>(
  RED: NodeRedAPI,
  node: RuntimeNode,
  configId: unknown,
  options?: RegisterOptions,
): ConnectionNode<C> | undefined {
  const owner = connectionNodeOf<C>(RED, configId);
  if (!owner) {
    const t = translator(RED);
    node.status({ fill: 'red', shape: 'ring', text: t('status.missing') });
    node.error(t('log.missing'));
    return undefined;
  }
  owner.register(node, options);
  node.on('close', (_removed, done) => owner.deregister(node, done));
  return owner;
}

/** The status a user node shows for a connection state (about 20 characters). */
export function connectionStatus(state: ConnectionState, t: Translate, alarmAfterAttempts = DEFAULT_ALARM_AFTER_ATTEMPTS): NodeStatus {
  switch (state.kind) {
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: t('status.connecting') };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: t('status.connected') };
    case 'retrying':
      return {
        fill: state.attempt >= alarmAfterAttempts ? 'red' : 'yellow',
        shape: 'ring',
        text: t('status.retrying', { delay: formatWaitMs(state.retryInMs), attempt: state.attempt }),
      };
    case 'disconnected':
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: t('status.disconnected') };
  }
}

/** Texts from the config node's catalogue, else from the shared English one. */
export function translator(RED: NodeRedAPI): Translate {
  return (path, substitutions = {}) => {
    const key = `connection.${path}`;
    // A missing key comes back as the key itself (as does everything from the test helper's RED._).
    const translated = RED._(key, substitutions);
    if (translated !== key) return translated;
    return englishText(path).replace(/__(\w+)__/g, (whole, name: string) =>
      name in substitutions ? String(substitutions[name]) : whole,
    );
  };
}

function englishText(path: string): string {
  let entry: unknown = catalogue.connection;
  for (const part of path.split('.')) entry = (entry as Record<string, unknown> | undefined)?.[part];
  if (typeof entry !== 'string') throw new Error(`no connection text '${path}' in locales/en-US/connection.json`);
  return entry;
}

/** Connects and failures reach the log once per episode, or when the error changes: not on every retry. */
function logState(node: RuntimeNode, t: Translate, state: ConnectionState, previous: ConnectionState | undefined): void {
  if (state.kind === 'connected') {
    node.log(t('log.connected'));
    return;
  }
  if (state.kind !== 'retrying') return;
  const delay = formatWaitMs(state.retryInMs);
  if (previous?.kind === 'connected') {
    node.warn(t('log.lost', { error: state.lastError, delay }));
    return;
  }
  const lastWarned = previousError(previous);
  if (state.attempt === 1 || state.lastError !== lastWarned) node.warn(t('log.cannotConnect', { error: state.lastError, delay }));
}

function previousError(previous: ConnectionState | undefined): string | undefined {
  if (!previous || previous.kind === 'connected') return undefined;
  return previous.lastError;
}
