// The register images of sim/README.md, built from the physics on demand and cached per physics version.
import {
  BUS_NOMINAL_V,
  FEEDER_FREQUENCY_HZ,
  FEEDER_PHASE_VOLTAGE_V,
  Genset,
  MeterPoint,
  OVERLOAD_FRACTION,
  PlantPhysics,
  wrapCount,
} from '../plant';
import { float32Abcd, s16, s32Abcd, s32Cdab, sunspecString, u16, u32Abcd, u64Cdab } from './encoding';
import { ILLEGAL_DATA_ADDRESS, type ModbusUnit } from './pdu';

export type DeviceRole = 'bus' | 'miner' | 'genset' | 'prosumer';
export type MapName = 'FG-BM1' | 'SDM630' | 'FG-GC1' | 'FG-PM1';

interface Block {
  start: number;
  values: number[];
}

export interface DeviceInfo {
  unitId: number;
  name: string;
  role: DeviceRole;
  map: MapName;
  functionCode: 3 | 4;
}

export class Device {
  private cache: Block[] = [];
  private cachedVersion = -1;

  constructor(
    readonly info: DeviceInfo,
    private readonly physics: PlantPhysics,
    private readonly build: () => Block[],
    readonly coils?: ModbusUnit['coils'],
  ) {}

  /**
   * The registers of one FC 03/04 read, or exception 02 when the span is outside the device's map (a read of the
   * other register table is outside it too). The PDU layer has checked the function code and the quantity.
   */
  read(functionCode: 3 | 4, address: number, quantity: number): number[] | number {
    if (functionCode !== this.info.functionCode) return ILLEGAL_DATA_ADDRESS;
    if (this.cachedVersion !== this.physics.version) {
      this.cache = this.build();
      this.cachedVersion = this.physics.version;
    }
    const block = this.cache.find((b) => address >= b.start && address + quantity <= b.start + b.values.length);
    if (!block) return ILLEGAL_DATA_ADDRESS;
    return block.values.slice(address - block.start, address - block.start + quantity);
  }
}

/** Unit ids as in the README table: 1 bus meter, 2 miner feeder, 11… gensets, 21… prosumers. */
export function buildDevices(physics: PlantPhysics, seed: number): Device[] {
  const devices: Device[] = [];
  const add = (info: DeviceInfo, build: () => Block[], coils?: ModbusUnit['coils']) => devices.push(new Device(info, physics, build, coils));
  const scale = busMeterScaleFactors(physics);
  add({ unitId: 1, name: 'busMeter', role: 'bus', map: 'FG-BM1', functionCode: 3 }, () => [
    { start: 40000, values: busMeterImage(physics, scale, `FGSIM-${seed}-0001`) },
  ]);
  add({ unitId: 2, name: 'minerFeeder', role: 'miner', map: 'SDM630', functionCode: 4 }, () => sdm630Image(physics));
  physics.gensets.forEach((g, i) => {
    add({ unitId: 11 + i, name: g.name, role: 'genset', map: 'FG-GC1', functionCode: 3 }, () => [
      { start: 0, values: gensetImage(g, physics) },
    ]);
  });
  physics.prosumerMeters.forEach((m, i) => {
    add(
      { unitId: 21 + i, name: `prosumer${i + 1}`, role: 'prosumer', map: 'FG-PM1', functionCode: 3 },
      () => [{ start: 0, values: prosumerImage(m, physics.bus.voltageV) }],
      supplyContactor(physics, i),
    );
  });
  return devices;
}

/** FG-PM1 coil 0: the prosumer's supply contactor, 1 closed (supplied), 0 open (cut off). */
function supplyContactor(physics: PlantPhysics, index: number): ModbusUnit['coils'] {
  return {
    read: (address, quantity) => (address === 0 && quantity === 1 ? [physics.prosumerSupplyClosed(index)] : ILLEGAL_DATA_ADDRESS),
    write: (address, on) => {
      if (address !== 0) return ILLEGAL_DATA_ADDRESS;
      physics.setProsumerSupply(index, on);
      return undefined;
    },
  };
}

function gensetImage(g: Genset, physics: PlantPhysics): number[] {
  return [
    g.state,
    g.alarms,
    ...s32Abcd(g.outputW),
    ...u32Abcd(g.availableW),
    ...u32Abcd(g.ratedPowerW),
    u16(g.fuelScfPerMin * 10),
    u16((g.outputW / g.ratedPowerW) * 1000),
    ...u32Abcd(wrapCount(g.energyForward.wh, 32)),
    u16(g.online ? physics.bus.voltageV * 10 : 0),
    u16(physics.gas.heatingValueBtuPerScf),
  ];
}

