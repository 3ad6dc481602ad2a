// flaregrid-meter against a Modbus peer that is not the simulator: jsmodbus's server (test/support/jsmodbus-
// server.ts), which shares no code with modbus-serial, under both the simulator and node-red-contrib-modbus's
// client. The register maps are written here from the vendors' tables, not from our profiles, and the
// readings must decode to exactly what the test put there.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import type { MeterReading } from '../../lib/schemas/contracts';
import { startPeer, type ModbusPeer, type RegisterMap } from '../support/jsmodbus-server';
import { sunSpecMeterMap, sunSpecMeterPointAddress } from '../support/sunspec-map';

const NODES = [
  require('../../nodes/flaregrid-meter/flaregrid-meter'),
  require('node-red-contrib-modbus/modbus/modbus-client'),
  require('node-red-contrib-modbus/modbus/modbus-flex-getter'),
  require('node-red-contrib-modbus/modbus/modbus-read'),
];

/** One meter wired to a flex-getter on a client of the peer: the meter's requests out, the answers back in. */
function meterFlow(port: number, meter: { meterId: string; role: string; profile: string; unitId: number }): Record<string, unknown>[] {
  return [
    { id: 'tab', type: 'tab', label: 'independent peer' },
    {
      id: 'client', type: 'modbus-client', name: 'jsmodbus peer', clienttype: 'tcp', bufferCommands: true, stateLogEnabled: false,
      queueLogEnabled: false, failureLogEnabled: false, tcpHost: '127.0.0.1', tcpPort: String(port), tcpType: 'DEFAULT', unit_id: '1',
      commandDelay: '1', clientTimeout: '1000', reconnectOnTimeout: true, reconnectTimeout: '300', parallelUnitIdsAllowed: true,
    },
    {
      id: 'meter', type: 'flaregrid-meter', z: 'tab', name: '', ...meter, customProfile: '', pollIntervalS: 0.2, staleAfterS: 2,
      invert: false, maxRegistersPerRead: 125, x: 100, y: 100, wires: [['out'], ['getter']],
    },
    {
      id: 'getter', type: 'modbus-flex-getter', z: 'tab', name: '', showStatusActivities: false, showErrors: false, showWarnings: false,
      logIOActivities: false, server: 'client', useIOFile: false, ioFile: '', useIOForPayload: false, emptyMsgOnFail: true,
      keepMsgProperties: false, delayOnStart: false, startDelayTime: '', x: 300, y: 100, wires: [['meter'], []],
    },
    { id: 'out', type: 'helper', z: 'tab', x: 500, y: 100 },
  ];
}

