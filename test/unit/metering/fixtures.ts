// Register dumps typed by hand from sim/README.md's register maps and the vendors' tables (never produced by
// lib/metering's own encoders), so a decoding bug cannot agree with itself.

import { loadBuiltinProfiles } from '../../../lib/metering/profiles';
import type { MeterProfile } from '../../../lib/metering/types';

export function builtin(id: string): MeterProfile {
  const profile = loadBuiltinProfiles().find((p) => p.id === id);
  if (profile === undefined) throw new Error(`no built-in profile ${id}`);
  return profile;
}

/** FG-GC1, holding registers 0-13: running, alarms bits 2 and 4, -1500 W, counter at its last value before the wrap. */
export const GC1_DUMP: readonly number[] = [
  2, // RunState running
  0b10100, // Alarms: below soft minimum load, low gas supply
  0xffff, 0xfa24, // ActivePower s32 ABCD -1500 W
  0x000c, 0xf850, // AvailablePower u32 850,000 W
  0x000f, 0x4240, // RatedPower u32 1,000,000 W
  1234, // FuelFlow 123.4 scfm
  850, // LoadPercent 85.0 % (not used)
  0xffff, 0xffff, // EnergyForward 4,294,967,295 Wh
  3801, // OutputVoltage 380.1 V
  1200, // GasHeatingValue (not used)
];

/** FG-PM1, holding registers 0-13, 32/64-bit values low word first. */
export const PM1_DUMP: readonly number[] = [
  3805, // Voltage 380.5 V
  0xcfc7, 0xffff, // Current s32 CDAB -12,345 mA
  0x1253, 0x0000, // ActivePower s32 CDAB 4,691 W
  0x1a14, 0xbe99, 0x001c, 0x0000, // EnergyForward u64 CDAB 123,456,789,012 Wh
  0x1206, 0x000f, 0x0000, 0x0000, // EnergyReverse u64 CDAB 987,654 Wh
  1, // Status: counter reset since power-up
];

/** FG-BM1 model 201 points 40072-40124 (offsets 0-52); every point FlareGrid does not set is 'not implemented'. */
export function bm1Points(overrides: Record<number, number> = {}): number[] {
  const points = new Array<number>(53).fill(0x8000);
  const set: Record<number, number> = {
    0: 1234, // A 123.4 A with A_SF -1
    4: 0xffff, // A_SF -1
    5: 3802, // PhV 380.2 V with V_SF -1
    13: 0xffff, // V_SF -1
    14: 0x8000, // Hz not implemented (DC)
    15: 0x8000, // Hz_SF not implemented
    16: 4680, // W 46,800 W with W_SF 1
    20: 1, // W_SF 1
    36: 0, 37: 0, // TotWhExp acc32 0 = not accumulated
    44: 0x0001, 45: 0xe240, // TotWhImp 123,456 Wh
    52: 0, // TotWh_SF 0
    ...overrides,
  };
  for (const [offset, value] of Object.entries(set)) points[Number(offset)] = value;
  return points;
}

/** Eastron SDM630 input registers 0-75, IEEE 754 float32 high word first. */
export function sdm630Registers(overrides: Record<number, [number, number]> = {}): number[] {
  const registers = new Array<number>(76).fill(0);
  const set: Record<number, [number, number]> = {
    0: [0x4366, 0x0000], // phase 1 voltage 230.0 V
    6: [0x40a0, 0x0000], // phase 1 current 5.0 A
    52: [0x449a, 0x5000], // total system power 1234.5 W
    70: [0x4248, 0x0000], // frequency 50.0 Hz
    72: [0x4148, 0x0000], // import 12.5 kWh
    74: [0x3f80, 0x0000], // export 1.0 kWh
    ...overrides,
  };
  for (const [address, [hi, lo]] of Object.entries(set)) {
    registers[Number(address)] = hi;
    registers[Number(address) + 1] = lo;
  }
  return registers;
}

/** 'FlareGrid' etc. as SunSpec string registers, two ASCII characters each, NUL padded to `words`. */
export function sunSpecText(value: string, words: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < words * 2; i += 2) out.push(((value.charCodeAt(i) || 0) << 8) | (value.charCodeAt(i + 1) || 0));
  return out;
}

/**
 * A SunSpec device's map laid out by hand from the SunSpec layout: marker, common model (id 1, length 66),
 * the given models, end marker. Reads outside it answer exception 02, as a real device does.
 */
export function sunSpecDevice(base: number, models: { id: number; points: number[] }[]): Map<number, number> {
  const words = [0x5375, 0x6e53, 1, 66, ...sunSpecText('Acme Meters', 16), ...sunSpecText('AM-300', 16), ...sunSpecText('', 8), ...sunSpecText('2.1', 8), ...sunSpecText('SN-0042', 16), 7, 0x8000];
  for (const model of models) words.push(model.id, model.points.length, ...model.points);
  words.push(0xffff, 0);
  return new Map(words.map((w, i) => [base + i, w]));
}

/** model 201 points (105) with W = 1500, W_SF = 0, TotWhImp = 70,000 Wh, TotWhExp not accumulated, TotWh_SF = 0 */
export function meter201(): number[] {
  const points = new Array<number>(105).fill(0x8000);
  points[36] = 0;
  points[37] = 0;
  points[16] = 1500;
  points[20] = 0;
  points[44] = 0x0001;
  points[45] = 0x1170;
  points[52] = 0;
  return points;
}

