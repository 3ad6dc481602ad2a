// The LND-compatible simulator's one entry point: a network of simulated Lightning nodes, each with its own gRPC
// server (own socket, TLS identity and macaroons, as real nodes have), over shared in-process state (channels,
// HTLCs, invoices, payments) that is kept on disk across restarts. Any LND client connects to a node from the
// paths in `directory()` / lightning.json; ln-service's does with `node.lndOptions()`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { wallClock, type Clock } from '../../lib/clock';
import { SimError } from '../errors';
import { buildDirectory, buildTruth, writeDirectory, type LightningDirectory, type LightningTruth } from './directory';
import { Network, NO_FAULTS, type LightningChannelSpec, type LightningNodeSpec, type NodeFaults } from './network';
import { METHOD_PERMISSIONS } from './auth';
import { checkedPermissions, parsePermission } from './bakery';
import type { MacaroonOp } from './macaroons';
import { LndNodeServer, type MacaroonKind, type MacaroonName } from './server';

export type { LightningChannelSpec, LightningNodeSpec, NodeFaults } from './network';
export type { DirectoryChannel, DirectoryNode, LightningDirectory, LightningTruth } from './directory';
export type { MacaroonKind, MacaroonName } from './server';

export interface LightningNetworkOptions {
  /** the network's data directory: state, lightning.json and one lnd-style directory per node */
  dir: string;
  nodes: readonly LightningNodeSpec[];
  channels?: readonly LightningChannelSpec[];
  /** address every node binds; default 127.0.0.1 */
  host?: string;
  /** time line of invoice expiry, block height, slowed payments; default wall time */
  clock?: Clock;
  /** clock ms per block; default 600,000 (10 min) */
  blockIntervalMs?: number;
  /** height at the first start; default 100 */
  startHeight?: number;
}

/** What ln-service's authenticatedLndGrpc takes: cert as base64 of the PEM, macaroon as hex. */
export interface LndGrpcOptions {
  cert: string;
  macaroon: string;
  socket: string;
}

