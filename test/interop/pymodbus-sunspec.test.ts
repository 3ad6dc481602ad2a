// Interop: a SunSpec meter served by Debian's python3-pymodbus (an implementation FlareGrid shares no code with),
// found by flaregrid-meter's SunSpec discovery through node-red-contrib-modbus, and decoded.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import type { MeterReading } from '../../lib/schemas/contracts';
import { meterWithGetter, modbusClientNode } from '../nodes/modbus-flow';
import { freePort } from '../support/ports';
import { DEBIAN_PYTHON } from './needs';

const NODES = [
  require('../../nodes/flaregrid-meter/flaregrid-meter'),
  require('node-red-contrib-modbus/modbus/modbus-client'),
  require('node-red-contrib-modbus/modbus/modbus-flex-getter'),
];
const SERVER_SCRIPT = join(__dirname, '..', '..', '..', 'test', 'interop', 'sunspec_server.py');

async function waitForListener(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
      setTimeout(() => socket.destroy(), 200).unref();
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`pymodbus did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const VALUES = {
  A: 1234, A_SF: -1, // 123.4 A
  PhV: 3805, V_SF: -1, // 380.5 V
  Hz: 600, Hz_SF: -1,
  W: 4567, W_SF: 1, // 45,670 W into the bus
  TotWhImp: 123_456_789, TotWhExp: 1000, TotWh_SF: 0,
};

describe('interop: flaregrid-meter discovers and decodes a SunSpec meter served by pymodbus', function () {
  this.timeout(30000);
  let server: ChildProcess | undefined;

  afterEach(async () => {
    await helper.unload();
    server?.kill();
    server = undefined;
  });

  for (const { base, model } of [
    { base: 50000, model: 203 },
    { base: 0, model: 201 },
  ]) {
    it(`finds model ${model} behind a SunS marker at ${base} and reads it`, async () => {
      const port = await freePort();
      const unit = 3;
      server = spawn(DEBIAN_PYTHON, [SERVER_SCRIPT, String(port), String(unit), String(base), String(model), JSON.stringify(VALUES)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await waitForListener(port, 10000).catch((err: Error) => {
        throw new Error(`${err.message}\n${stderr}`);
      });

      const nodes = [
        modbusClientNode('client', port),
        ...meterWithGetter({ id: 'meter', meterId: 'bus-main', role: 'bus', profile: 'sunspec-meter', unitId: unit, pollIntervalS: 0.3 }, 'client'),
      ];
      await helper.load(NODES, [{ id: 'tab', type: 'tab' }, ...nodes.map((n) => (n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100 }))]);
      const reading = await new Promise<MeterReading>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no good reading; pymodbus said: ${stderr}`)), 20000);
        helper.getNode('meter-out').on('input', (msg: { payload: MeterReading }) => {
          if (msg.payload.quality !== 'good') return;
          clearTimeout(timer);
          resolve(msg.payload);
        });
      });
      assert.equal(reading.meterId, 'bus-main');
      assert.equal(reading.powerW, 45_670);
      assert.equal(reading.currentA, 123.4);
      assert.equal(reading.voltageV, 380.5);
      assert.equal(reading.energyInWh, 123_456_789);
      assert.equal(reading.energyOutWh, 1000);
    });
  }
});
