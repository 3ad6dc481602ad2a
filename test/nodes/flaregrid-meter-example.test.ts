// The meter's example flow, as Import > Examples brings it in, runs against the simulator that npm start runs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import type { MeterReading } from '../../lib/schemas/contracts';
import { startPlant, type RunningPlant } from '../../sim';

const NODES = [
  require('../../nodes/flaregrid-meter/flaregrid-meter'),
  require('node-red-contrib-modbus/modbus/modbus-client'),
  require('node-red-contrib-modbus/modbus/modbus-flex-getter'),
  require('@node-red/nodes/core/common/25-catch'),
  require('@node-red/nodes/core/common/90-comment'),
  require('@node-red/nodes/core/common/60-link'),
];
const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'flaregrid-meter', "Read the simulator's meters.json");

describe('flaregrid-meter example flow', function () {
  this.timeout(30000);
  let plant: RunningPlant;
  before(async () => {
    plant = await startPlant({ realtime: false, startTime: '2026-06-21T13:00:00Z', seed: 3, loadNoise: false });
    plant.setMinerSlotPowerW(0, 30_000);
    plant.advance(600_000);
    process.env.FLAREGRID_MODBUS_HOST = '127.0.0.1';
    process.env.FLAREGRID_MODBUS_PORT = String(plant.modbusPort);
  });
  after(async () => {
    await helper.unload();
    await plant.stop();
    delete process.env.FLAREGRID_MODBUS_HOST;
    delete process.env.FLAREGRID_MODBUS_PORT;
  });

  async function readingsOf(file: string): Promise<Record<string, MeterReading>> {
    const example = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    const flow = [
      { id: 'tab', type: 'tab' },
      ...example.map((n) =>
        n.type === 'modbus-client' ? n : { ...n, z: 'tab', ...(n.type === 'debug' ? { type: 'helper', wires: [] } : {}) },
      ),
    ];
    await helper.load(NODES, flow);
    const debugs = example.filter((n) => n.type === 'debug' && String(n.name).endsWith('reading'));
    const readings = await Promise.all(
      debugs.map(
        (d) =>
          new Promise<MeterReading>((resolve) =>
            helper.getNode(String(d.id)).on('input', (msg: { payload: MeterReading }) => {
              if (msg.payload.quality === 'good') resolve(msg.payload);
            }),
          ),
      ),
    );
    return Object.fromEntries(readings.map((r) => [r.meterId, r]));
  }

  it('reads all four meters through one shared flex-getter, each keeping its own unit', async () => {
    const byId = await readingsOf(EXAMPLE);
    const truth = plant.truth().devicesByName;
    assert.deepEqual(Object.keys(byId).sort(), ['bus-main', 'genset-1', 'miners', 'prosumer-1']);
    assert.ok(Math.abs(byId['genset-1'].powerW - Number(truth.genset1.powerW)) <= 1);
    assert.ok(Math.abs(byId['prosumer-1'].powerW + Number(truth.prosumer1.powerW)) <= 1);
    assert.ok(Math.abs(byId.miners.powerW + 30_000) <= 0.5, `miners ${byId.miners.powerW} W`);
    assert.ok(Math.abs(byId['bus-main'].powerW - Number(truth.busMeter.powerW)) <= 50);
  });

  it('still runs as release 0.1 saved it: meters without a site read for site-1', async () => {
    await helper.unload();
    const byId = await readingsOf(join(__dirname, '..', 'fixtures', 'release-0.1', 'meter-example.json'));
    assert.deepEqual(Object.keys(byId).sort(), ['bus-main', 'genset-1', 'miners', 'prosumer-1']);
    for (const reading of Object.values(byId)) assert.equal(reading.site, 'site-1');
    assert.ok(Math.abs(byId['genset-1'].powerW - Number(plant.truth().devicesByName.genset1.powerW)) <= 1);
  });
});
