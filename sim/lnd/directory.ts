// Where each simulated node can be reached, in a form any LND client understands (lncli --lnddir, a socket, a
// cert path and macaroon paths), written to lightning.json and served on the simulator's /truth endpoint.
import { renameSync, writeFileSync } from 'node:fs';
import type { Network } from './network';
import type { LndNodeServer } from './server';

export interface DirectoryNode {
  alias: string;
  pubkey: string;
  /** host:port of the gRPC server */
  socket: string;
  host: string;
  port: number;
  /** lnd --lnddir layout: tls.cert, tls.key and data/chain/bitcoin/regtest/*.macaroon */
  lndDir: string;
  certPath: string;
  keyPath: string;
  /** admin, invoice, readonly and the node spec's own, by name */
  macaroons: { admin: string; invoice: string; readonly: string } & Record<string, string>;
  acceptsKeysend: boolean;
}

export interface DirectoryChannel {
  chanId: string;
  channelPoint: string;
  from: string;
  to: string;
  capacitySat: number;
}

export interface LightningDirectory {
  network: 'regtest';
  nodes: DirectoryNode[];
  channels: DirectoryChannel[];
}

export interface LightningTruth extends LightningDirectory {
  blockHeight: number;
  nodeStates: { alias: string; running: boolean; walletLocked: boolean; openStreams: number }[];
  balances: {
    chanId: string;
    active: boolean;
    /** the opener's (`from`) and the peer's balance, msat */
    fromMsat: string;
    toMsat: string;
    /** amounts locked in HTLCs on the way */
    inFlightMsat: string;
  }[];
}

export function buildDirectory(network: Network, servers: readonly LndNodeServer[]): LightningDirectory {
  const alias = (pubkey: string) => network.node(pubkey).alias;
  return {
    network: 'regtest',
    nodes: servers.map((s) => ({
      alias: s.record.alias,
      pubkey: s.record.pubkey,
      socket: s.socket,
      host: s.socket.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''),
      port: s.port,
      lndDir: s.paths.lndDir,
      certPath: s.paths.certPath,
      keyPath: s.paths.keyPath,
      macaroons: { ...s.paths.macaroons },
      acceptsKeysend: s.record.acceptsKeysend,
    })),
    channels: network.ledger.all().map((c) => ({
      chanId: c.chanId,
      channelPoint: c.channelPoint,
      from: alias(c.nodes[0]),
      to: alias(c.nodes[1]),
      capacitySat: Number(c.capacitySat),
    })),
  };
}

export function buildTruth(network: Network, servers: readonly LndNodeServer[]): LightningTruth {
  return {
    ...buildDirectory(network, servers),
    blockHeight: network.height(),
    nodeStates: servers.map((s) => ({
      alias: s.record.alias,
      running: s.running,
      walletLocked: network.faults(s.record.pubkey).walletLocked,
      openStreams: s.streams.size,
    })),
    balances: network.ledger.all().map((c) => ({
      chanId: c.chanId,
      active: network.isActive(c),
      fromMsat: c.balanceMsat[0],
      toMsat: c.balanceMsat[1],
      inFlightMsat: c.htlcs.reduce((sum, h) => sum + BigInt(h.amountMsat), 0n).toString(),
    })),
  };
}

export function writeDirectory(path: string, directory: LightningDirectory): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(directory, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}
