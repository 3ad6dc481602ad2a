// A flow of a pay-stream (the buyer) and a pay-gate (the seller), each on its own flaregrid-lnd node, against
// the LND simulator through ln-service's real gRPC client, on the real Node-RED runtime with a FakeClock shared
// by the nodes and the simulator. The gate's invoices are wired straight into the stream, as MQTT would carry
// them between sites; both get the buyer meter's readings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Trade } from '../../../lib/schemas/market';
import type { MeterReading } from '../../../lib/schemas/metering';
import { startLightningNetwork, type LightningNetwork } from '../../../sim/lnd';
import { FakeClock, settle } from '../../support/fake-clock';

const lndNode = require('../../../nodes/flaregrid-lnd/flaregrid-lnd');
const streamNode = require('../../../nodes/flaregrid-pay-stream/flaregrid-pay-stream');
const gateNode = require('../../../nodes/flaregrid-pay-gate/flaregrid-pay-gate');
const runtimeEvents = require('@node-red/util').events;

export const NODES = [lndNode, streamNode, gateNode];

export interface Msg {
  topic?: string;
  payload: any;
  error?: { message: string };
}

export interface FlowOptions {
  streamMode?: string;
  gateMode?: string;
  caps?: Partial<Record<string, number>>;
  /** the buyer's macaroon: admin, lnd's invoice or readonly, a baked one (PAYER, PAYEE), forged (one bit changed) or none */
  buyerMacaroon?: string;
  /** the seller's: admin unless told */
  sellerMacaroon?: string;
  stream?: Record<string, unknown>;
  gate?: Record<string, unknown> | false;
}

/** baked on both nodes: the send-only macaroon of the payer and the payee's receive-and-sign one (docs/payments.md) */
export const PAYER = ['offchain:read', 'offchain:write', 'info:read'];
export const PAYEE = ['invoices:read', 'invoices:write', 'message:write', 'info:read'];
const BAKED = { payer: PAYER, payee: PAYEE };

const OPEN_CAPS = { perPaymentMsat: 10 ** 12, perTradeMsat: 10 ** 12, perHourMsat: 10 ** 12, perDayMsat: 10 ** 12, maxFeeMsat: 10_000, maxFeePpm: 10_000 };

export class PayFlow {
  readonly clock = new FakeClock(Date.now());
  /** the trades' delivery start: a second from now */
  readonly t0 = this.clock.nowMs() + 1000;
  readonly dir = mkdtempSync(join(tmpdir(), 'flaregrid-payflow-'));
  readonly got = new Map<string, Msg[]>();
  readonly statuses = new Map<string, string[]>();
  net!: LightningNetwork;
  counterWh = 10_000;
  private readonly onStatus = (event: { id: string; status?: { fill?: string; text?: string } }) => {
    if (!event.status) return;
    const list = this.statuses.get(event.id) ?? [];
    list.push(`${event.status.fill ?? ''} ${event.status.text ?? ''}`.trim());
    this.statuses.set(event.id, list);
  };

  async start(options: FlowOptions = {}): Promise<void> {
    this.net = await startLightningNetwork({
      dir: join(this.dir, 'lightning'),
      clock: this.clock,
      nodes: [{ alias: 'buyer', macaroons: BAKED }, { alias: 'seller', acceptsKeysend: true, macaroons: BAKED }],
      channels: [{ from: 'buyer', to: 'seller', capacitySat: 5_000_000 }],
    });
    runtimeEvents.on('node-status', this.onStatus);
    helper.settings({ userDir: join(this.dir, 'red'), flaregrid: { clock: this.clock } });
    const buyer = this.net.node('buyer').lndOptions('admin');
    const seller = this.net.node('seller').lndOptions(options.sellerMacaroon ?? 'admin');
    const macaroon =
      options.buyerMacaroon === 'none'
        ? ''
        : options.buyerMacaroon === 'forged'
          ? buyer.macaroon.slice(0, -2) + (buyer.macaroon.endsWith('00') ? '01' : '00')
          : this.net.node('buyer').macaroon(options.buyerMacaroon ?? 'admin');
    const lnd = (id: string, socket: string) => ({ id, type: 'flaregrid-lnd', socket, ...OPEN_CAPS, ...options.caps, paymentTimeoutS: 10, callTimeoutS: 5 });
    const flow: Record<string, unknown>[] = [
      { id: 'tab', type: 'tab', label: 'payments' },
      lnd('lnd-buyer', buyer.socket),
      lnd('lnd-seller', seller.socket),
      {
        id: 'stream',
        type: 'flaregrid-pay-stream',
        z: 'tab',
        lnd: 'lnd-buyer',
        buyer: 'prosumer-a',
        meterId: 'meter-a',
        mode: options.streamMode ?? 'keysend',
        stepWh: 100,
        stepS: 60,
        toleranceWh: 5,
        minPaymentMsat: 1000,
        closeAfterS: 30,
        giveUpAfterS: 600,
        wires: [['receipts']],
        ...options.stream,
      },
      { id: 'receipts', type: 'helper', z: 'tab' },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ];
    if (options.gate !== false) {
      flow.push(
        {
          id: 'gate',
          type: 'flaregrid-pay-gate',
          z: 'tab',
          lnd: 'lnd-seller',
          seller: 'genset-co',
          buyerMeters: 'prosumer-a=meter-a',
          mode: options.gateMode ?? 'keysend',
          creditWh: 300,
          creditMsat: 30_000,
          warnPct: 50,
          restorePct: 20,
          graceS: 5,
          stepWh: 100,
          stepS: 60,
          invoiceExpiryS: 20,
          closeAfterS: 30,
          giveUpAfterS: 600,
          wires: [['cut'], ['warn'], ['gateReceipts'], ['stream', 'invoices']],
          ...options.gate,
        },
        { id: 'cut', type: 'helper', z: 'tab' },
        { id: 'warn', type: 'helper', z: 'tab' },
        { id: 'gateReceipts', type: 'helper', z: 'tab' },
        { id: 'invoices', type: 'helper', z: 'tab' },
      );
    }
    await helper.load(NODES, flow, {
      'lnd-buyer': { cert: this.net.node('buyer').certPem(), macaroon },
      'lnd-seller': { cert: this.net.node('seller').certPem(), macaroon: seller.macaroon },
    });
    for (const id of ['receipts', 'caught', 'cut', 'warn', 'gateReceipts', 'invoices']) {
      const node = helper.getNode(id);
      if (!node) continue;
      this.got.set(id, []);
      node.on('input', (msg: Msg) => this.got.get(id)!.push(msg));
    }
    if (options.buyerMacaroon !== 'forged' && options.buyerMacaroon !== 'none') await this.connected('stream');
    if (options.gate !== false) await this.connected('gate');
  }

