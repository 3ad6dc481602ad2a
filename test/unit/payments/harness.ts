// Drivers on a FakeNetwork and a FakeClock, journals in a temp dir: the payer's stream and the payee's gate as
// the nodes run them, without Node-RED or gRPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpendingGuard, type SpendingCaps } from '../../../lib/payments/caps';
import { GateDriver, type GateDriverOptions } from '../../../lib/payments/gate-driver';
import type { GateSettings } from '../../../lib/payments/gate';
import { StreamDriver, type StreamDriverOptions } from '../../../lib/payments/stream-driver';
import type { StreamSettings } from '../../../lib/payments/stream';
import type { CutOff, Invoice, Receipt } from '../../../lib/schemas/payments';
import { FakeClock, settle } from '../../support/fake-clock';
import { FakeNetwork, type FakeNode } from '../../support/fake-lightning';
import type { Trade } from '../../../lib/schemas/market';
import { T0, trade } from './fixtures';

export const OPEN_CAPS: SpendingCaps = {
  perPaymentMsat: 10 ** 12,
  perTradeMsat: 10 ** 12,
  perHourMsat: 10 ** 12,
  perDayMsat: 10 ** 12,
  maxFeeMsat: 1000,
  maxFeePpm: 10_000,
};

export class Harness {
  readonly clock = new FakeClock(T0 - 1000);
  readonly network = new FakeNetwork();
  readonly buyerNode: FakeNode = this.network.node('buyer');
  readonly sellerNode: FakeNode = this.network.node('seller');
  readonly root = mkdtempSync(join(tmpdir(), 'flaregrid-payments-'));
  readonly receipts: Receipt[] = [];
  readonly gateReceipts: Receipt[] = [];
  readonly decisions: CutOff[] = [];
  readonly invoices: Invoice[] = [];
  readonly problems: Error[] = [];
  guard: SpendingGuard;
  stream?: StreamDriver;
  gate?: GateDriver;

  constructor(caps: SpendingCaps = OPEN_CAPS) {
    this.guard = new SpendingGuard(caps);
  }

  /** a trade paid to this harness's seller node */
  trade(over: Partial<Trade> = {}): Trade {
    return trade({ payTo: this.sellerNode.pubkey, ...over });
  }

  async openStream(settings: StreamSettings, over: Partial<StreamDriverOptions> = {}): Promise<StreamDriver> {
    this.stream = await StreamDriver.open({
      dir: join(this.root, 'stream'),
      streamId: 'stream-1',
      buyer: 'prosumer-a',
      meterId: 'meter-a',
      settings,
      clock: this.clock,
      guard: this.guard,
      backend: async () => this.buyerNode,
      paymentTimeoutMs: 5000,
      lookupTimeoutMs: 2000,
      retry: { initialMs: 1000, maxMs: 4000, jitter: 0 },
      tickMs: 1000,
      onReceipt: (r) => this.receipts.push(r),
      onChange: () => undefined,
      onProblem: (err) => this.problems.push(err),
      // the invoices of the gate reach the stream as they would over MQTT
      ...over,
    });
    return this.stream;
  }

  async openGate(settings: GateSettings, over: Partial<GateDriverOptions> = {}): Promise<GateDriver> {
    this.gate = await GateDriver.open({
      dir: join(this.root, 'gate'),
      seller: 'genset-co',
      settings,
      buyerMeters: new Map([['prosumer-a', 'meter-a']]),
      clock: this.clock,
      backend: async () => this.sellerNode,
      callTimeoutMs: 2000,
      retry: { initialMs: 1000, maxMs: 4000, jitter: 0 },
      tickMs: 1000,
      onDecision: (d) => this.decisions.push(d),
      onReceipt: (r) => this.gateReceipts.push(r),
      onInvoice: (invoice) => {
        this.invoices.push(invoice);
        void this.stream?.admitInvoice(invoice).catch((err) => this.problems.push(err));
      },
      onChange: () => undefined,
      onProblem: (err) => this.problems.push(err),
      ...over,
    });
    return this.gate;
  }

  /**
   * Lets the drivers' work finish while the clock stands still: their promise chains, and every journal write
   * they start made durable (real fsyncs, awaited, not guessed at with a sleep), until a pass starts no new write.
   */
  async flush(): Promise<void> {
    let last: string | undefined;
    for (let pass = 0; pass < 200; pass++) {
      for (let j = 0; j < 5; j++) await settle();
      const seqs = (await Promise.all([this.stream?.whenDurable(), this.gate?.whenDurable()])).join();
      if (seqs === last) return;
      last = seqs;
    }
    throw new Error('the drivers kept writing: no quiet point to move the clock on from');
  }

  /** Moves the clock on by ms in steps of stepMs, flushing the drivers' work (and their fsyncs) after each. */
  async advance(ms: number, stepMs = 1000): Promise<void> {
    const endMs = this.clock.nowMs() + ms;
    while (this.clock.nowMs() < endMs) {
      this.clock.advanceTo(Math.min(this.clock.nowMs() + stepMs, endMs));
      await this.flush();
    }
  }

  /** Waits (in wall time, the clock standing still) until cond holds; fails after 3 s. */
  async until(cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!cond()) throw new Error(`timed out waiting until ${what}`);
  }

  async close(): Promise<void> {
    await this.stream?.close();
    await this.gate?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}
