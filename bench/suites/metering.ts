// Suite `metering`: decoding speed in lib (decodeBlocksPerSec) and MeterReadings per second through
// flaregrid-meter -> flaregrid-balance in a running, embedded Node-RED (nodeReadingsPerSec).
//
// The node figure feeds the meters the messages node-red-contrib-modbus would deliver (register values with
// msg.modbusRequest) straight into their inputs: a Modbus link carries a few thousand requests a second, so
// through TCP the benchmark would measure the link, not the nodes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_EDITOR_THEME } from '../../scripts/start-config';
import { ensureCredentialFile } from '../../scripts/start-credentials';
import { startRed } from '../../scripts/start-red';
import { writeFlowFile } from '../../scripts/start-flows';
import type { BenchResult, BenchSuite } from '../types';
import { decodeBench } from './metering-decode';

const METERS = 8;
const READINGS = 100_000;
/** answers handed to the runtime per event-loop turn, so the message queue stays bounded */
const BATCH = 500;
// FG-PM1 holding registers 0-13 (sim/README.md): 380.5 V, -12.345 A, 4,691 W forward, counters 5,000 / 0 Wh.
const PM1_REGISTERS = [3805, 0xcfc7, 0xffff, 0x1253, 0, 5000, 0, 0, 0, 0, 0, 0, 0, 0];

interface RuntimeNodeHandle {
  receive(msg: object): void;
}
interface RedRuntime {
  hooks: {
    add(name: `onReceive.${string}`, hook: (event: { destination: { id: string } }) => void): void;
    add(name: `onSend.${string}`, hook: (events: { source: { id: string }; msg: { payload?: unknown } }[]) => void): void;
    remove(name: string): void;
  };
  nodes: { getNode(id: string): RuntimeNodeHandle | null };
}

function benchFlow(): object[] {
  const tab = { id: 'bench-tab', type: 'tab', label: 'metering bench' };
  const meters = Array.from({ length: METERS }, (_, i) => ({
    id: `bench-meter-${i}`,
    type: 'flaregrid-meter',
    z: tab.id,
    site: 'bench',
    meterId: `prosumer-${i}`,
    role: 'prosumer',
    profile: 'flaregrid-pm1',
    customProfile: '',
    unitId: 21 + i,
    // Polls are not wired anywhere; an hour keeps their timers out of the measurement.
    pollIntervalS: 3600,
    staleAfterS: 3600,
    invert: false,
    maxRegistersPerRead: 125,
    x: 200,
    y: 60 + i * 40,
    wires: [['bench-balance'], []],
  }));
  const balance = {
    id: 'bench-balance',
    type: 'flaregrid-balance',
    z: tab.id,
    site: 'bench',
    reserveKw: 20,
    reservePct: 5,
    staleAfterS: 3600,
    imbalanceKw: 2,
    imbalancePct: 3,
    minIntervalS: 1,
    heartbeatS: 3600,
    expectedMeters: '',
    x: 450,
    y: 60,
    wires: [['bench-sink']],
  };
  // The balance's output goes somewhere, so that the bench can see what it made of the readings.
  const sink = { id: 'bench-sink', type: 'junction', z: tab.id, x: 600, y: 60, wires: [] };
  return [tab, ...meters, balance, sink];
}

async function nodeReadingsBench(): Promise<BenchResult> {
  const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-bench-'));
  const packageRoot = join(__dirname, '..', '..', '..');
  writeFlowFile(userDir, 'flows.json', benchFlow() as Parameters<typeof writeFlowFile>[2]);
  ensureCredentialFile(userDir, 'flows.json', 'bench');
  const red = await startRed(
    {
      httpAdminRoot: '/',
      httpNodeRoot: '/api',
      userDir,
      flowFile: 'flows.json',
      credentialSecret: 'bench',
      nodesDir: [packageRoot],
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: QUIET_EDITOR_THEME,
      logging: { console: { level: 'error', metrics: false, audit: false } },
    },
    '127.0.0.1',
    { port: 0, flag: '--port', envName: 'FLAREGRID_PORT' },
  );
  const RED = require('node-red') as RedRuntime;
  try {
    let received = 0;
    let finished: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => (finished = resolve));
    RED.hooks.add('onReceive.flaregridBench', (event) => {
      if (event.destination.id === 'bench-balance' && ++received === READINGS) finished();
    });
    // A figure counts readings the balance took in, not ones it refused: its SiteBalance must know every meter.
    let lastBalance: { staleMeters?: string[]; firmDemandW?: number } | undefined;
    RED.hooks.add('onSend.flaregridBench', (events) => {
      for (const event of events) if (event.source.id === 'bench-balance') lastBalance = event.msg.payload as typeof lastBalance;
    });
    const meters = Array.from({ length: METERS }, (_, i) => RED.nodes.getNode(`bench-meter-${i}`)!);
    const answers = meters.map((_, i) => ({
      payload: PM1_REGISTERS,
      modbusRequest: { fc: 3, unitid: 21 + i, address: 0, quantity: PM1_REGISTERS.length },
    }));
    const started = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        for (let i = 0; i < BATCH && sent < READINGS; i++, sent++) {
          meters[sent % METERS].receive({ ...answers[sent % METERS] });
        }
        if (sent < READINGS) setImmediate(pump);
        else resolve();
      };
      pump();
    });
    await allReceived;
    const seconds = (performance.now() - started) / 1000;
    RED.hooks.remove('onReceive.flaregridBench');
    RED.hooks.remove('onSend.flaregridBench');
    const unread = lastBalance ? (lastBalance.staleMeters ?? []).filter((id) => id.startsWith('prosumer-')) : ['all'];
    if (unread.length > 0) throw new Error(`the bench's balance did not take the readings of ${unread.join(', ')}: the figure would measure refusals`);
    return { suite: 'metering', metric: 'nodeReadingsPerSec', value: Math.round(READINGS / seconds), unit: 'readings/s' };
  } finally {
    await red.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}

export const meteringSuite: BenchSuite = {
  name: 'metering',
  async run() {
    const decode = await decodeBench();
    const node = await nodeReadingsBench();
    return [decode, node];
  },
};
