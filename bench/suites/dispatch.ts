// Suite `dispatch`: dispatch decisions per second in lib for a fleet of 180 miners (decisionsPerSec), and the time
// from a SiteBalance entering a running, embedded Node-RED to the last of its PowerTargets reaching the next node
// (balanceToTargetP50Ms, balanceToTargetP99Ms). The decision's summary leaves in the same send, after the targets, and
// Node-RED delivers in order, so its arrival marks the last target's. Every balance in the node figure makes targets
// change: they alternate between a surplus (miners woken) and a shortfall (those wakes cancelled).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DispatchController, parseMinerIds } from '../../lib/control/dispatch';
import type { MinerTelemetry, SiteBalance } from '../../lib/schemas';
import { QUIET_EDITOR_THEME } from '../../scripts/start-config';
import { ensureCredentialFile } from '../../scripts/start-credentials';
import { writeFlowFile } from '../../scripts/start-flows';
import { startRed } from '../../scripts/start-red';
import type { BenchResult, BenchSuite } from '../types';

const MINERS = parseMinerIds('s21-001..180');
const DECISIONS = 20_000;
const SAMPLES = 2_000;
const WARM_UP = 200;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

function telemetry(minerId: string, nowMs: number, targetW: number): MinerTelemetry {
  const on = targetW > 0;
  return {
    minerId, site: 'bench', ts: new Date(nowMs).toISOString(), state: on ? 'hashing' : 'sleeping', powerW: on ? targetW : 15, powerSource: 'measured',
    targetW, hashrateThs: on ? targetW / 17.5 : 0, quality: 'good', confirmed: true,
  };
}

function balance(nowMs: number, availableW: number): SiteBalance {
  return {
    site: 'bench', ts: new Date(nowMs).toISOString(), generationW: availableW - 5_000, firmDemandW: 80_000, minerW: 0, availableW, reserveW: 0,
    surplusW: 0, imbalanceW: 0, busVoltageV: 377, quality: 'good', staleMeters: [],
  };
}

/** The 24 h scenario's rhythm: a balance a second, half the fleet's telemetry, obeying miners, gas that wanders. */
export function decisionsBench(decisions = DECISIONS): BenchResult {
  const ctl = new DispatchController({ site: 'bench', miners: MINERS, params: { enableDelayS: 10, stepIntervalS: 5 } });
  const targets = new Map(MINERS.map((id) => [id, 3500]));
  for (const id of MINERS) ctl.onTelemetry(telemetry(id, T0, 3500), T0);
  let nowMs = T0;
  const started = performance.now();
  for (let i = 0; i < decisions; i++) {
    nowMs += 1000;
    ctl.onBalance(balance(nowMs, 650_000 + 60_000 * Math.sin(i / 300) + ((i * 7919) % 4000)), nowMs);
    for (let m = i % 2; m < MINERS.length; m += 2) ctl.onTelemetry(telemetry(MINERS[m]!, nowMs, targets.get(MINERS[m]!)!), nowMs);
    for (const c of ctl.decide(nowMs).commands) targets.set(c.minerId, c.targetW);
  }
  const seconds = (performance.now() - started) / 1000;
  return { suite: 'dispatch', metric: 'decisionsPerSec', value: Math.round(decisions / seconds), unit: 'decisions/s' };
}

interface RuntimeNodeHandle {
  receive(msg: object): void;
}
interface RedRuntime {
  hooks: {
    add(name: string, hook: (event: { destination: { id: string }; msg: { payload?: unknown } }) => void): void;
    remove(name: string): void;
  };
  nodes: { getNode(id: string): RuntimeNodeHandle | null };
}

