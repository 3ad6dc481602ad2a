// What a flaregrid-miner-api config node gives the miner nodes that use it: how to reach and log in to a set of
// miners of one firmware. The credentials stay in Node-RED's credential store, never in a flow file.
import type { Credentials, Dialect } from '../../lib/miners/types';
import type { NodeRedAPI, RuntimeNode } from '../shared/red';

export interface MinerAccess {
  dialect: Dialect | 'auto';
  apiPort: number;
  restPort: number;
  commandTimeoutS: number;
  breakerFailures: number;
  credentials: Credentials;
}

/** Braiins OS's factory login, when no access node is set; LuxOS and stock Antminer need none to read. */
export const DEFAULT_ACCESS: Readonly<MinerAccess> = Object.freeze({
  dialect: 'auto',
  apiPort: 4028,
  restPort: 80,
  commandTimeoutS: 5,
  breakerFailures: 3,
  credentials: Object.freeze({ username: 'root', password: '' }),
});

const ACCESS = Symbol.for('flaregrid.minerAccess');

export function attachAccess(node: RuntimeNode, access: MinerAccess): void {
  Object.defineProperty(node, ACCESS, { value: access });
}

/** The access of config node `id`; DEFAULT_ACCESS for none; undefined when `id` names no deployed access node. */
export function minerAccessOf(RED: NodeRedAPI, id: unknown): MinerAccess | undefined {
  if (id === undefined || id === '') return DEFAULT_ACCESS;
  if (typeof id !== 'string') return undefined;
  const node = RED.nodes.getNode(id) as (RuntimeNode & { [ACCESS]?: MinerAccess }) | null;
  return node?.[ACCESS];
}