export interface SimulatedLnd {
  readonly alias: string;
  readonly pubkey: string;
  /** host:port */
  readonly socket: string;
  readonly port: number;
  readonly lndDir: string;
  readonly certPath: string;
  /** macaroon file paths: admin, invoice, readonly and the node spec's own */
  readonly macaroons: Readonly<Record<MacaroonKind, string> & Record<string, string>>;
  readonly running: boolean;
  readonly faults: Readonly<NodeFaults>;
  /** the TLS certificate, PEM */
  certPem(): string;
  /** a macaroon file's bytes, hex */
  macaroon(name?: MacaroonName): string;
  lndOptions(name?: MacaroonName): LndGrpcOptions;
  /** Switches faults on or off; the patch is merged into the current faults. */
  setFaults(patch: Partial<NodeFaults>): Promise<void>;
  /** Ends every open stream of this node with UNAVAILABLE, as a dropped connection does. */
  dropStreams(): void;
  openStreams(): number;
  /** the node's process stops: connections refused, its channels inactive; state kept */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface LightningNetwork {
  readonly nodes: readonly SimulatedLnd[];
  node(alias: string): SimulatedLnd;
  /** <dir>/lightning.json */
  readonly directoryFile: string;
  directory(): LightningDirectory;
  /** the directory plus what no client can see: channel balances on both sides, HTLCs in flight, node states */
  truth(): LightningTruth;
  blockHeight(): number;
  /** resolves when every change so far is durable on disk */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const MACAROON_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A node spec's `macaroons`, checked as BakeMacaroon checks a request: name -> operations. */
function bakedMacaroons(spec: LightningNodeSpec): Record<string, MacaroonOp[]> {
  const baked: Record<string, MacaroonOp[]> = {};
  for (const [name, permissions] of Object.entries(spec.macaroons ?? {})) {
    const where = `node '${spec.alias}' macaroon '${name}'`;
    if (!MACAROON_NAME.test(name) || ['admin', 'invoice', 'readonly'].includes(name)) {
      throw new SimError('ERR_OPTION', `${where}: a name is 1 … 64 letters, digits, '_' or '-', other than admin, invoice and readonly`);
    }
    try {
      baked[name] = checkedPermissions(permissions.map(parsePermission), (uri) => uri in METHOD_PERMISSIONS);
    } catch (err) {
      throw new SimError('ERR_OPTION', `${where}: ${(err as Error).message}`);
    }
  }
  return baked;
}

export async function startLightningNetwork(options: LightningNetworkOptions): Promise<LightningNetwork> {
  const host = options.host ?? '127.0.0.1';
  if (options.nodes.length === 0) throw new SimError('ERR_OPTION', 'a Lightning network needs at least one node');
  const aliases = new Set<string>();
  for (const { alias } of options.nodes) {
    if (!ALIAS.test(alias)) throw new SimError('ERR_OPTION', `node alias '${alias}' must be 1 … 32 letters, digits, '.', '_' or '-'`);
    if (aliases.has(alias)) throw new SimError('ERR_OPTION', `node alias '${alias}' is given twice`);
    aliases.add(alias);
  }
  const baked = new Map(options.nodes.map((spec) => [spec.alias, bakedMacaroons(spec)]));
  mkdirSync(options.dir, { recursive: true });
  const network = await Network.open({ ...options, clock: options.clock ?? wallClock });
  const directoryFile = join(options.dir, 'lightning.json');
  const servers = options.nodes.map((spec) => new LndNodeServer(network, network.nodeByAlias(spec.alias)!, options.dir, host, spec.port, baked.get(spec.alias)));
  // a node of an earlier run that these options leave out has no server: it is down, and so are its channels
  for (const record of Object.values(network.state.nodes)) {
    if (!aliases.has(record.alias)) network.setFaults(record.pubkey, { ...NO_FAULTS, offline: true });
  }
  const publish = () => writeDirectory(directoryFile, buildDirectory(network, servers));
  try {
    for (const server of servers) await server.start();
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    await network.close();
    throw err;
  }
  publish();

  const nodes = servers.map((server) => simulatedNode(network, server, publish));
  return {
    nodes,
    node: (alias) => {
      const node = nodes.find((n) => n.alias === alias);
      if (!node) throw new SimError('ERR_OPTION', `no simulated node '${alias}'`);
      return node;
    },
    directoryFile,
    directory: () => buildDirectory(network, servers),
    truth: () => buildTruth(network, servers),
    blockHeight: () => network.height(),
    flush: () => network.store.flush(),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await network.close();
    },
  };
}

function simulatedNode(network: Network, server: LndNodeServer, publish: () => void): SimulatedLnd {
  const { record, paths } = server;
  const faults = () => network.faults(record.pubkey);
  const start = async () => {
    network.setFaults(record.pubkey, { ...faults(), offline: false });
    await server.start();
    publish();
  };
  const stop = async () => {
    network.setFaults(record.pubkey, { ...faults(), offline: true });
    await server.stop();
  };
  const node: SimulatedLnd = {
    alias: record.alias,
    pubkey: record.pubkey,
    get socket() {
      return server.socket;
    },
    get port() {
      return server.port;
    },
    lndDir: paths.lndDir,
    certPath: paths.certPath,
    macaroons: paths.macaroons,
    get running() {
      return server.running;
    },
    get faults() {
      return faults();
    },
    certPem: () => server.certPem(),
    macaroon: (name = 'admin') => server.macaroonHex(name),
    lndOptions: (name = 'admin') => ({ cert: Buffer.from(server.certPem()).toString('base64'), macaroon: server.macaroonHex(name), socket: server.socket }),
    setFaults: async (patch) => {
      const before = faults();
      const next: NodeFaults = { ...NO_FAULTS, ...before, ...patch };
      if (next.offline && !before.offline) await stop();
      if (!next.offline && before.offline) await start();
      if (next.walletLocked && !before.walletLocked) server.streams.dropAll();
      server.streams.stall(next.stallStreams);
      network.setFaults(record.pubkey, next);
    },
    dropStreams: () => server.streams.dropAll(),
    openStreams: () => server.streams.size,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
  };
  return node;
}
