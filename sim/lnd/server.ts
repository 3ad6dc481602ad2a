// One simulated node's gRPC face, as lnd serves it: TLS with the node's own self-signed certificate, the RPC
// state check and the macaroon check before every call (rpcperms interceptor), lnrpc.Lightning,
// routerrpc.Router, invoicesrpc.Invoices and the unauthenticated lnrpc.State. Other services (ChainNotifier,
// WalletKit, ...) are not registered, so their calls answer UNIMPLEMENTED.
import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { MacaroonChecker, METHOD_PERMISSIONS } from './auth';
import { bakeForRequest, grantsExactly, rootKeyOf, type BakeRequest } from './bakery';
import { listenError } from '../errors';
import { LndError, lndError } from './errors';
import { ADMIN_PERMISSIONS, bakeMacaroon, DEFAULT_ROOT_KEY_ID, INVOICE_PERMISSIONS, READ_PERMISSIONS, type MacaroonOp } from './macaroons';
import type { Network } from './network';
import { lndServices } from './protos';
import type { RpcContext, ServiceHandlers, StreamHandler, UnaryHandler } from './rpc-context';
import { invoicesHandlers } from './rpc-invoices';
import { lightningHandlers } from './rpc-lightning';
import { routerHandlers } from './rpc-router';
import type { NodeRecord } from './state';
import { StreamRegistry } from './streams';
import { loadOrCreateTlsIdentity, type TlsIdentity } from './tls';

export type MacaroonKind = 'admin' | 'invoice' | 'readonly';
/** lnd's three, or one the node spec's `macaroons` option bakes */
export type MacaroonName = MacaroonKind | (string & {});

const MACAROON_OPS = { admin: ADMIN_PERMISSIONS, invoice: INVOICE_PERMISSIONS, readonly: READ_PERMISSIONS } as const;
const WALLET_LOCKED = 'wallet locked, unlock it to enable full RPC access';

/** lnd's file layout under --lnddir: tls.cert, tls.key and data/chain/bitcoin/regtest/<name>.macaroon */
export function nodePaths(dir: string, alias: string, baked: readonly string[] = []) {
  const lndDir = join(dir, alias);
  const macaroonDir = join(lndDir, 'data', 'chain', 'bitcoin', 'regtest');
  const macaroons: Record<MacaroonKind, string> & Record<string, string> = {
    admin: join(macaroonDir, 'admin.macaroon'),
    invoice: join(macaroonDir, 'invoice.macaroon'),
    readonly: join(macaroonDir, 'readonly.macaroon'),
  };
  for (const name of baked) macaroons[name] = join(macaroonDir, `${name}.macaroon`);
  return { lndDir, certPath: join(lndDir, 'tls.cert'), keyPath: join(lndDir, 'tls.key'), macaroons };
}

function asServiceError(err: unknown): { code: status; details: string } {
  if (err instanceof LndError) return { code: err.grpcCode, details: err.message };
  return { code: status.UNKNOWN, details: (err as Error).message ?? String(err) };
}

/** "127.0.0.1:5000", "[::1]:5000" or "ipv4:..." as grpc-js reports a peer: its address alone. */
function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  return withoutScheme.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
}

export class LndNodeServer {
  readonly streams = new StreamRegistry();
  readonly paths: ReturnType<typeof nodePaths>;
  private server: Server | undefined;
  private readonly tls: TlsIdentity;
  private boundPort = 0;
  private readonly macaroons: MacaroonChecker;

  constructor(
    private readonly network: Network,
    readonly record: NodeRecord,
    dir: string,
    private readonly host: string,
    private readonly requestedPort: number | undefined,
    /** the node spec's own macaroons: name -> the operations they grant */
    private readonly baked: Readonly<Record<string, readonly MacaroonOp[]>> = {},
  ) {
    this.paths = nodePaths(dir, record.alias, Object.keys(baked));
    mkdirSync(join(this.paths.macaroons.admin, '..'), { recursive: true });
    // The certificate is checked by TLS clients against the wall clock, whatever time line the network runs on.
    this.tls = loadOrCreateTlsIdentity(this.paths.certPath, this.paths.keyPath, ['localhost', '127.0.0.1', '::1'], Date.now());
    this.writeMacaroons();
    this.macaroons = new MacaroonChecker((storageId) => rootKeyOf(record, storageId));
  }

  get port(): number {
    return this.boundPort;
  }

