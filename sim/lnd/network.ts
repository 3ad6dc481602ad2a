// The shared in-process state of every simulated node: identities, channels, invoices, payments, the chain
// height, the faults a test switched on, and the events the RPC streams follow. Each node's gRPC server
// (server.ts) is only a face on it, as a real LND is a face on its own databases.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../../lib/clock';
import { SimError } from '../errors';
import { decodePaymentRequest, INVOICE_FEATURE_BITS, type DecodedPaymentRequest } from './bolt11';
import { Chain } from './chain';
import { ChannelLedger } from './channels';
import { Deadlines } from './deadlines';
import { InvoiceRegistry, type InvoiceChange } from './invoices';
import { newPrivateKey, publicKeyOf } from './keys';
import { PaymentEngine, type PayerFaults } from './payments';
import type { ChannelRecord, InvoiceRecord, NetworkState, NodeRecord, PaymentRecord } from './state';
import { StateStore } from './store';

export interface LightningNodeSpec {
  alias: string;
  /** lnd --accept-keysend */
  acceptsKeysend?: boolean;
  /** gRPC port; default the port of the last run, else any free one */
  port?: number;
  /** '#rrggbb' */
  color?: string;
  /**
   * More macaroons to write at start, as `lncli bakemacaroon` bakes them: name -> entity:action permissions,
   * written as `<name>.macaroon` beside admin.macaroon (e.g. `{ payer: ['offchain:read', 'offchain:write', 'info:read'] }`)
   */
  macaroons?: Readonly<Record<string, readonly string[]>>;
}

export interface LightningChannelSpec {
  /** alias of the opener */
  from: string;
  to: string;
  capacitySat: number;
  /** the opener's balance; the rest is the peer's (LND's push amount). Default: all of it. */
  localSat?: number;
  /** what each end charges to forward over this channel (lnd defaults: 1000 msat + 1 ppm) */
  feeBaseMsat?: number;
  feePpm?: number;
  /** what `to` charges, when it differs */
  toFeeBaseMsat?: number;
  toFeePpm?: number;
  /** time_lock_delta, default 80 */
  cltvDelta?: number;
  /** smallest HTLC either end forwards, default 1000 msat (lnd --bitcoin.minhtlc) */
  minHtlcMsat?: number;
  /** each side's channel reserve; default 1% of the capacity, at least the 354 sat dust limit */
  reserveSat?: number;
}

export interface NodeFaults extends PayerFaults {
  /** the gRPC server is down: connections are refused (UNAVAILABLE), its channels inactive */
  offline: boolean;
  /** every call answers "wallet locked, unlock it to enable full RPC access"; its channels inactive */
  walletLocked: boolean;
  /** streams open now, and any opened while this is on, go silent (a half-open link) */
  stallStreams: boolean;
  /**
   * a SendPaymentV2 stream whose payment succeeds is cut with UNAVAILABLE instead of its terminal update: the
   * payment settled at the payee, the payer's client never heard (TrackPaymentV2 tells)
   */
  dropPaymentStreamAfterSettle: boolean;
}

export const NO_FAULTS: Readonly<NodeFaults> = Object.freeze({
  offline: false,
  walletLocked: false,
  noRoute: false,
  insufficientBalance: false,
  pathfindingTimeout: false,
  paymentDelayMs: 0,
  holdHtlcs: false,
  stallStreams: false,
  dropPaymentStreamAfterSettle: false,
});

export interface NetworkEvents {
  invoice: [invoice: InvoiceRecord, change: InvoiceChange];
  payment: [payment: PaymentRecord];
}

export interface NetworkOptions {
  dir: string;
  nodes: readonly LightningNodeSpec[];
  channels?: readonly LightningChannelSpec[];
  clock: Clock;
  blockIntervalMs?: number;
  startHeight?: number;
}

const COLORS = ['#3399ff', '#ff9900', '#33cc66', '#cc3366', '#9966ff', '#00b3b3'];