function goodReading(accept: (r: MeterReading) => boolean = () => true, timeoutMs = 10_000): Promise<MeterReading> {
  const out = helper.getNode('out');
  let last: MeterReading | undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      out.removeListener('input', listener);
      reject(new Error(`no matching good reading within ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    function listener(msg: { payload: MeterReading }): void {
      last = msg.payload;
      if (msg.payload.quality !== 'good' || !accept(msg.payload)) return;
      clearTimeout(timer);
      out.removeListener('input', listener);
      resolve(msg.payload);
    }
    out.on('input', listener);
  });
}

const near = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

/** IEEE 754 single precision, most significant word first (Eastron's order). */
function float32Words(value: number): [number, number] {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatBE(value);
  return [bytes.readUInt16BE(0), bytes.readUInt16BE(2)];
}

// Eastron, "SDM630 Modbus Protocol" (SDM630-Modbus V2 user manual, 1.2 "Input Registers"): every parameter a
// float32 in two input registers, read with function code 04; register 3xxxx is address xxxx - 1. Values for a
// miner container drawing about 60 kW from a 230/400 V feeder, all exact in float32, each one different so that
// a register read from the wrong place shows.
const SDM630_TABLE: readonly [register: number, value: number, parameter: string][] = [
  [30001, 230.5, 'phase 1 line to neutral volts'],
  [30003, 229.75, 'phase 2 line to neutral volts'],
  [30005, 231.25, 'phase 3 line to neutral volts'],
  [30007, 87.25, 'phase 1 current, A'],
  [30009, 86.5, 'phase 2 current, A'],
  [30011, 88.125, 'phase 3 current, A'],
  [30013, 19_950, 'phase 1 power, W'],
  [30015, 19_800, 'phase 2 power, W'],
  [30017, 20_150, 'phase 3 power, W'],
  [30019, 20_100, 'phase 1 volt amps'],
  [30021, 19_950, 'phase 2 volt amps'],
  [30023, 20_350, 'phase 3 volt amps'],
  [30025, 2_400, 'phase 1 volt amps reactive'],
  [30027, 2_350, 'phase 2 volt amps reactive'],
  [30029, 2_500, 'phase 3 volt amps reactive'],
  [30031, 0.9921875, 'phase 1 power factor'],
  [30033, 0.9921875, 'phase 2 power factor'],
  [30035, 0.990234375, 'phase 3 power factor'],
  [30043, 230.5, 'average line to neutral volts'],
  [30047, 87.25, 'average line current'],
  [30049, 261.875, 'sum of line currents'],
  [30053, 59_900, 'total system power, W'],
  [30057, 60_400, 'total system volt amps'],
  [30061, 7_250, 'total system VAr'],
  [30063, 0.9912109375, 'total system power factor'],
  [30071, 49.96875, 'frequency of supply voltages, Hz'],
  [30073, 12_345.5, 'total import kWh'],
  [30075, 2.25, 'total export kWh'],
  [30077, 1_502.25, 'total import kVArh'],
  [30079, 0.5, 'total export kVArh'],
  [30085, 58_750, 'total system power demand, W'],
  [30201, 399.25, 'line 1 to line 2 volts'],
  [30203, 398.5, 'line 2 to line 3 volts'],
  [30205, 400.75, 'line 3 to line 1 volts'],
  [30225, 1.75, 'neutral current'],
  [30343, 12_347.75, 'total kWh (import + export)'],
];

function sdm630InputRegisters(): RegisterMap {
  const map = new Map<number, number>();
  for (const [register, value] of SDM630_TABLE) {
    float32Words(value).forEach((word, i) => map.set(register - 30001 + i, word));
  }
  return map;
}

describe('flaregrid-meter with node-red-contrib-modbus against an independent Modbus peer (jsmodbus)', function () {
  this.timeout(30000);
  let peer: ModbusPeer | undefined;

  afterEach(async () => {
    await helper.unload();
    await peer?.stop();
    peer = undefined;
  });

  it('discovers a SunSpec model 203 meter at 40000 and decodes its scale factors, then follows a change', async () => {
    const base = 40000;
    // Raw register values; each scale factor is a power of ten (SunSpec sunssf), so A = 4312 × 10^-2 A.
    const points = {
      A: 4312, AphA: 1437, AphB: 1439, AphC: 1436, A_SF: -2,
      PhV: 2301, PhVphA: 2298, PhVphB: 2304, PhVphC: 2301, PPV: 3986, PhVphAB: 3981, PhVphBC: 3990, PhVphCA: 3987, V_SF: -1,
      Hz: 5002, Hz_SF: -2,
      W: 2978, WphA: 993, WphB: 995, WphC: 990, W_SF: 1,
      VA: 3011, VA_SF: 1, VAR: 452, VAR_SF: 0, PF: 9891, PF_SF: -2,
      // acc32 beyond 16 bits, so that the word order counts: 7,654,321 × 10^1 Wh imported.
      TotWhExp: 1_234, TotWhImp: 7_654_321, TotWh_SF: 1,
    };
    const holding = sunSpecMeterMap({
      base, model: 203, points,
      common: { manufacturer: 'Independent Meters', model: 'IM-203', version: '1.4.2', serialNumber: 'IM-0042', deviceAddress: 7 },
    });
    peer = await startPeer({ holding });
    await helper.load(NODES, meterFlow(peer.port, { meterId: 'feeder-3', role: 'load', profile: 'sunspec-meter', unitId: 7 }));

    const reading = await goodReading();
    // A load meter: forward (import) power is drawn from the bus, so it is negative there, and the meter's
    // import counter is energy out of the bus.
    assert.equal(reading.meterId, 'feeder-3');
    near(reading.powerW, -29_780, 'powerW (W 2978 × 10^1, drawn)');
    near(reading.currentA, -43.12, 'currentA (A 4312 × 10^-2, drawn)');
    near(reading.voltageV, 230.1, 'voltageV (PhV 2301 × 10^-1)');
    near(reading.energyOutWh, 76_543_210, 'energyOutWh (TotWhImp 7,654,321 × 10^1)');
    near(reading.energyInWh, 12_340, 'energyInWh (TotWhExp 1,234 × 10^1)');

    peer.setHolding(sunSpecMeterPointAddress(base, 'W'), [-1504 & 0xffff]);
    const exporting = await goodReading((r) => r.powerW > 0);
    near(exporting.powerW, 15_040, 'powerW after the meter turned to export (W -1504 × 10^1)');
  });

  it('decodes an Eastron SDM630 from its float32 input registers', async () => {
    peer = await startPeer({ input: sdm630InputRegisters() });
    await helper.load(NODES, meterFlow(peer.port, { meterId: 'miners', role: 'miner', profile: 'eastron-sdm630', unitId: 2 }));

    const reading = await goodReading();
    // A miner feeder draws from the bus: forward power and import energy are out of it.
    assert.equal(reading.meterId, 'miners');
    near(reading.powerW, -59_900, 'powerW (30053 total system power, drawn)');
    near(reading.voltageV, 230.5, 'voltageV (30001 phase 1 line to neutral)');
    near(reading.currentA, -87.25, 'currentA (30007 phase 1 current, drawn)');
    near(reading.energyOutWh, 12_345_500, 'energyOutWh (30073 import 12,345.5 kWh)');
    near(reading.energyInWh, 2_250, 'energyInWh (30075 export 2.25 kWh)');
  });

  // The meter fed only by plain modbus-read nodes polling the map on their own schedule (no getter): discovery
  // takes what it needs from whatever blocks arrive, at each base address SunSpec allows.
  for (const base of [40000, 0, 50000]) {
    it(`discovers a SunSpec meter at ${base} from plain modbus-read blocks alone, and decodes it`, async () => {
      const points = { A: 812, A_SF: -1, PhV: 3804, V_SF: -1, W: 3090, W_SF: 1, TotWhExp: 0, TotWhImp: 1_234_567, TotWh_SF: 0 };
      const holding = sunSpecMeterMap({ base, model: 201, points, common: { manufacturer: 'Independent Meters', model: 'IM-201', serialNumber: 'IM-7' } });
      assert.equal(holding.size, 179, 'marker 2 + common 68 + model 201 107 + end 2');
      peer = await startPeer({ holding });
      const reader = (id: string, address: number, quantity: number) => ({
        id, type: 'modbus-read', z: 'tab', name: `${address}:${quantity}`, topic: '', showStatusActivities: false, logIOActivities: false,
        showErrors: false, showWarnings: false, unitid: '7', dataType: 'HoldingRegister', adr: String(address), quantity: String(quantity),
        rate: '250', rateUnit: 'ms', delayOnStart: false, startDelayTime: '', server: 'client', useIOFile: false, ioFile: '',
        useIOForPayload: false, emptyMsgOnFail: false, keepMsgProperties: false, x: 100, y: 200, wires: [['meter'], []],
      });
      const flow = meterFlow(peer.port, { meterId: 'feeder-1', role: 'load', profile: 'sunspec-meter', unitId: 7 })
        .filter((n) => n.type !== 'modbus-flex-getter')
        .map((n) => (n.id === 'meter' ? { ...n, wires: [['out'], []] } : n));
      await helper.load(NODES, [...flow, reader('read-a', base, 125), reader('read-b', base + 125, 54)]);
      const reading = await goodReading(undefined, 20_000);
      near(reading.powerW, -30_900, 'powerW (W 3090 × 10^1, drawn)');
      near(reading.voltageV, 380.4, 'voltageV (PhV 3804 × 10^-1)');
      near(reading.currentA, -81.2, 'currentA (A 812 × 10^-1, drawn)');
      near(reading.energyOutWh, 1_234_567, 'energyOutWh (TotWhImp)');
      assert.equal(reading.profile, 'sunspec-independent-meters-im-201-201');
    });
  }
});