  get socket(): string {
    return hostPort(this.host, this.boundPort);
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  certPem(): string {
    return this.tls.certPem;
  }

  macaroonHex(name: MacaroonName): string {
    const path = this.paths.macaroons[name] as string | undefined;
    if (!path) throw new Error(`node ${this.record.alias} has no macaroon '${name}'`);
    return readFileSync(path).toString('hex');
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new Server({
      // lnd's server keepalive (sample-lnd.conf grpc.server-ping-time 1 m, server-ping-timeout 20 s)
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
    });
    const services = lndServices();
    const ctx: RpcContext = { network: this.network, node: this.record };
    const lightning = lightningHandlers(ctx);
    lightning.unary.BakeMacaroon = (req: BakeRequest) =>
      bakeForRequest(this.record, req, (uri) => uri in METHOD_PERMISSIONS, () => this.network.store.touch('nodes', this.record.pubkey));
    server.addService(services.lightning, this.implement(services.lightning, lightning, true));
    server.addService(services.router, this.implement(services.router, routerHandlers(ctx), true));
    server.addService(services.invoices, this.implement(services.invoices, invoicesHandlers(ctx), true));
    server.addService(services.state, this.implement(services.state, this.stateHandlers(), false));
    const credentials = ServerCredentials.createSsl(null, [{ private_key: Buffer.from(this.tls.keyPem), cert_chain: Buffer.from(this.tls.certPem) }], false);
    const wanted = this.requestedPort ?? this.record.port;
    let port: number;
    try {
      port = await bind(server, hostPort(this.host, wanted), credentials);
    } catch (err) {
      // the port of the last run is only a preference; an explicitly requested one is not
      if (this.requestedPort !== undefined || wanted === 0) throw this.listenFailure(err as Error, wanted);
      port = await bind(server, hostPort(this.host, 0), credentials).catch((e: Error) => Promise.reject(this.listenFailure(e, 0)));
    }
    this.server = server;
    this.boundPort = port;
    if (this.record.port !== port) {
      this.record.port = port;
      this.network.store.touch('nodes', this.record.pubkey);
    }
  }

  /** grpc-js reports "No address added ... [listen EADDRINUSE: ...]": as the simulator's other faces do. */
  private listenFailure(err: Error, port: number): Error {
    const code = /EADDRINUSE/.test(err.message) ? 'EADDRINUSE' : undefined;
    return listenError(Object.assign(new Error(err.message), { code }), `LND gRPC (${this.record.alias})`, this.host, port);
  }

  /** Closes at once: open streams and calls are cut, as when lnd's process stops. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.streams.dropAll();
    server.forceShutdown();
  }

  /** The node's macaroons under its root key, baked again when missing, or no longer what they should be. */
  private writeMacaroons(): void {
    const rootKey = Buffer.from(this.record.macaroonRootKey, 'hex');
    const wanted: Record<string, readonly MacaroonOp[]> = { ...MACAROON_OPS, ...this.baked };
    for (const [name, ops] of Object.entries(wanted)) {
      const path = this.paths.macaroons[name];
      if (existsSync(path) && grantsExactly(readFileSync(path), rootKey, ops)) continue;
      // lnd writes admin.macaroon 0600 and the others 0644
      writeFileSync(path, bakeMacaroon(rootKey, ops, DEFAULT_ROOT_KEY_ID), { mode: name === 'admin' ? 0o600 : 0o644 });
    }
  }

  private gate(fullMethod: string, metadata: { get(key: string): unknown[] }, peer: string, authenticated: boolean): void {
    if (!authenticated) return;
    if (this.network.faults(this.record.pubkey).walletLocked) throw lndError(WALLET_LOCKED);
    // HTTP/2 joins repeated headers with ", " and grpc-js hands them over joined; grpc-go (lnd) sees each value
    const values = metadata.get('macaroon').flatMap((v) => String(v).split(/,\s*/));
    this.macaroons.check(values, METHOD_PERMISSIONS[fullMethod], fullMethod, { nowMs: Date.now(), peerIp: peerAddress(peer) });
  }

  private implement(definition: ServiceDefinition, handlers: ServiceHandlers, authenticated: boolean): UntypedServiceImplementation {
    const impl: UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(definition)) {
      const unary = handlers.unary[name] as UnaryHandler | undefined;
      const stream = handlers.streams[name] as StreamHandler | undefined;
      if (authenticated && (unary || stream) && !METHOD_PERMISSIONS[method.path]) {
        throw new Error(`${method.path} is served without an entry in METHOD_PERMISSIONS`);
      }
      if (unary) {
        impl[name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          new Promise((resolve) => {
            this.gate(method.path, call.metadata, call.getPeer(), authenticated);
            resolve(unary(call.request));
          }).then(
            (response) => callback(null, response),
            (err: unknown) => callback(asServiceError(err)),
          );
        };
      } else if (stream) {
        impl[name] = (call: ServerWritableStream<unknown, unknown>) => {
          const sink = this.streams.add(call);
          try {
            this.gate(method.path, call.metadata, call.getPeer(), authenticated);
            stream(call.request, sink);
          } catch (err) {
            const { code, details } = asServiceError(err);
            sink.fail({ grpcCode: code, message: details });
          }
        };
      }
    }
    return impl;
  }

  private stateHandlers(): ServiceHandlers {
    const state = () => (this.network.faults(this.record.pubkey).walletLocked ? 'LOCKED' : 'SERVER_ACTIVE');
    return {
      unary: { GetState: () => ({ state: state() }) },
      streams: { SubscribeState: (_req, sink) => sink.send({ state: state() }) },
    };
  }
}

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
}
