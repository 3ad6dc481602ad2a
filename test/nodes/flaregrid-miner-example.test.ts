// The miner's example flow, as Import > Examples brings it in, drives the simulated miners that npm start runs
// on the plant, with the env variables npm start sets; the plant's miner feeder follows what they draw.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { ScaledClock } from '../../lib/clock';
import type { MinerTelemetry } from '../../lib/schemas/dispatch';
import { minerFleetEnv } from '../../scripts/start-config';
import { fleetOf, startPlant, type RunningPlant } from '../../sim';

const NODES = [
  require('../../nodes/flaregrid-miner/flaregrid-miner'),
  require('../../nodes/flaregrid-miner-api/flaregrid-miner-api'),
  require('@node-red/nodes/core/common/20-inject'),
  require('@node-red/nodes/core/common/25-catch'),
  require('@node-red/nodes/core/common/90-comment'),
  require('@node-red/nodes/core/function/15-change'),
];
const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'flaregrid-miner', "Drive the simulator's miners.json");

describe('flaregrid-miner example flow', function () {
  this.timeout(30000);
  let plant: RunningPlant;
  let env: Record<string, string>;

  before(async () => {
    const clock = new ScaledClock({ speedup: 25, startMs: Date.parse('2026-06-21T13:00:00Z') });
    plant = await startPlant({ clock, seed: 3, loadNoise: false, fleet: { miners: fleetOf(3) } });
    env = minerFleetEnv('127.0.0.1', plant.fleet!.miners);
    Object.assign(process.env, env);
    helper.settings({ flaregrid: { clock } });
  });

  after(async () => {
    await helper.unload();
    await plant.stop();
    for (const key of Object.keys(env)) delete process.env[key];
    helper.settings({});
  });

  it('reads the three miners, applies the buttons, and refuses what a miner cannot do', async () => {
    assert.deepEqual(Object.keys(env).sort(), [
      'FLAREGRID_MINER_1_PORT',
      'FLAREGRID_MINER_2_PORT',
      'FLAREGRID_MINER_2_REST_PORT',
      'FLAREGRID_MINER_3_PORT',
      'FLAREGRID_MINER_HOST',
    ]);
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
    const flow = [
      { id: 'tab', type: 'tab' },
      ...example.map((n) => (n.type === 'flaregrid-miner-api' ? n : { ...n, z: 'tab', ...(n.type === 'debug' ? { type: 'helper', wires: [] } : {}) })),
    ];
    await helper.load(NODES, flow);
    const telemetryDebug = String(example.find((n) => n.name === 'MinerTelemetry')!.id);
    const whyDebug = String(example.find((n) => n.name === 'why')!.id);
    const latest = new Map<string, MinerTelemetry>();
    const until = (accept: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; latest ${JSON.stringify([...latest.values()].map((t) => [t.minerId, t.state, t.powerW]))}`)), 15_000);
        const check = () => {
          if (!accept()) return;
          clearTimeout(timer);
          helper.getNode(telemetryDebug).removeListener('input', listener);
          resolve();
        };
        const listener = (msg: { payload: MinerTelemetry }) => {
          latest.set(msg.payload.minerId, msg.payload);
          check();
        };
        helper.getNode(telemetryDebug).on('input', listener);
      });
    await until(() => ['miner-1', 'miner-2', 'miner-3'].every((id) => latest.get(id)?.state === 'hashing'));

    const press = (name: string) => helper.getNode(String(example.find((n) => n.name === name)!.id)).receive({});
    press('miner-1 to 2 kW');
    press('miner-2 asleep');
    await until(() => latest.get('miner-1')?.powerW === 2000 && latest.get('miner-2')?.state === 'sleeping');
    const feeder = plant.truth().devicesByName.minerFeeder as unknown as { powerW: number };
    assert.ok(Math.abs(feeder.powerW - (2000 + 15 + 3500)) < 5, `the feeder meter shows the miners' draw: ${feeder.powerW} W`);

    const why = new Promise<string>((resolve) => helper.getNode(whyDebug).once('input', (msg: { error: { message: string } }) => resolve(msg.error.message)));
    press('miner-1 to 700 W (refused)');
    assert.match(await why, /below this miner's minimum of 1400 W/);

    press('all to full power');
    await until(() => latest.get('miner-1')?.targetW === 3500 && latest.get('miner-2')?.targetW === 3500);
    press('shed all now');
    await until(() => latest.get('miner-1')?.state === 'sleeping' && latest.get('miner-2')?.state === 'sleeping');
  });
});
