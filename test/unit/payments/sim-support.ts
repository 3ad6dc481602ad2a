// A simulated Lightning network (sim/lnd) for the payment tests that go through ln-service's real gRPC client:
// a buyer node with a channel to a seller node, and the LnServiceBackend of either.
import * as ln from 'ln-service';
import type { Clock } from '../../../lib/clock';
import { LnServiceBackend } from '../../../lib/payments/backend/ln-service';
import { startLightningNetwork, type LightningNetwork, type MacaroonKind } from '../../../sim/lnd';
import { removeDir, tempDir } from '../sim/lnd/support';

export interface SimPair {
  net: LightningNetwork;
  dir: string;
  backend(alias: 'buyer' | 'seller', kind?: MacaroonKind): LnServiceBackend;
  close(): Promise<void>;
}

export async function startPair(clock: Clock, options: { capacitySat?: number; acceptsKeysend?: boolean } = {}): Promise<SimPair> {
  const dir = tempDir();
  const net = await startLightningNetwork({
    dir,
    clock,
    nodes: [{ alias: 'buyer' }, { alias: 'seller', acceptsKeysend: options.acceptsKeysend ?? true }],
    channels: [{ from: 'buyer', to: 'seller', capacitySat: options.capacitySat ?? 5_000_000 }],
  });
  const clients: { lnd: ln.AuthenticatedLnd }[] = [];
  return {
    net,
    dir,
    backend(alias, kind = 'admin') {
      const client = ln.authenticatedLndGrpc(net.node(alias).lndOptions(kind));
      clients.push(client);
      return new LnServiceBackend(client.lnd, clock);
    },
    async close() {
      for (const { lnd } of clients) for (const service of Object.values(lnd)) (service as { close?: () => void }).close?.();
      await net.stop();
      removeDir(dir);
    },
  };
}
