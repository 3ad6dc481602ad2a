// Shared set-up for the LND simulator's tests: a network in a fresh temporary directory, and ln-service's real
// client (authenticatedLndGrpc) for any of its nodes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLightningNetwork, type LightningNetwork, type LightningNetworkOptions, type MacaroonName } from '../../../../sim/lnd';

// ln-service ships no type declarations; its calls are used as documented in its README.
export const ln: Record<string, any> = require('ln-service');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flaregrid-lnd-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A network in `options.dir`, or in a temporary directory that its stop() removes. */
export async function startNetwork(options: Omit<LightningNetworkOptions, 'dir'> & { dir?: string }): Promise<LightningNetwork> {
  if (options.dir) return startLightningNetwork({ ...options, dir: options.dir });
  const dir = tempDir();
  let net: LightningNetwork;
  try {
    net = await startLightningNetwork({ ...options, dir });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  const stop = net.stop;
  return Object.assign(net, { stop: async () => (await stop(), removeDir(dir)) });
}

/** ln-service's `{lnd}` object for a simulated node. */
export function lndFor(net: LightningNetwork, alias: string, kind: MacaroonName = 'admin'): unknown {
  return ln.authenticatedLndGrpc(net.node(alias).lndOptions(kind)).lnd;
}

/** Resolves with the first `event` an ln-service emitter sends, rejects on its 'error'. */
export function once<T = any>(emitter: any, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    emitter.once(event, resolve);
    emitter.once('error', reject);
  });
}