function prosumerImage(m: MeterPoint, voltageV: number): number[] {
  const currentA = voltageV > 0 ? m.powerW / voltageV : 0;
  return [
    u16(voltageV * 10),
    ...s32Cdab(currentA * 1000),
    ...s32Cdab(m.powerW),
    ...u64Cdab(m.forward.wh),
    ...u64Cdab(m.reverse.wh),
    m.resetSincePowerUp ? 1 : 0,
  ];
}

function sdm630Image(physics: PlantPhysics): Block[] {
  const m = physics.minerFeeder;
  const alive = physics.bus.voltageV > 0;
  const phaseV = alive ? FEEDER_PHASE_VOLTAGE_V : 0;
  const phaseW = m.powerW / 3;
  const phaseA = phaseV > 0 ? phaseW / phaseV : 0;
  const floats = new Array<number>(40).fill(0);
  floats.splice(0, 9, phaseV, phaseV, phaseV, phaseA, phaseA, phaseA, phaseW, phaseW, phaseW);
  floats[26] = m.powerW;
  floats[35] = alive ? FEEDER_FREQUENCY_HZ : 0;
  const importKwh = Number(m.forward.wh) / 1000;
  const exportKwh = Number(m.reverse.wh) / 1000;
  floats[36] = importKwh;
  floats[37] = exportKwh;
  return [
    { start: 0, values: floats.flatMap(float32Abcd) },
    { start: 342, values: float32Abcd(importKwh + exportKwh) },
  ];
}

export interface SunSpecScale {
  aSf: number;
  vSf: number;
  wSf: number;
}

/**
 * Scale factors fixed at start-up so that the int16 points hold the site's largest power: the largest
 * source power (every genset at 110% plus every prosumer export) in W, and that power at the lowest
 * in-band voltage in A. 10 W and 0.1 A steps are kept whenever they fit.
 */
export function busMeterScaleFactors(physics: PlantPhysics): SunSpecScale {
  const maxW =
    physics.gensets.reduce((a, g) => a + g.ratedPowerW * OVERLOAD_FRACTION, 0) +
    physics.prosumers.reduce((a, p) => a + (p.profile.solarPeakW ?? 0) + (p.profile.batteryExportW ?? 0), 0);
  const fit = (magnitude: number, minSf: number) => {
    let sf = minSf;
    while (magnitude / 10 ** sf > 32767) sf++;
    return sf;
  };
  return { aSf: fit(maxW / (0.95 * BUS_NOMINAL_V), -1), vSf: -1, wSf: fit(maxW, 1) };
}

const NOT_IMPLEMENTED_INT16 = 0x8000;
const NOT_IMPLEMENTED_SUNSSF = 0x8000;
/** Model 201 acc32 points (offsets of their first register); 'not implemented' is 0 for acc32. */
const MODEL_201_ACC32 = [36, 38, 40, 42, 44, 46, 48, 50, 53, 55, 57, 59, 61, 63, 65, 67, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 100];
const MODEL_201_LENGTH = 105;

function busMeterImage(physics: PlantPhysics, scale: SunSpecScale, serial: string): number[] {
  const common = [
    1,
    66,
    ...sunspecString('FlareGrid', 16),
    ...sunspecString('FG-BM1', 16),
    ...sunspecString('DC', 8),
    ...sunspecString('1.0', 8),
    ...sunspecString(serial, 16),
    1,
    0x8000,
  ];
  const m = physics.busMeter;
  const voltageV = physics.bus.voltageV;
  const currentA = voltageV > 0 ? m.powerW / voltageV : 0;
  const model = new Array<number>(MODEL_201_LENGTH).fill(NOT_IMPLEMENTED_INT16);
  for (const offset of MODEL_201_ACC32) model.splice(offset, 2, 0, 0);
  for (const sfOffset of [15, 25, 30, 35, 69, 102]) model[sfOffset] = NOT_IMPLEMENTED_SUNSSF;
  const put = (offset: number, words: number[]) => model.splice(offset, words.length, ...words);
  const scaled = (value: number, sf: number) => s16(value / 10 ** sf);
  put(0, [scaled(currentA, scale.aSf), scaled(currentA, scale.aSf)]);
  put(4, [s16(scale.aSf)]);
  put(5, [scaled(voltageV, scale.vSf), scaled(voltageV, scale.vSf)]);
  put(13, [s16(scale.vSf)]);
  put(16, [scaled(m.powerW, scale.wSf), scaled(m.powerW, scale.wSf)]);
  put(20, [s16(scale.wSf)]);
  put(36, u32Abcd(wrapCount(m.reverse.wh, 32)));
  put(44, u32Abcd(wrapCount(m.forward.wh, 32)));
  put(52, [0]);
  put(103, [0, 0]);
  return [0x5375, 0x6e53, ...common, 201, MODEL_201_LENGTH, ...model, 0xffff, 0];
}
