// flaregrid-miner-api (config): the firmware, ports, timeouts and login of a set of miners, shared by the
// flaregrid-miner nodes that drive them. Each miner's session (a Braiins token, a LuxOS session) is held by
// lib/miners per miner, on lib/connection's SharedConnection, so one login here serves a container of miners.
import { DIALECTS } from '../../lib/miners/types';
import { asError, positiveNumber } from '../shared/handlers';
import type { NodeDefinition, NodeRedAPI, RuntimeNode } from '../shared/red';
import { attachAccess, DEFAULT_ACCESS, type MinerAccess } from './access';

interface MinerApiConfig extends NodeDefinition {
  dialect: string;
  apiPort: string | number;
  restPort: string | number;
  commandTimeoutS: string | number;
  breakerFailures: string | number;
}

export = function register(RED: NodeRedAPI): void {
  function MinerApiNode(this: RuntimeNode, config: MinerApiConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    try {
      const dialect = config.dialect || 'auto';
      if (dialect !== 'auto' && !(DIALECTS as readonly string[]).includes(dialect)) throw new Error(`firmware must be auto or one of ${DIALECTS.join(', ')}`);
      const access: MinerAccess = {
        dialect: dialect as MinerAccess['dialect'],
        apiPort: portOf(config.apiPort, 'API port'),
        restPort: portOf(config.restPort, 'REST port'),
        commandTimeoutS: positiveNumber(config.commandTimeoutS ?? DEFAULT_ACCESS.commandTimeoutS, 'Command timeout'),
        breakerFailures: Math.floor(positiveNumber(config.breakerFailures ?? DEFAULT_ACCESS.breakerFailures, 'Failures before offline')),
        credentials: { username: node.credentials?.username || 'root', password: node.credentials?.password ?? '' },
      };
      attachAccess(node, access);
    } catch (err) {
      node.error(`flaregrid-miner-api: ${asError(err).message}`);
    }
  }

  RED.nodes.registerType('flaregrid-miner-api', MinerApiNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};

function portOf(value: unknown, label: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${label} must be a whole number from 1 to 65535, got '${String(value)}'`);
  return n;
}
