// A SunSpec meter's register map, written from the SunSpec Information Model's own tables (github.com/sunspec/
// models, json/model_1.json and json/model_201.json … model_204.json), not from lib/metering: the 'SunS' marker,
// common model 1, one integer + scale factor meter model, and the end marker. Test peers serve it.

/** 'SunS', big-endian, in two registers (SunSpec: the well-known value 0x53756e53). */
const MARKER = [0x5375, 0x6e53];
const END_MARKER = [0xffff, 0];

// "Not implemented" as the Information Model defines it per type.
const NOT_IMPLEMENTED = { int16: 0x8000, sunssf: 0x8000, acc32: 0, bitfield32: 0xffffffff } as const;
type PointType = keyof typeof NOT_IMPLEMENTED;

/**
 * Model 1, common (L = 66): Mn 16, Md 16, Opt 8, Vr 8, SN 16 registers of text, DA, Pad. Strings are ASCII,
 * two characters a register, NUL-padded.
 */
export interface SunSpecCommon {
  manufacturer: string;
  model: string;
  options?: string;
  version?: string;
  serialNumber: string;
  /** DA, the Modbus device address */
  deviceAddress?: number;
}

// Models 201 (single phase), 202 (split phase), 203 (wye) and 204 (delta) share one layout of 105 registers
// after ID and L, in this order (model_203.json "points"); phase points a meter lacks are simply not implemented.
const PHASES = ['', 'phA', 'phB', 'phC'];
const ENERGY_PHASES = ['', 'PhA', 'PhB', 'PhC'];
const METER_POINTS: readonly (readonly [string, PointType])[] = [
  ...PHASES.map((p) => [`A${p}`, 'int16'] as const), ['A_SF', 'sunssf'],
  ['PhV', 'int16'], ['PhVphA', 'int16'], ['PhVphB', 'int16'], ['PhVphC', 'int16'],
  ['PPV', 'int16'], ['PhVphAB', 'int16'], ['PhVphBC', 'int16'], ['PhVphCA', 'int16'], ['V_SF', 'sunssf'],
  ['Hz', 'int16'], ['Hz_SF', 'sunssf'],
  ...PHASES.map((p) => [`W${p}`, 'int16'] as const), ['W_SF', 'sunssf'],
  ...PHASES.map((p) => [`VA${p}`, 'int16'] as const), ['VA_SF', 'sunssf'],
  ...PHASES.map((p) => [`VAR${p}`, 'int16'] as const), ['VAR_SF', 'sunssf'],
  ...PHASES.map((p) => [`PF${p}`, 'int16'] as const), ['PF_SF', 'sunssf'],
  ...['TotWhExp', 'TotWhImp'].flatMap((n) => ENERGY_PHASES.map((p) => [`${n}${p}`, 'acc32'] as const)), ['TotWh_SF', 'sunssf'],
  ...['TotVAhExp', 'TotVAhImp'].flatMap((n) => ENERGY_PHASES.map((p) => [`${n}${p}`, 'acc32'] as const)), ['TotVAh_SF', 'sunssf'],
  ...['TotVArhImpQ1', 'TotVArhImpQ2', 'TotVArhExpQ3', 'TotVArhExpQ4'].flatMap((n) => ENERGY_PHASES.map((p) => [`${n}${p}`, 'acc32'] as const)),
  ['TotVArh_SF', 'sunssf'],
  ['Evt', 'bitfield32'],
];
const METER_MODEL_LENGTH = 105;
const WIDTH: Record<PointType, 1 | 2> = { int16: 1, sunssf: 1, acc32: 2, bitfield32: 2 };

export interface SunSpecMeterMapOptions {
  /** address of the 'SunS' marker: SunSpec devices use 40000, 0 or 50000 */
  base: number;
  model: 201 | 202 | 203 | 204;
  common: SunSpecCommon;
  /**
   * Meter points by their SunSpec name, as the registers carry them: int16 and sunssf signed, acc32 and
   * bitfield32 unsigned 32-bit. A point left out reads "not implemented"; Evt (mandatory) defaults to 0.
   */
  points: Readonly<Record<string, number>>;
}

function text(value: string, registers: number): number[] {
  const bytes = Buffer.alloc(registers * 2);
  bytes.write(value.slice(0, registers * 2), 'ascii');
  return Array.from({ length: registers }, (_, i) => bytes.readUInt16BE(i * 2));
}

function words(type: PointType, value: number): number[] {
  return WIDTH[type] === 1 ? [value & 0xffff] : [Math.floor(value / 0x10000) & 0xffff, value & 0xffff];
}

/** Offset of each meter point after the model's ID and L registers. */
export const SUNSPEC_METER_POINT_OFFSETS: ReadonlyMap<string, number> = (() => {
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const [name, type] of METER_POINTS) {
    offsets.set(name, offset);
    offset += WIDTH[type];
  }
  if (offset !== METER_MODEL_LENGTH) throw new Error(`meter model layout has ${offset} registers, not ${METER_MODEL_LENGTH}`);
  return offsets;
})();

/** The whole device as register address → word, from `base` to the end marker. */
export function sunSpecMeterMap(options: SunSpecMeterMapOptions): Map<number, number> {
  const unknown = Object.keys(options.points).filter((name) => !SUNSPEC_METER_POINT_OFFSETS.has(name));
  if (unknown.length > 0) throw new Error(`not points of SunSpec model ${options.model}: ${unknown.join(', ')}`);
  const c = options.common;
  const common = [
    ...text(c.manufacturer, 16), ...text(c.model, 16), ...text(c.options ?? '', 8), ...text(c.version ?? '', 8),
    ...text(c.serialNumber, 16), c.deviceAddress ?? 1, 0,
  ];
  const points: Readonly<Record<string, number>> = { Evt: 0, ...options.points };
  const meter = METER_POINTS.flatMap(([name, type]) => words(type, points[name] ?? NOT_IMPLEMENTED[type]));
  const registers = [...MARKER, 1, common.length, ...common, options.model, meter.length, ...meter, ...END_MARKER];
  return new Map(registers.map((word, i) => [options.base + i, word]));
}

/** Where a meter point sits in a map built with that base: marker 2, common model 2 + 66, then ID and L. */
export function sunSpecMeterPointAddress(base: number, name: string): number {
  const offset = SUNSPEC_METER_POINT_OFFSETS.get(name);
  if (offset === undefined) throw new Error(`${name} is not a SunSpec meter point`);
  return base + 2 + 2 + 66 + 2 + offset;
}
