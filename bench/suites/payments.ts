// Suite `payments`: streaming payments through the whole payer path — lib/payments' stream driver (accounting,
// caps, an fsync'd intent before and a result after every payment) — over ln-service's real gRPC client to
// the LND simulator (sim/lnd), keysend for a 1,000 sat/kWh trade whose meter is read every millisecond, a Wh
// more each time, so that every stream pays as fast as its own pipeline allows.
//   paymentsPerSec1Stream     one stream
//   paymentsPerSec100Streams  100 streams (own journals, one shared LND client and caps) at once
//   paymentLatencyP50Ms/P99Ms from the decision to pay to the receipt, one stream (…100Streams: under the 100)
//   accountingTicksPerSec     lib alone (payments-accounting.ts)
// Peers in the same run, to say what limits each figure: keysend straight through ln-service (no journal, no
// lib), one at a time and 100 at once, and the journal's fsync'd appends one at a time (two per payment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ln from 'ln-service';
import { wallClock } from '../../lib/clock';
import { Journal } from '../../lib/journal';
import { LnServiceBackend } from '../../lib/payments/backend/ln-service';
import { SpendingGuard } from '../../lib/payments/caps';
import { derivePreimage, paymentHashOf } from '../../lib/payments/identity';
import { StreamDriver } from '../../lib/payments/stream-driver';
import type { Trade } from '../../lib/schemas/market';
import { startLightningNetwork, type LightningNetwork } from '../../sim/lnd';
import type { BenchResult, BenchSuite } from '../types';
import { accountingBench } from './payments-accounting';

const OPEN = 10 ** 15;

interface Run {
  payments: number;
  seconds: number;
  latenciesMs: number[];
}

function trade(net: LightningNetwork, id: string, buyer: string): Trade {
  const now = Date.now();
  return {
    type: 'trade', id: `bench:${id}`, market: 'bench', buyOrderId: `b-${id}`, sellOrderId: `s-${id}`, buyer, seller: 'seller',
    payTo: net.node('seller').pubkey, quantityWh: 10 ** 9, priceMsatPerKwh: 1_000_000, feeMsatPerKwh: 0,
    deliveryStart: new Date(now - 1000).toISOString(), deliveryEnd: new Date(now + 3_600_000).toISOString(), matchedAt: new Date(now - 2000).toISOString(), mode: 'continuous',
  };
}

/**
 * `streams` drivers for durationMs, their meters read every millisecond, a Wh more each time: each stream
 * pays as fast as its pipeline allows (a payment covers what was delivered since the last one). Latency is from
 * the moment a payment was decided to its receipt (its result durable).
 */
async function streamsRun(net: LightningNetwork, backend: LnServiceBackend, root: string, streams: number, durationMs: number): Promise<Run> {
  const guard = new SpendingGuard({ perPaymentMsat: OPEN, perTradeMsat: OPEN, perHourMsat: OPEN, perDayMsat: OPEN, maxFeeMsat: 1000, maxFeePpm: 10_000 });
  const latenciesMs: number[] = [];
  let payments = 0;
  let running = true;
  const drivers: StreamDriver[] = [];
  const plannedAt = new Map<string, number>();
  for (let n = 0; n < streams; n++) {
    drivers.push(
      await StreamDriver.open({
        dir: join(root, `stream-${streams}-${n}`),
        streamId: `bench-${streams}-${n}`,
        buyer: `buyer-${n}`,
        meterId: `meter-${n}`,
        settings: { mode: 'keysend', stepWh: 1, stepMs: 60_000, toleranceWh: 0, minPaymentMsat: 1000, closeAfterMs: 60_000, giveUpAfterMs: 60_000 },
        clock: wallClock,
        guard,
        backend: async () => backend,
        paymentTimeoutMs: 10_000,
        lookupTimeoutMs: 5000,
        onReceipt: (receipt) => {
          if (!running) return;
          payments++;
          latenciesMs.push(Date.now() - plannedAt.get(receipt.paymentHash!)!);
        },
        onChange: () => undefined,
        onProblem: (err) => process.stderr.write(`bench stream ${n}: ${err.message}\n`),
        hooks: { afterIntent: (payment) => plannedAt.set(payment.paymentHash, payment.plannedAtMs) },
      }),
    );
    await drivers[n].admitTrade(trade(net, `${streams}-${n}`, `buyer-${n}`));
  }
  let counter = 0;
  const meter = () => {
    if (!running) return;
    counter++;
    const ts = new Date().toISOString();
    drivers.forEach((driver, n) => driver.admitReading({ site: 'bench', meterId: `meter-${n}`, role: 'prosumer', ts, powerW: -3600, energyInWh: 0, energyOutWh: counter, quality: 'good' }));
    setTimeout(meter, 1);
  };
  const started = performance.now();
  meter();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  running = false;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(drivers.map((d) => d.close()));
  return { payments, seconds, latenciesMs };
}

