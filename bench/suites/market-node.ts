// Part of suite `market` (market.ts runs it after the engine's figures): orders through flaregrid-matcher in a running Node-RED (embedded as npm start embeds it:
// the runtime, its flows and message routing), 50,000 orders per figure, handed to the node's receive() as an
// mqtt in node hands them over (a burst of messages per event-loop turn), timed from the first message to the
// matcher's last done() (Node-RED's onComplete hook).
// nodeOrdersPerSec: unsigned orders on a market that allows them (a closed site).
// nodeSignedOrdersPerSec: the same stream signed by its 100 participants, each signature verified.
// Peers in the same run, to say which part limits each figure:
// marketSubmitOrdersPerSec: the unsigned stream straight into Market.submit, one call per order as the node
//   makes them (validation, journal with group commit and fdatasync, matching), without Node-RED.
// ed25519VerifiesPerSec: ParticipantRegistry.verify over the signed stream on one core.
// The stream: buys and sells around one price, a tenth of them cancels (test/support/market.ts orderStream).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallClock, type Clock } from '../../lib/clock';
import { defaultMarketSettings, Market, ParticipantRegistry, validateMarketSettings } from '../../lib/market';
import type { Cancel, Order } from '../../lib/schemas';
import { matcherConfig, orderStream, testParticipant, type TestParticipant } from '../../test/support/market';
import { writeFlowFile, type FlowNode } from '../../scripts/start-flows';
import { startRed, type RunningRed } from '../../scripts/start-red';
import { freePort } from '../../test/support/ports';
import type { BenchResult } from '../types';

const NOW_MS = Date.parse('2026-12-01T06:07:30Z');
const BURST = 500;

export interface MarketNodeBenchOptions {
  /** orders per figure (default 50,000) */
  orders?: number;
}

/** Time stands at NOW_MS (every order of the stream is made then); timers run on the wall. */
const clock: Clock = { nowMs: () => NOW_MS, setTimeout: wallClock.setTimeout, setInterval: wallClock.setInterval };

function matcherNode(id: string, participants: readonly TestParticipant[], dataDir: string, allowUnsigned: boolean): Record<string, unknown> {
  return {
    id,
    ...matcherConfig(dataDir, participants.map((p) => p.entry), { allowUnsigned, maxOpenOrders: 1_000_000, rateOrders: 1_000_000, ratePerS: 1, bookIntervalS: 1 }),
  };
}

interface Hooks {
  add(id: string, handler: (event: { node: { id: string }; msg: { topic?: string } }) => void): void;
  remove(id: string): void;
}

/** Node-RED, embedded as scripts/start.ts embeds it, running one matcher per figure. */
async function runtimeWith(matchers: Record<string, unknown>[], userDir: string): Promise<RunningRed> {
  writeFlowFile(userDir, 'flows.json', [{ id: 'tab', type: 'tab', label: 'bench' }, ...matchers.map((m, i) => ({ z: 'tab', x: 100, y: 100 + i * 80, wires: [[], [], []], ...m }))] as FlowNode[]);
  const port = await freePort();
  return startRed(
    {
      httpAdminRoot: '/', httpNodeRoot: '/api', userDir, flowFile: 'flows.json', credentialSecret: 'bench',
      nodesDir: [join(__dirname, '..', '..', '..')], telemetry: { enabled: false, updateNotification: false },
      editorTheme: { tours: false, projects: { enabled: false } },
      // the bench prints its results as JSON on stdout: the runtime says nothing short of an error
      logging: { console: { level: 'error', metrics: false, audit: false } },
      flaregrid: { clock },
    },
    '127.0.0.1',
    { port, flag: '--port', envName: 'FLAREGRID_PORT' },
  );
}

/** Feeds `messages` to the matcher `id` of the running Node-RED; orders per second until its last done(). */
async function throughNode(id: string, messages: readonly (Order | Cancel)[]): Promise<number> {
  // the runtime's own modules: the node registry and the message hooks that every node's done() triggers
  const RED = require('node-red') as { nodes: { getNode(id: string): { receive(msg: object): void } | null } };
  const { hooks } = require('@node-red/util') as { hooks: Hooks };
  const matcher = RED.nodes.getNode(id);
  if (!matcher) throw new Error(`bench: no node ${id}`);
  let completed = 0;
  let finished: () => void = () => undefined;
  let opened: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const isOpen = new Promise<void>((resolve) => (opened = resolve));
  hooks.add('onComplete.flaregrid-bench', (event) => {
    if (event.node.id !== id) return;
    if (event.msg.topic === 'snapshot') opened();
    else if (++completed === messages.length) finished();
  });
  try {
    // a message the matcher answers once its journal is open
    matcher.receive({ topic: 'snapshot' });
    await isOpen;
    const started = performance.now();
    for (let i = 0; i < messages.length; i += BURST) {
      for (const message of messages.slice(i, i + BURST)) matcher.receive({ topic: 'flaregrid/well-7/orders', payload: message });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await allDone;
    return messages.length / ((performance.now() - started) / 1000);
  } finally {
    hooks.remove('onComplete.flaregrid-bench');
  }
}

async function straightIntoMarket(messages: readonly (Order | Cancel)[], participants: readonly TestParticipant[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'flaregrid-bench-market-'));
  const settings = validateMarketSettings({
    ...defaultMarketSettings('well-7'), gateClosureLeadMs: 60_000, tickMsatPerKwh: 100, allowUnsigned: true,
    maxOpenOrdersPerParticipant: 1_000_000, rateLimit: { orders: 1_000_000, perMs: 1000 },
  });
  const market = await Market.open(settings, { journalDir: dir, registry: new ParticipantRegistry(participants.map((p) => p.entry)) });
  try {
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < messages.length; i += BURST) {
      for (const message of messages.slice(i, i + BURST)) pending.push(market.submit(message, NOW_MS));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    return messages.length / ((performance.now() - started) / 1000);
  } finally {
    await market.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function verifies(messages: readonly (Order | Cancel)[], participants: readonly TestParticipant[]): number {
  const registry = new ParticipantRegistry(participants.map((p) => p.entry));
  const started = performance.now();
  for (const message of messages) if (!registry.verify(message as Order)) throw new Error(`bench: ${message.id} does not verify`);
  return messages.length / ((performance.now() - started) / 1000);
}

export async function marketNodeBench(options: MarketNodeBenchOptions = {}): Promise<BenchResult[]> {
  const count = options.orders ?? 50_000;
  const participants = Array.from({ length: 100 }, (_, i) => testParticipant(`p${i}`, i + 1));
  const unsigned = orderStream(participants, count, NOW_MS, 11, false);
  const signed = orderStream(participants, count, NOW_MS, 11, true);
  const result = (metric: string, value: number, unit: string): BenchResult => ({ suite: 'market', metric, value: Math.round(value), unit });
  const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-bench-matcher-'));
  const red = await runtimeWith(
    [matcherNode('open-market', participants, join(userDir, 'open'), true), matcherNode('signed-market', participants, join(userDir, 'signed'), false)],
    userDir,
  );
  try {
    return [
      result('nodeOrdersPerSec', await throughNode('open-market', unsigned), 'orders/s'),
      result('nodeSignedOrdersPerSec', await throughNode('signed-market', signed), 'orders/s'),
      result('marketSubmitOrdersPerSec', await straightIntoMarket(unsigned, participants), 'orders/s'),
      result('ed25519VerifiesPerSec', verifies(signed, participants), 'verifies/s'),
    ];
  } finally {
    await red.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}