function benchFlow(): object[] {
  const tab = { id: 'bench-tab', type: 'tab', label: 'dispatch bench' };
  const dispatch = {
    id: 'bench-dispatch', type: 'flaregrid-dispatch', z: tab.id, site: 'bench', miners: 's21-001..180', priorityMode: 'efficiency', priorities: '',
    // No delays and no ramp limit: balances come a millisecond apart here, and each must move targets.
    timerMode: 'decay', economicMode: false, enableDelayS: 0, stepIntervalS: 0, minOnS: 0, minOffS: 0, reserveKw: 0, staleAfterS: 3600, rampUpKwPerS: 100_000,
    cycleS: 60, x: 300, y: 80, wires: [['bench-targets'], ['bench-summary'], []],
  };
  const sink = (id: string, y: number) => ({ id, type: 'junction', z: tab.id, x: 520, y, wires: [] });
  return [tab, dispatch, sink('bench-targets', 80), sink('bench-summary', 120)];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function nodeLatencyBench(): Promise<BenchResult[]> {
  const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-bench-dispatch-'));
  const packageRoot = join(__dirname, '..', '..', '..');
  writeFlowFile(userDir, 'flows.json', benchFlow() as Parameters<typeof writeFlowFile>[2]);
  ensureCredentialFile(userDir, 'flows.json', 'bench');
  const red = await startRed(
    {
      httpAdminRoot: '/', httpNodeRoot: '/api', userDir, flowFile: 'flows.json', credentialSecret: 'bench', nodesDir: [packageRoot],
      telemetry: { enabled: false, updateNotification: false }, editorTheme: QUIET_EDITOR_THEME,
      logging: { console: { level: 'error', metrics: false, audit: false } },
    },
    '127.0.0.1',
    { port: 0, flag: '--port', envName: 'FLAREGRID_PORT' },
  );
  const RED = require('node-red') as RedRuntime;
  try {
    const dispatch = RED.nodes.getNode('bench-dispatch')!;
    dispatch.receive({ payload: MINERS.map((id) => telemetry(id, Date.now(), 0)) });
    let arrived: (() => void) | undefined;
    const targets: { minerId: string; targetW: number }[] = [];
    RED.hooks.add('onReceive.flaregridDispatchBench', (event) => {
      if (event.destination.id === 'bench-targets') targets.push(event.msg.payload as { minerId: string; targetW: number });
      if (event.destination.id === 'bench-summary' && arrived) {
        const done = arrived;
        arrived = undefined;
        done();
      }
    });
    const latencies: number[] = [];
    for (let i = 0; i < WARM_UP + SAMPLES; i++) {
      // A surplus wakes miners; a shortfall cancels those wakes: every balance changes targets.
      const availableW = i % 2 === 0 ? 400_000 : 100_000;
      const landed = new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`balance ${i} produced no PowerTarget within 5 s`)), 5000);
        arrived = () => {
          clearTimeout(guard);
          resolve();
        };
      });
      targets.length = 0;
      const started = performance.now();
      dispatch.receive({ payload: balance(Date.now(), availableW) });
      await landed;
      const elapsedMs = performance.now() - started;
      // A decision that moves no target says nothing about the targets' latency.
      if (i >= WARM_UP && targets.length > 0) latencies.push(elapsedMs);
      // The miners obey at once, untimed, so that the next balance meets a settled fleet.
      if (targets.length > 0) dispatch.receive({ payload: targets.map((t) => telemetry(t.minerId, Date.now(), t.targetW)) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    RED.hooks.remove('onReceive.flaregridDispatchBench');
    if (latencies.length < SAMPLES / 2) throw new Error(`only ${latencies.length} of ${SAMPLES} balances moved a PowerTarget: the bench no longer exercises dispatch`);
    latencies.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return [
      { suite: 'dispatch', metric: 'balanceToTargetP50Ms', value: round(percentile(latencies, 50)), unit: 'ms' },
      { suite: 'dispatch', metric: 'balanceToTargetP99Ms', value: round(percentile(latencies, 99)), unit: 'ms' },
      { suite: 'dispatch', metric: 'balanceToTargetSamples', value: latencies.length, unit: 'balances that moved targets' },
    ];
  } finally {
    await red.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}

export const dispatchSuite: BenchSuite = {
  name: 'dispatch',
  async run() {
    const decisions = decisionsBench();
    const latency = await nodeLatencyBench();
    return [decisions, ...latency];
  },
};