export class Network {
  readonly events = new EventEmitter<NetworkEvents>();
  readonly chain: Chain;
  readonly ledger: ChannelLedger;
  readonly invoices: InvoiceRegistry;
  readonly payments: PaymentEngine;
  private readonly deadlines: Deadlines;
  private readonly faultsByNode = new Map<string, NodeFaults>();

  private constructor(
    readonly store: StateStore,
    readonly clock: Clock,
    blockIntervalMs: number,
  ) {
    this.events.setMaxListeners(0);
    const { state } = store;
    this.chain = new Chain(state.genesisMs, state.startHeight, blockIntervalMs);
    this.deadlines = new Deadlines(clock);
    this.ledger = new ChannelLedger(store);
    this.invoices = new InvoiceRegistry({
      store,
      chain: this.chain,
      clock,
      deadlines: this.deadlines,
      notify: (invoice, change) => this.events.emit('invoice', invoice, change),
      resolveHeld: (htlc, invoice, preimage) => this.payments.resolveHeld(htlc, invoice, preimage),
    });
    this.payments = new PaymentEngine({
      store,
      ledger: this.ledger,
      registry: this.invoices,
      chain: this.chain,
      clock,
      deadlines: this.deadlines,
      faults: (pubkey) => this.faults(pubkey),
      isActive: (channel) => this.isActive(channel),
      notify: (payment) => this.events.emit('payment', payment),
    });
  }

  static async open(options: NetworkOptions): Promise<Network> {
    const startHeight = options.startHeight ?? 100;
    const store = await StateStore.open(options.dir, () => ({
      version: 1,
      genesisMs: options.clock.nowMs(),
      startHeight,
      nodes: {},
      channels: {},
      invoices: {},
      payments: {},
    } satisfies NetworkState));
    const network = new Network(store, options.clock, options.blockIntervalMs ?? 600_000);
    try {
      for (const [i, spec] of options.nodes.entries()) network.ensureNode(spec, i);
      network.ensureChannels(options.channels ?? []);
    } catch (err) {
      await network.close();
      throw err;
    }
    network.invoices.restore();
    network.payments.restore();
    return network;
  }

  get state(): NetworkState {
    return this.store.state;
  }

  height(): number {
    return this.chain.heightAt(this.clock.nowMs());
  }

  node(pubkey: string): NodeRecord {
    return this.state.nodes[pubkey];
  }

  nodeByAlias(alias: string): NodeRecord | undefined {
    return Object.values(this.state.nodes).find((n) => n.alias === alias);
  }

  /**
   * A BOLT 11 request's fields; for a request one of these nodes made, from its invoice (it signed it, so the
   * signature check and key recovery a foreign request needs are skipped: they were most of a payment's cost).
   */
  decodePaymentRequest(request: string): DecodedPaymentRequest {
    const known = this.invoices.byPaymentRequest(request);
    if (!known) return decodePaymentRequest(request);
    return {
      destination: known.node,
      paymentHash: known.paymentHash,
      paymentAddr: known.paymentAddr,
      valueMsat: BigInt(known.valueMsat),
      createdAtSec: known.creationDateSec,
      expirySec: known.expirySec,
      cltvExpiry: known.cltvExpiry,
      description: known.descriptionHash ? '' : known.memo,
      descriptionHash: known.descriptionHash,
      features: [...INVOICE_FEATURE_BITS],
      network: 'regtest',
    };
  }

  faults(pubkey: string): NodeFaults {
    return this.faultsByNode.get(pubkey) ?? NO_FAULTS;
  }

  setFaults(pubkey: string, faults: NodeFaults): void {
    const before = this.faults(pubkey);
    const wasUp = this.isUp(pubkey);
    this.faultsByNode.set(pubkey, faults);
    if (before.holdHtlcs && !faults.holdHtlcs) this.payments.releaseParked(pubkey);
    if (!wasUp && this.isUp(pubkey)) this.payments.linksUp();
  }

  /** A node takes part in routing while its server runs and its wallet is unlocked. */
  isUp(pubkey: string): boolean {
    const f = this.faults(pubkey);
    return !f.offline && !f.walletLocked;
  }

