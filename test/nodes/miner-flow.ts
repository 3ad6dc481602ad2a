// Shared set-up of the flaregrid-miner node tests: a simulated fleet (sim/miners) and a Node-RED flow with the
// miner node, its access config node, a Catch node and helper nodes, all on one ScaledClock so that the
// miners' cold starts and the node's polls run twenty-five times faster than wall time.
import helper from 'node-red-node-test-helper';
import { ScaledClock } from '../../lib/clock';
import type { MinerTelemetry } from '../../lib/schemas/dispatch';
import { startMinerFleet, type RunningFleet, type SimMinerOptions } from '../../sim/miners';

export const minerNode = require('../../nodes/flaregrid-miner/flaregrid-miner');
export const minerApiNode = require('../../nodes/flaregrid-miner-api/flaregrid-miner-api');
const catchNode = require('@node-red/nodes/core/common/25-catch');

export const SPEEDUP = 25;

export interface MinerFlow {
  clock: ScaledClock;
  sim: RunningFleet;
}

export interface FlowOptions {
  access?: Record<string, unknown>;
  node?: Record<string, unknown>;
  credentials?: { username?: string; password?: string };
}

/** Starts the simulated miners and deploys one flaregrid-miner node driving all of them. */
export async function deployMiners(miners: SimMinerOptions[], options: FlowOptions = {}): Promise<MinerFlow> {
  const clock = new ScaledClock({ speedup: SPEEDUP, startMs: Date.parse('2026-06-01T12:00:00Z') });
  const sim = await startMinerFleet({ clock, miners });
  helper.settings({ flaregrid: { clock } });
  const rows = sim.miners.map((m) => ({ minerId: m.id, host: '127.0.0.1', apiPort: String(m.apiPort), restPort: m.restPort ? String(m.restPort) : '', dialect: '' }));
  const flow = [
    { id: 'tab', type: 'tab', label: 'miners' },
    { id: 'access', type: 'flaregrid-miner-api', name: '', dialect: 'auto', apiPort: 4028, restPort: 80, commandTimeoutS: 0.5, breakerFailures: 2, ...options.access },
    {
      id: 'miner',
      type: 'flaregrid-miner',
      z: 'tab',
      x: 100,
      y: 100,
      name: '',
      configVersion: 0,
      site: 'well-7',
      access: 'access',
      miners: rows,
      pollIntervalS: 2,
      confirmTimeoutS: 60,
      ratedPowerW: 3500,
      wires: [['out']],
      ...options.node,
    },
    { id: 'catch', type: 'catch', z: 'tab', x: 100, y: 200, scope: ['miner'], uncaught: false, wires: [['caught']] },
    { id: 'out', type: 'helper', z: 'tab', x: 300, y: 100 },
    { id: 'caught', type: 'helper', z: 'tab', x: 300, y: 200 },
  ];
  await helper.load([minerNode, minerApiNode, catchNode], flow, { access: options.credentials ?? { username: 'root', password: '' } });
  return { clock, sim };
}

/** Resolves with the first telemetry of `minerId` that satisfies `accept`; rejects with the last one seen. */
export function telemetryOf(minerId: string, accept: (t: MinerTelemetry, topic: string) => boolean, timeoutMs = 10_000): Promise<MinerTelemetry> {
  const out = helper.getNode('out');
  let last: MinerTelemetry | undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      out.removeListener('input', listener);
      reject(new Error(`no matching telemetry of ${minerId} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    function listener(msg: { topic: string; payload: MinerTelemetry }) {
      if (msg.payload.minerId !== minerId) return;
      last = msg.payload;
      if (!accept(msg.payload, msg.topic)) return;
      clearTimeout(timer);
      out.removeListener('input', listener);
      resolve(msg.payload);
    }
    out.on('input', listener);
  });
}

/** The next error a Catch node receives from the miner node. */
export function caughtError(timeoutMs = 5000): Promise<string> {
  const caught = helper.getNode('caught');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no error caught within ${timeoutMs} ms`)), timeoutMs);
    caught.once('input', (msg: { error: { message: string } }) => {
      clearTimeout(timer);
      resolve(msg.error.message);
    });
  });
}

export function target(minerId: string, targetW: number): Record<string, unknown> {
  return { minerId, targetW, reason: 'test', ts: new Date().toISOString() };
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
