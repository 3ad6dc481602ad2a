// A whole site's metering on the real runtime: every simulator meter read through node-red-contrib-modbus by
// flaregrid-meter, summed by flaregrid-balance, and compared with the simulator's truth.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { isSiteBalance } from '../../lib/schemas';
import type { SiteBalance } from '../../lib/schemas/contracts';
import { startPlant, type RunningPlant } from '../../sim';
import { meterWithGetter, modbusClientNode, type MeterUnderTest } from '../nodes/modbus-flow';

const NODES = [
  require('../../nodes/flaregrid-meter/flaregrid-meter'),
  require('../../nodes/flaregrid-balance/flaregrid-balance'),
  require('node-red-contrib-modbus/modbus/modbus-client'),
  require('node-red-contrib-modbus/modbus/modbus-flex-getter'),
];
const AUX_LOAD_W = 10_000;
const MINER_LOAD_W = 120_000;

describe('site metering: every simulator meter into one balance', function () {
  this.timeout(30000);
  let plant: RunningPlant;

  before(async () => {
    plant = await startPlant({ realtime: false, startTime: '2026-06-21T19:00:00Z', seed: 11, loadNoise: false, auxLoadW: AUX_LOAD_W });
    plant.setMinerSlotPowerW(0, MINER_LOAD_W / 2);
    plant.setMinerSlotPowerW(1, MINER_LOAD_W / 2);
    // Long enough for the gensets to ramp onto the new load; nothing moves after this.
    plant.advance(600_000);
  });
  after(async () => {
    await helper.unload();
    await plant.stop();
  });

  it('gives the balance the simulator has, and shows the unmetered auxiliary load as imbalance', async () => {
    const meters: MeterUnderTest[] = [
      ...plant.units.gensets.map((unitId, i) => ({ id: `genset${i}`, meterId: `genset-${i + 1}`, role: 'genset', profile: 'flaregrid-gc1', unitId })),
      ...plant.units.prosumers.map((unitId, i) => ({ id: `prosumer${i}`, meterId: `prosumer-${i + 1}`, role: 'prosumer', profile: 'flaregrid-pm1', unitId })),
      { id: 'bus', meterId: 'bus-main', role: 'bus', profile: 'sunspec-meter', unitId: plant.units.busMeter },
      { id: 'miners', meterId: 'miners', role: 'miner', profile: 'eastron-sdm630', unitId: plant.units.minerFeeder },
    ];
    const nodes = [
      modbusClientNode('client', plant.modbusPort),
      // Each meter's readings go to the balance instead of a helper node.
      ...meters.flatMap((m) => meterWithGetter(m, 'client')).filter((n) => n.type !== 'helper').map((n) =>
        n.type === 'flaregrid-meter' ? { ...n, wires: [['balance'], (n.wires as string[][])[1]] } : n,
      ),
      {
        id: 'balance', type: 'flaregrid-balance', site: 'well-7', reserveKw: 20, reservePct: 5, staleAfterS: 5, imbalanceKw: 2,
        imbalancePct: 3, minIntervalS: 0.2, heartbeatS: 10, expectedMeters: meters.map((m) => m.meterId).join(','), wires: [['out']],
      },
      { id: 'out', type: 'helper' },
    ];
    await helper.load(NODES, [{ id: 'tab', type: 'tab' }, ...nodes.map((n) => (n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100 }))]);

    const balance = await new Promise<SiteBalance>((resolve) => {
      helper.getNode('out').on('input', (msg: { payload: SiteBalance }) => {
        if (msg.payload.staleMeters.length === 0 && msg.payload.busVoltageV !== undefined) resolve(msg.payload);
      });
    });
    assert.ok(isSiteBalance(balance), isSiteBalance.problems(balance).join('; '));
    const bus = plant.truth().bus as Record<string, number>;
    const near = (actual: number, expected: number, tolerance: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs truth ${expected}`);
    near(balance.generationW, bus.generationW, 2, 'generationW');
    near(balance.minerW, MINER_LOAD_W, 1, 'minerW');
    near(balance.availableW, bus.availableW, 2, 'availableW');
    near(balance.busVoltageV ?? NaN, bus.voltageV, 0.05, 'busVoltageV');
    // Kirchhoff over the device meters: everything but the 10 kW auxiliary load is metered.
    near(balance.imbalanceW, AUX_LOAD_W, 5, 'imbalanceW');
    assert.equal(balance.quality, 'suspect', 'a 10 kW imbalance is over the 2 kW / 3% tolerance');
    near(balance.surplusW, balance.availableW - balance.firmDemandW - balance.reserveW, 0, 'surplusW');
    // The meters polled before the Modbus client had connected; that start-up is not an error anyone sees.
    const logged = helper.log().args.map((args: [{ level: number; msg: unknown }]) => args[0]);
    const errors = logged.filter((e: { level: number }) => e.level <= 20).map((e: { msg: unknown }) => String(e.msg));
    assert.deepEqual(errors, [], 'no error logged at deploy');
    assert.ok(!logged.some((e: { msg: unknown }) => /not ready for input/.test(String(e.msg))), 'no "not ready for input" in the log');
  });
});