  msgs(id: string): Msg[] {
    return this.got.get(id) ?? [];
  }

  lastStatus(id: string): string | undefined {
    return this.statuses.get(id)?.at(-1);
  }

  trade(over: Partial<Trade> = {}): Trade {
    return {
      type: 'trade',
      id: 'm1:slot-1:1',
      market: 'm1',
      buyOrderId: 'b-1',
      sellOrderId: 's-1',
      buyer: 'prosumer-a',
      seller: 'genset-co',
      payTo: this.net.node('seller').pubkey,
      quantityWh: 1000,
      priceMsatPerKwh: 90_123,
      feeMsatPerKwh: 1_001,
      deliveryStart: new Date(this.t0).toISOString(),
      deliveryEnd: new Date(this.t0 + 15 * 60_000).toISOString(),
      matchedAt: new Date(this.t0 - 60_000).toISOString(),
      mode: 'continuous',
      ...over,
    };
  }

  reading(counterWh: number, atMs: number, over: Partial<MeterReading> = {}): MeterReading {
    return { site: 'well-7', meterId: 'meter-a', role: 'prosumer', ts: new Date(atMs).toISOString(), powerW: -36_000, energyInWh: 0, energyOutWh: counterWh, quality: 'good', ...over };
  }

  /** Sends msg to the stream and, when there is one, the gate. */
  both(payload: unknown): void {
    helper.getNode('stream').receive({ payload });
    helper.getNode('gate')?.receive({ payload });
  }

  /** Starts a trade on both sides, with a first reading before its window. */
  async open(trade: Trade = this.trade()): Promise<Trade> {
    this.both(trade);
    this.both(this.reading(this.counterWh, this.t0 - 500));
    await this.wait(50);
    return trade;
  }

  /** The buyer draws whPerS every second from second fromS to toS of the window, read once a second. */
  async deliver(fromS: number, toS: number, whPerS = 10): Promise<void> {
    for (let s = fromS; s <= toS; s++) {
      await this.clock.advanceAsync(this.t0 + s * 1000 - this.clock.nowMs(), 1000);
      this.counterWh += whPerS;
      this.both(this.reading(this.counterWh, this.t0 + s * 1000));
      await this.wait(15);
    }
  }

  /** Lets the clock run to t0 + atS with a little wall time per second for gRPC and fsync. */
  async runTo(atS: number): Promise<void> {
    while (this.clock.nowMs() < this.t0 + atS * 1000) {
      await this.clock.advanceAsync(Math.min(1000, this.t0 + atS * 1000 - this.clock.nowMs()), 1000);
      await this.wait(5);
    }
  }

  /** Waits until `id` shows neither connecting nor retrying; the clock moves only for a retry's back-off. */
  async connected(id: string): Promise<void> {
    const pending = () => /connecting|retrying|opening/.test(this.lastStatus(id) ?? 'connecting');
    for (let i = 0; i < 300 && pending(); i++) {
      if (/retrying/.test(this.lastStatus(id) ?? '')) await this.clock.advanceAsync(1000, 1000);
      await this.wait(20);
    }
    if (pending()) throw new Error(`${id} did not connect: ${this.lastStatus(id)}`);
  }

  async wait(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await settle();
  }

  /** Waits in wall time (the clock standing still) until cond holds; fails after 10 s. */
  async until(cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 500 && !cond(); i++) await this.wait(20);
    if (!cond()) throw new Error(`timed out waiting until ${what}`);
  }

  async stop(): Promise<void> {
    await helper.unload();
    runtimeEvents.removeListener('node-status', this.onStatus);
    helper.settings({});
    await this.net?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
