// flaregrid-meter on the real Node-RED runtime, reading the plant simulator through node-red-contrib-modbus's
// modbus-client and modbus-flex-getter over loopback TCP, as a deployed flow does.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { isMeterReading } from '../../lib/schemas';
import type { MeterReading } from '../../lib/schemas/contracts';
import { startPlant, type RunningPlant } from '../../sim';
import { FakeClock } from '../support/fake-clock';
import { meterTopic, meterWithGetter, modbusClientNode, type MeterUnderTest } from './modbus-flow';

const meterNode = require('../../nodes/flaregrid-meter/flaregrid-meter');
const modbusClient = require('node-red-contrib-modbus/modbus/modbus-client');
const flexGetter = require('node-red-contrib-modbus/modbus/modbus-flex-getter');
const catchNode = require('@node-red/nodes/core/common/25-catch');
const modbusRead = require('node-red-contrib-modbus/modbus/modbus-read');
const runtimeContext = require('@node-red/runtime/lib/nodes/context');

const NODES = [meterNode, modbusClient, flexGetter, catchNode];
const START = '2026-06-21T13:00:00Z';

/** Resolves with the first reading from `nodeId` that satisfies `accept`, or rejects after `timeoutMs`. */
function nextReading(nodeId: string, accept: (r: MeterReading) => boolean, timeoutMs = 8000): Promise<MeterReading> {
  const out = helper.getNode(nodeId);
  let last: MeterReading | undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      out.removeListener('input', listener);
      reject(new Error(`no matching reading from ${nodeId} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    function listener(msg: { payload: MeterReading }) {
      last = msg.payload;
      if (!accept(msg.payload)) return;
      clearTimeout(timer);
      out.removeListener('input', listener);
      resolve(msg.payload);
    }
    out.on('input', listener);
  });
}

/** Loads meters (with their getters and the gateway's client) and any extra nodes on one tab. */
async function load(plant: RunningPlant, meters: MeterUnderTest[], extra: Record<string, unknown>[] = []): Promise<void> {
  const nodes = [modbusClientNode('client', plant.modbusPort), ...meters.flatMap((m) => meterWithGetter(m, 'client')), ...extra];
  // Flow nodes need a tab and a position, or the runtime takes them for config nodes.
  const flow = [{ id: 'tab', type: 'tab', label: 'meters' }, ...nodes.map((n) => (n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100 }))];
  await helper.load(NODES, flow);
}

describe('flaregrid-meter with node-red-contrib-modbus against the simulator, plant held still', function () {
  this.timeout(30000);
  let plant: RunningPlant;

  before(async () => {
    plant = await startPlant({ realtime: false, startTime: START, seed: 7, loadNoise: false });
    // Miners drawing 60 kW, so the miner feeder's SDM630 has power and energy to show; then an hour of sim
    // time: gensets loaded, counters well away from zero. Nothing moves after this, so every reading can be
    // compared with the truth.
    plant.setMinerSlotPowerW(0, 60_000);
    plant.advance(3600_000);
  });
  after(async () => {
    await plant.stop();
  });
  afterEach(async () => {
    await helper.unload();
  });


  // Tolerances are the registers' resolution: FG-BM1 carries W in 100 W steps at this site's size (the simulator
  // picks W_SF = 2 so that 920 kW fits an int16), voltage in 0.1 V (V_SF = -1); FG-GC1 and FG-PM1 carry whole W
  // and Wh; the SDM630 carries float32 W and kWh.
  const cases = [
    { profile: 'flaregrid-gc1', role: 'genset', device: 'genset2', sign: 1, powerTolW: 1, voltageTolV: 0.1 },
    { profile: 'flaregrid-pm1', role: 'prosumer', device: 'prosumer1', sign: -1, powerTolW: 1, voltageTolV: 0.1 },
    { profile: 'flaregrid-bm1', role: 'bus', device: 'busMeter', sign: 1, powerTolW: 50, voltageTolV: 0.05 },
    { profile: 'sunspec-meter', role: 'bus', device: 'busMeter', sign: 1, powerTolW: 50, voltageTolV: 0.05 },
    { profile: 'eastron-sdm630', role: 'miner', device: 'minerFeeder', sign: -1, powerTolW: 0.5, voltageTolV: 0.01 },
  ];
  for (const c of cases) {
    it(`decodes ${c.profile} (${c.device}) to the simulator's truth`, async () => {
      const truth = plant.truth().devicesByName[c.device];
      await load(plant, [{ id: 'meter', meterId: c.device, role: c.role, profile: c.profile, unitId: truth.unitId }]);
      const reading = await nextReading('meter-out', (r) => r.quality === 'good');
      const truePowerW = c.sign * Number(truth.powerW);
      assert.ok(Math.abs(truePowerW) > 1000, `${c.device} carries power in this scene (${truePowerW} W)`);
      assert.ok(Math.abs(reading.powerW - truePowerW) <= c.powerTolW, `powerW ${reading.powerW} vs truth ${truePowerW}`);
      assert.ok(isMeterReading(reading), isMeterReading.problems(reading).join('; '));
      assert.equal(reading.site, 'well-7');
      assert.equal(reading.role, c.role);
      assert.equal(reading.meterId, c.device);
      if (c.device !== 'minerFeeder') {
        // The SDM630 reports its AC phase voltage, not the DC bus voltage.
        assert.ok(Math.abs((reading.voltageV ?? NaN) - Number(truth.voltageV)) <= c.voltageTolV, `voltageV ${reading.voltageV}`);
      }
      if (c.role === 'genset') {
        assert.ok(Math.abs((reading.availablePowerW ?? NaN) - Number(truth.availablePowerW)) <= 1);
        assert.ok(Math.abs((reading.fuelScfm ?? NaN) - Number(truth.fuelScfm)) <= 0.1);
      } else {
        // Consumer-side meters count their forward (import) direction as energy out of the bus.
        const [inWh, outWh] = c.sign === 1 ? [truth.energyForwardWh, truth.energyReverseWh] : [truth.energyReverseWh, truth.energyForwardWh];
        const energyTolWh = c.profile === 'eastron-sdm630' ? 10 : 1;
        assert.ok(Math.abs(reading.energyInWh - Number(inWh)) <= energyTolWh, `energyInWh ${reading.energyInWh} vs ${inWh}`);
        assert.ok(Math.abs(reading.energyOutWh - Number(outWh)) <= energyTolWh, `energyOutWh ${reading.energyOutWh} vs ${outWh}`);
      }
    });
  }

  it('decodes what a plain modbus-read node polls on its own schedule (one wide read for the SDM630)', async () => {
    const truth = plant.truth().devicesByName.minerFeeder;
    const meter = meterWithGetter({ id: 'meter', meterId: 'miners', role: 'miner', profile: 'eastron-sdm630', unitId: truth.unitId, pollIntervalS: 3600 }, 'client')
      .filter((n) => n.type !== 'modbus-flex-getter')
      .map((n) => (n.id === 'meter' ? { ...n, wires: [['meter-out'], []] } : n));
    const reader = {
      id: 'reader', type: 'modbus-read', name: 'SDM630 0..79', topic: '', showStatusActivities: false, logIOActivities: false,
      showErrors: false, showWarnings: false, unitid: String(truth.unitId), dataType: 'InputRegister', adr: '0', quantity: '80',
      rate: '200', rateUnit: 'ms', delayOnStart: false, startDelayTime: '', server: 'client', useIOFile: false, ioFile: '',
      useIOForPayload: false, emptyMsgOnFail: false, keepMsgProperties: false, wires: [['meter'], []],
    };
    const nodes = [modbusClientNode('client', plant.modbusPort), ...meter, reader];
    await helper.load([...NODES, modbusRead], [{ id: 'tab', type: 'tab' }, ...nodes.map((n) => (n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100 }))]);
    const reading = await nextReading('meter-out', (r) => r.quality === 'good');
    assert.equal(Number(truth.powerW), 60_000);
    assert.ok(Math.abs(reading.powerW + 60_000) <= 0.5, `powerW ${reading.powerW} vs truth -60 kW`);
  });

  it('reports a unit that does not answer as bad with the reason', async () => {
    await load(plant, [{ id: 'meter', meterId: 'ghost', role: 'load', profile: 'flaregrid-pm1', unitId: 99 }]);
    const bad = await nextReading('meter-out', (r) => r.quality === 'bad');
    assert.ok((bad.qualityReason ?? '').length > 0);
  });

  it('hands input it cannot use to a Catch node through done(err), and keeps running', async () => {
    await load(
      plant,
      [{ id: 'meter', meterId: 'prosumer1', role: 'prosumer', profile: 'flaregrid-pm1', unitId: plant.units.prosumers[0] }],
      [
        { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    const caught = new Promise<{ error: { message: string } }>((resolve) => helper.getNode('caught').on('input', resolve));
    helper.getNode('meter').receive({ payload: { hello: 'world' } });
    const msg = await caught;
    assert.match(msg.error.message, /expected register values/);
    const wrongLength = new Promise<{ error: { message: string } }>((resolve) => helper.getNode('caught').once('input', resolve));
    helper.getNode('meter').receive({ payload: [1, 2, 3], modbusRequest: { fc: 3, unitid: plant.units.prosumers[0], address: 0, quantity: 14 } });
    assert.match((await wrongLength).error.message, /has 3 registers/);
    await nextReading('meter-out', (r) => r.quality === 'good');
  });

  it('takes a failed read as its own only when the topic is its own, and tells a Catch node once per outage', async () => {
    await load(
      plant,
      [{ id: 'meter', meterId: 'prosumer1', role: 'prosumer', profile: 'flaregrid-pm1', unitId: plant.units.prosumers[0], pollIntervalS: 3600 }],
      [
        { id: 'catch', type: 'catch', scope: ['meter'], uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    const meter = helper.getNode('meter');
    await nextReading('meter-out', (r) => r.quality === 'good');
    const readings: MeterReading[] = [];
    const errors: string[] = [];
    helper.getNode('meter-out').on('input', (msg: { payload: MeterReading }) => readings.push(msg.payload));
    helper.getNode('caught').on('input', (msg: { error: { message: string } }) => errors.push(msg.error.message));
    // What a shared flex-getter sends when another meter's read times out.
    meter.receive({ topic: meterTopic('genset-1'), payload: '', error: new Error('Timed out') });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([readings.length, errors.length], [0, 0], 'another meter\'s failure changes nothing here');
    meter.receive({ topic: meterTopic('prosumer1'), payload: '', error: new Error('Timed out') });
    meter.receive({ topic: meterTopic('prosumer1'), payload: '', error: new Error('Timed out') });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readings.length, 1);
    assert.equal(readings[0].quality, 'bad');
    assert.equal(readings[0].qualityReason, 'Timed out');
    assert.equal(errors.length, 1, 'the second failure with the same reason is not reported again');
    assert.match(errors[0], /prosumer1: Modbus read failed: Timed out$/);
    // After a good answer the outage is over: the next one with the same reason reaches Catch again.
    meter.receive({ topic: 'poll' });
    await nextReading('meter-out', (r) => r.quality === 'good');
    meter.receive({ topic: meterTopic('prosumer1'), payload: '', error: new Error('Timed out') });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(errors.length, 2, 'a second outage is reported');
  });

  it('refuses settings its profile cannot be read with, at deploy, with a red status and the reason', async () => {
    await helper.load(NODES, [
      { id: 'tab', type: 'tab' },
      { id: 'meter', type: 'flaregrid-meter', z: 'tab', site: 'well-7', meterId: 'genset1', role: 'genset', profile: 'flaregrid-gc1', unitId: 11, pollIntervalS: 1, staleAfterS: 5, maxRegistersPerRead: 1, wires: [[], []] },
    ]);
    const meter = helper.getNode('meter');
    const statuses = meter.status.getCalls().filter((call: { thisValue: unknown }) => call.thisValue === meter);
    assert.deepEqual(statuses.at(-1).args[0], { fill: 'red', shape: 'ring', text: 'flaregrid-meter.status.configError' });
    const logged = helper.log().args.map((args: [{ level: number; msg: unknown }]) => String(args[0].msg));
    assert.ok(logged.some((m: string) => /genset1: .*register/.test(m)), logged.join('\n'));
  });

  it('refuses a custom profile that fails its schema, with the reason in the log and a red status', async () => {
    const badProfile = JSON.stringify({ id: 'x', name: 'x', registers: [{ name: 'p', address: 0, fc: 3, type: 'u24' }] });
    await load(plant, [{ id: 'meter', meterId: 'custom', role: 'load', profile: 'custom', unitId: 21, customProfile: badProfile }]);
    const meter = helper.getNode('meter');
    const statuses = meter.status.getCalls().filter((call: { thisValue: unknown }) => call.thisValue === meter);
    assert.deepEqual(statuses.at(-1).args[0], { fill: 'red', shape: 'ring', text: 'flaregrid-meter.status.configError' });
    const logged = helper.log().args.map((args: [{ level: number; msg: unknown }]) => args[0]).filter((e: { level: number }) => e.level === 20);
    assert.ok(
      logged.some((e: { msg: unknown }) => /registers\[0\]\.type/.test(String(e.msg))),
      `the log names the bad field: ${JSON.stringify(logged.map((e: { msg: unknown }) => String(e.msg)))}`,
    );
  });
});

describe('flaregrid-meter against the simulator running in real time', function () {
  this.timeout(40000);
  let plant: RunningPlant;

  before(async () => {
    // Real time (speedup 1), so the counters move only as fast as the power the meter reads allows. The plant
    // starts in steady state; the genset-1 counter starts 100 Wh below its 32-bit wrap and the miners add 40 kW
    // (a step the gensets' 2 %/s ramp follows without a trip), so it wraps within seconds.
    plant = await startPlant({
      realtime: true,
      speedup: 1,
      startTime: START,
      seed: 7,
      loadNoise: false,
      counterPresets: { genset1: { forwardWh: 2 ** 32 - 100 } },
    });
    plant.setMinerSlotPowerW(0, 40_000);
  });
  after(async () => {
    await plant.stop();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('carries a genset energy counter across its 32-bit wrap', async () => {
    await load(plant, [{ id: 'meter', meterId: 'genset1', role: 'genset', profile: 'flaregrid-gc1', unitId: plant.units.gensets[0] }]);
    const before = await nextReading('meter-out', (r) => r.quality === 'good');
    assert.ok(before.energyInWh < 2 ** 32, 'the first reading is below the wrap');
    const wrapped = await nextReading('meter-out', (r) => r.energyInWh > 2 ** 32 + 10, 15000);
    assert.equal(wrapped.quality, 'good', `the wrap is counted as energy, not flagged: ${wrapped.qualityReason}`);
    const truth = plant.truth().devicesByName.genset1;
    assert.ok(Number(truth.energyForwardWh) < 1000, 'the register itself has wrapped to a small value');
    // The reading lags the truth by at most one poll: the genset makes well under 100 Wh in 0.2 s.
    assert.ok(Number(truth.energyForwardExactWh) - wrapped.energyInWh < 100);
  });

  it('re-bases on a meter replacement without counting the reset as energy', async () => {
    await load(plant, [{ id: 'meter', meterId: 'prosumer2', role: 'prosumer', profile: 'flaregrid-pm1', unitId: plant.units.prosumers[1] }]);
    const before = await nextReading('meter-out', (r) => r.quality === 'good');
    const flagged = nextReading('meter-out', (r) => r.quality === 'suspect');
    plant.resetMeter('prosumer2');
    const reset = await flagged;
    assert.match(reset.qualityReason ?? '', /reset/);
    assert.ok(reset.energyOutWh >= before.energyOutWh, 'the reported total never goes backwards');
    assert.ok(reset.energyOutWh - before.energyOutWh < 10, 'the reset is not counted as energy');
    plant.advance(60_000);
    const next = await nextReading('meter-out', (r) => r.quality === 'good' && r.energyOutWh > reset.energyOutWh);
    assert.ok(next.energyOutWh > reset.energyOutWh);
  });

  it('goes bad and stale when the Modbus server stops, and recovers when it returns, without a redeploy', async () => {
    await load(plant, [{ id: 'meter', meterId: 'genset2', role: 'genset', profile: 'flaregrid-gc1', unitId: plant.units.gensets[1], staleAfterS: 1 }]);
    await nextReading('meter-out', (r) => r.quality === 'good');
    const bad = nextReading('meter-out', (r) => r.quality === 'bad', 10000);
    const stale = nextReading('meter-out', (r) => r.quality === 'stale', 10000);
    const deployed = helper.getNode('meter');
    await plant.stopModbus();
    const badReading = await bad;
    assert.ok((badReading.qualityReason ?? '').length > 0, 'a bad reading says why');
    const staleReading = await stale;
    assert.equal(staleReading.meterId, 'genset2');
    const recovered = nextReading('meter-out', (r) => r.quality === 'good', 20000);
    await plant.startModbus();
    await recovered;
    assert.equal(helper.getNode('meter'), deployed, 'the same node instance recovered: no redeploy');
  });

});

describe('flaregrid-meter keeps its energy totals across a redeploy', function () {
  this.timeout(40000);
  let plant: RunningPlant;

  before(async () => {
    // Without a configured context store Node-RED drops a node's context at every close; with one (here the
    // memory store, in the field localfilesystem) the context outlives a redeploy. The test helper hands these
    // settings to the runtime's context module but never loads its stores; the test does, after helper.load.
    helper.settings({ contextStorage: { default: { module: 'memory' } } });
    // Genset 1's counter starts 60 Wh below its 32-bit wrap; at tens of kW it wraps within seconds.
    plant = await startPlant({ realtime: true, speedup: 1, startTime: START, seed: 7, loadNoise: false, counterPresets: { genset1: { forwardWh: 2 ** 32 - 60 } } });
  });
  after(async () => {
    await helper.unload();
    helper.settings({});
    await plant.stop();
  });

  it('continues the total after its counter wrapped while the meter was disabled', async () => {
    const meter: MeterUnderTest = { id: 'meter', meterId: 'genset1', role: 'genset', profile: 'flaregrid-gc1', unitId: plant.units.gensets[0] };
    await load(plant, [meter]);
    await runtimeContext.load();
    // The first reading after the stores are loaded is the one saved.
    const before = await nextReading('meter-out', (r) => r.quality === 'good');
    assert.ok(before.energyInWh < 2 ** 32);

    const flowWith = (disabled: boolean) => [
      { id: 'tab', type: 'tab', label: 'meters' },
      ...[modbusClientNode('client', plant.modbusPort), ...meterWithGetter(meter, 'client')].map((n) =>
        n.type === 'modbus-client' ? n : { ...n, z: 'tab', x: 100, y: 100, ...(n.id === 'meter' && disabled ? { d: true } : {}) },
      ),
    ];
    await helper.setFlows(flowWith(true));
    const deadline = Date.now() + 20000;
    while (Number(plant.truth().devicesByName.genset1.energyForwardWh) > 2 ** 31) {
      assert.ok(Date.now() < deadline, 'the simulator counter wraps within 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await helper.setFlows(flowWith(false));
    const after = await nextReading('meter-out', (r) => r.quality === 'good');
    // Without the saved state the first reading would restart from the wrapped register, a few hundred Wh.
    assert.ok(after.energyInWh > 2 ** 32, `energyInWh ${after.energyInWh} continues past the wrap`);
    const exact = Number(plant.truth().devicesByName.genset1.energyForwardExactWh);
    assert.ok(Math.abs(after.energyInWh - exact) < 100, `energyInWh ${after.energyInWh} vs truth ${exact}`);
  });
});

describe('flaregrid-meter on the flaregrid clock', function () {
  this.timeout(20000);
  const clock = new FakeClock('2026-06-21T13:00:00Z');

  before(() => helper.settings({ flaregrid: { clock } }));
  after(() => helper.settings({}));
  afterEach(async () => {
    await helper.unload();
  });

  it('polls on the configured clock, and its close handler cancels every timer it started', async () => {
    await helper.load(NODES, [
      { id: 'tab', type: 'tab' },
      { id: 'meter', type: 'flaregrid-meter', z: 'tab', site: 'well-7', meterId: 'p1', role: 'prosumer', profile: 'flaregrid-pm1', unitId: 21, pollIntervalS: 10, staleAfterS: 30, maxRegistersPerRead: 125, wires: [[], ['requests']] },
      { id: 'requests', type: 'helper', z: 'tab' },
    ]);
    const requests: unknown[] = [];
    helper.getNode('requests').on('input', (msg: { payload: unknown }) => requests.push(msg.payload));
    await clock.advanceAsync(0);
    await clock.advanceAsync(31_000, 1000);
    // the first poll after 1 s, then every 10 s: at 1, 11, 21 and 31 s
    assert.equal(requests.length, 4);
    assert.ok(clock.pendingCount > 0);
    await helper.unload();
    assert.equal(clock.pendingCount, 0, 'no timer outlives the node');
  });
});