  isActive(channel: ChannelRecord): boolean {
    return this.isUp(channel.nodes[0]) && this.isUp(channel.nodes[1]);
  }

  async close(): Promise<void> {
    this.deadlines.stop();
    this.events.removeAllListeners();
    await this.store.close();
  }

  private ensureNode(spec: LightningNodeSpec, ordinal: number): void {
    const existing = this.nodeByAlias(spec.alias);
    if (existing) {
      existing.acceptsKeysend = spec.acceptsKeysend ?? false;
      if (spec.color) existing.color = spec.color;
      this.store.touch('nodes', existing.pubkey);
      return;
    }
    const privateKey = newPrivateKey();
    const pubkey = publicKeyOf(privateKey).toString('hex');
    this.state.nodes[pubkey] = {
      alias: spec.alias,
      color: spec.color ?? COLORS[ordinal % COLORS.length],
      pubkey,
      privateKey: privateKey.toString('hex'),
      macaroonRootKey: randomBytes(32).toString('hex'),
      acceptsKeysend: spec.acceptsKeysend ?? false,
      port: spec.port ?? 0,
      addIndex: 0,
      settleIndex: 0,
      paymentIndex: 0,
      attemptIndex: 0,
    };
    this.store.touch('nodes', pubkey);
  }

  /** Opens the channels of `specs` that the state does not have yet (matched by from, to and ordinal). */
  private ensureChannels(specs: readonly LightningChannelSpec[]): void {
    const seen = new Map<string, number>();
    for (const spec of specs) {
      const pair = `${spec.from}>${spec.to}`;
      const n = (seen.get(pair) ?? 0) + 1;
      seen.set(pair, n);
      const specKey = `${pair}#${n}`;
      if (this.ledger.all().some((c) => c.specKey === specKey)) continue;
      this.openChannel(spec, specKey);
    }
  }

  private openChannel(spec: LightningChannelSpec, specKey: string): void {
    const from = this.nodeByAlias(spec.from);
    const to = this.nodeByAlias(spec.to);
    if (!from || !to) throw new SimError('ERR_OPTION', `channel ${specKey}: no node '${!from ? spec.from : spec.to}'`);
    if (from === to) throw new SimError('ERR_OPTION', `channel ${specKey}: a channel needs two different nodes`);
    const capacity = BigInt(spec.capacitySat);
    const local = BigInt(spec.localSat ?? spec.capacitySat);
    if (capacity <= 0n || local < 0n || local > capacity) throw new SimError('ERR_OPTION', `channel ${specKey}: localSat must be 0 … capacitySat`);
    const fundingHeight = this.state.startHeight - 6;
    const txIndex = BigInt(this.ledger.all().length + 1);
    const chanId = ((BigInt(fundingHeight) << 40n) | (txIndex << 16n)).toString();
    const policy = (feeBaseMsat: number | undefined, feePpm: number | undefined) => ({
      feeBaseMsat: String(feeBaseMsat ?? spec.feeBaseMsat ?? 1000),
      feePpm: feePpm ?? spec.feePpm ?? 1,
      cltvDelta: spec.cltvDelta ?? 80,
      minHtlcMsat: String(spec.minHtlcMsat ?? 1000),
    });
    const reserve = spec.reserveSat ?? Math.max(Math.floor(spec.capacitySat / 100), 354);
    this.state.channels[chanId] = {
      specKey,
      chanId,
      channelPoint: `${randomBytes(32).toString('hex')}:0`,
      capacitySat: capacity.toString(),
      nodes: [from.pubkey, to.pubkey],
      balanceMsat: [(local * 1000n).toString(), ((capacity - local) * 1000n).toString()],
      policy: [policy(undefined, undefined), policy(spec.toFeeBaseMsat, spec.toFeePpm)],
      reserveSat: String(reserve),
      pushSat: (capacity - local).toString(),
      sentMsat: ['0', '0'],
      numUpdates: 0,
      nextHtlcIndex: 0,
      htlcs: [],
      openedAtSec: Math.floor(this.chain.timeOfHeight(fundingHeight) / 1000),
    };
    this.store.touch('channels', chanId);
  }
}