/** Keysend straight through ln-service, `concurrency` at a time, for durationMs. */
async function rawKeysend(net: LightningNetwork, backend: LnServiceBackend, concurrency: number, durationMs: number): Promise<number> {
  const destination = net.node('seller').pubkey;
  const secret = '7a'.repeat(32);
  let sent = 0;
  let next = 0;
  const until = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < until) {
      const preimage = derivePreimage(secret, `raw-${concurrency}`, next++);
      const outcome = await backend.payKeysend({ destination, amountMsat: 1000, preimage, paymentHash: paymentHashOf(preimage), records: [], maxFeeMsat: 0, timeoutMs: 10_000 });
      if (outcome.status === 'confirmed') sent++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent / ((performance.now() - started) / 1000);
}

async function journalSyncs(dir: string, durationMs: number): Promise<number> {
  const { journal } = await Journal.open(dir, { version: 1 });
  let appended = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    await journal.append('intent', { interval: appended, paymentHash: 'ab'.repeat(32), amountMsat: 1000 });
    appended++;
  }
  const rate = appended / ((performance.now() - started) / 1000);
  await journal.close();
  return rate;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function paymentsBench(durationMs = 3000): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'flaregrid-bench-payments-'));
  const net = await startLightningNetwork({
    dir: join(root, 'lightning'),
    nodes: [{ alias: 'buyer' }, { alias: 'seller', acceptsKeysend: true }],
    channels: [{ from: 'buyer', to: 'seller', capacitySat: 100_000_000 }],
  });
  const client = ln.authenticatedLndGrpc(net.node('buyer').lndOptions('admin'));
  const backend = new LnServiceBackend(client.lnd, wallClock);
  try {
    const accounting = accountingBench(3_000_000);
    const raw1 = await rawKeysend(net, backend, 1, durationMs);
    const raw100 = await rawKeysend(net, backend, 100, durationMs);
    const syncs = await journalSyncs(join(root, 'journal'), Math.min(durationMs, 2000));
    const one = await streamsRun(net, backend, root, 1, durationMs);
    const hundred = await streamsRun(net, backend, root, 100, durationMs);
    const sorted = [...one.latenciesMs].sort((a, b) => a - b);
    const sorted100 = [...hundred.latenciesMs].sort((a, b) => a - b);
    const r = (metric: string, value: number, unit: string): BenchResult => ({ suite: 'payments', metric, value, unit });
    return [
      r('paymentsPerSec1Stream', Math.round(one.payments / one.seconds), 'payments/s'),
      r('paymentsPerSec100Streams', Math.round(hundred.payments / hundred.seconds), 'payments/s'),
      r('paymentLatencyP50Ms', Math.round(percentile(sorted, 50) * 10) / 10, 'ms'),
      r('paymentLatencyP99Ms', Math.round(percentile(sorted, 99) * 10) / 10, 'ms'),
      r('accountingTicksPerSec', Math.round(accounting), 'ticks/s'),
      r('paymentLatencyP50Ms100Streams', Math.round(percentile(sorted100, 50) * 10) / 10, 'ms'),
      r('paymentLatencyP99Ms100Streams', Math.round(percentile(sorted100, 99) * 10) / 10, 'ms'),
      r('peerKeysendPerSec1', Math.round(raw1), 'payments/s'),
      r('peerKeysendPerSec100', Math.round(raw100), 'payments/s'),
      r('peerJournalSyncsPerSec', Math.round(syncs), 'appends/s'),
    ];
  } finally {
    for (const service of Object.values(client.lnd)) (service as { close?: () => void }).close?.();
    await net.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export const paymentsSuite: BenchSuite = {
  name: 'payments',
  run: () => paymentsBench(),
};
