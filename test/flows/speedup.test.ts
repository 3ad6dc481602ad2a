// The embedded microgrid on a scaled clock: the plant and the flaregrid nodes share one ScaledClock at speed-up 60
// (npm start -- --speedup 60), so the meters' counter plausibility and the balance's staleness see the plant's time.
// The clock's base is a FakeClock that the test moves in steps: between steps the plant stands still, so every
// reading can be compared with the truth exactly, while each step runs 60 times faster than it would on the wall.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { ScaledClock } from '../../lib/clock';
import type { MeterReading, SiteBalance } from '../../lib/schemas/contracts';
import { startPlant, type RunningPlant } from '../../sim';
import { FakeClock } from '../support/fake-clock';
import { meterWithGetter, modbusClientNode, type MeterUnderTest } from '../nodes/modbus-flow';

const NODES = [
  require('../../nodes/flaregrid-meter/flaregrid-meter'),
  require('../../nodes/flaregrid-balance/flaregrid-balance'),
  require('node-red-contrib-modbus/modbus/modbus-client'),
  require('node-red-contrib-modbus/modbus/modbus-flex-getter'),
];

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('meter and balance against the simulator at speed-up 60, on one clock', function () {
  this.timeout(60000);
  const base = new FakeClock('2026-06-21T12:00:00Z');
  const clock = new ScaledClock({ speedup: 60, base });
  let plant: RunningPlant;

  before(async () => {
    plant = await startPlant({ clock, realtime: true, seed: 5, loadNoise: false });
    plant.setMinerSlotPowerW(0, 80_000);
    helper.settings({ flaregrid: { clock } });
  });
  after(async () => {
    await helper.unload();
    helper.settings({});
    await plant.stop();
  });

  it('reads good readings whose energy equals the truth, and a good balance, over 10 simulated minutes', async () => {
    const meters: MeterUnderTest[] = [
      { id: 'g1', meterId: 'genset-1', role: 'genset', profile: 'flaregrid-gc1', unitId: plant.units.gensets[0], pollIntervalS: 1, staleAfterS: 5 },
      { id: 'g2', meterId: 'genset-2', role: 'genset', profile: 'flaregrid-gc1', unitId: plant.units.gensets[1], pollIntervalS: 1, staleAfterS: 5 },
      { id: 'p1', meterId: 'prosumer-1', role: 'prosumer', profile: 'flaregrid-pm1', unitId: plant.units.prosumers[0], pollIntervalS: 1, staleAfterS: 5 },
    ];
    const nodes = [
      modbusClientNode('client', plant.modbusPort),
      ...meters.flatMap((m) => meterWithGetter(m, 'client')).map((n) =>
        n.type === 'flaregrid-meter' ? { ...n, wires: [[`${n.id}-out`, 'balance'], (n.wires as string[][])[1]] } : n,
      ),
      {
        id: 'balance', type: 'flaregrid-balance', configVersion: 1, site: 'well-7', reserveKw: 20, reservePct: 5, staleAfterS: 5, maxSkewS: 30,
        imbalanceKw: 1000, imbalancePct: 100, minIntervalS: 1, heartbeatS: 10, expectedMeters: '', wires: [['balance-out']],
      },
      { id: 'balance-out', type: 'helper' },
    ];
    await helper.load(NODES, [{ id: 'tab', type: 'tab' }, ...nodes.map((n) => (n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100 }))]);
    const readings = new Map<string, MeterReading[]>(meters.map((m) => [m.meterId, []]));
    for (const m of meters) helper.getNode(`${m.id}-out`).on('input', (msg: { payload: MeterReading }) => readings.get(msg.payload.meterId)?.push(msg.payload));
    const balances: SiteBalance[] = [];
    helper.getNode('balance-out').on('input', (msg: { payload: SiteBalance }) => balances.push(msg.payload));

    // 10 simulated minutes in steps of one simulated second (1/60 s of base time, one poll), each followed by a pause
    // of real time in which the Modbus round trips finish while the plant stands still.
    // The Modbus client connects in wall time; the plant waits for it, standing still.
    await wait(1000);
    for (let step = 0; step < 600; step++) {
      const before = meters.map((m) => readings.get(m.meterId)?.length ?? 0);
      await base.advanceAsync(1000 / 60, 1000 / 60);
      // However loaded the machine, the next step waits until every meter's poll has been answered.
      const deadline = Date.now() + 5000;
      while (meters.some((m, i) => (readings.get(m.meterId)?.length ?? 0) <= before[i]!) && Date.now() < deadline) await wait(2);
    }
    const truth = plant.truth().devicesByName;
    for (const m of meters) {
      const got = readings.get(m.meterId) ?? [];
      assert.ok(got.length >= 90, `${m.meterId}: ${got.length} readings in 600 simulated seconds`);
      const notGood = got.filter((r) => r.quality !== 'good');
      assert.deepEqual(notGood.map((r) => r.qualityReason), [], `${m.meterId}: every reading good`);
      const last = got.at(-1) as MeterReading;
      const device = truth[m.meterId.replace('-', '')];
      // The registers follow the physics, which steps every 100 ms of plant time; truth() catches up to the clock's
      // now. So a reading may lag the truth by one step's energy, plus the counter's 1 Wh resolution.
      const stepWh = Math.ceil((Math.abs(Number(device.powerW)) * 0.1) / 3600) + 1;
      const near = (actual: number, expected: number, what: string) =>
        assert.ok(expected - actual >= 0 && expected - actual <= stepWh, `${m.meterId} ${what}: ${actual} Wh vs truth ${expected} Wh (step ${stepWh} Wh)`);
      if (m.role === 'genset') {
        near(last.energyInWh, Number(device.energyForwardWh), 'energy');
      } else {
        near(last.energyOutWh, Number(device.energyForwardWh), 'import counter');
        near(last.energyInWh, Number(device.energyReverseWh), 'export counter');
      }
    }
    // Ten minutes of a genset at tens of kW move its counter by kWh: the totals did not freeze.
    const genset = readings.get('genset-1') as MeterReading[];
    assert.ok(genset.at(-1)!.energyInWh - genset[0].energyInWh > 1000, 'the energy total keeps counting at speed-up 60');
    assert.ok(balances.length > 0 && balances.at(-1)!.quality === 'good', `balance ${JSON.stringify(balances.at(-1))}`);
  });
});
