// SunSpec meter models as data: the points FlareGrid uses from the int + scale factor models 201-204 and the
// float models 211-214 (SunSpec Information Model, "ac_meter"), and the profile built from them at whatever
// address discovery found the model. Offsets count from the first point, after the id and length registers.

import type { MeterProfile, NumericField, RegisterSpec, RegisterType } from './types';

/** 'SunS' in two registers */
export const SUNSPEC_MARKER: readonly [number, number] = [0x5375, 0x6e53];
export const SUNSPEC_END_ID = 0xffff;
export const SUNSPEC_COMMON_ID = 1;
export const SUNSPEC_INT_METER_MODELS: readonly number[] = [201, 202, 203, 204];
export const SUNSPEC_FLOAT_METER_MODELS: readonly number[] = [211, 212, 213, 214];

interface Point {
  name: string;
  offset: number;
  type: RegisterType;
  scaleFactor?: string;
  unit?: string;
  field?: NumericField;
}

// Models 201 (single phase), 202 (split phase), 203 (wye), 204 (delta) share this layout.
const INT_METER_POINTS: readonly Point[] = [
  { name: 'A', offset: 0, type: 's16', scaleFactor: 'A_SF', unit: 'A', field: 'currentA' },
  { name: 'A_SF', offset: 4, type: 'sunssf' },
  { name: 'PhV', offset: 5, type: 's16', scaleFactor: 'V_SF', unit: 'V', field: 'voltageV' },
  { name: 'V_SF', offset: 13, type: 'sunssf' },
  { name: 'Hz', offset: 14, type: 's16', scaleFactor: 'Hz_SF', unit: 'Hz', field: 'frequencyHz' },
  { name: 'Hz_SF', offset: 15, type: 'sunssf' },
  { name: 'W', offset: 16, type: 's16', scaleFactor: 'W_SF', unit: 'W', field: 'powerW' },
  { name: 'W_SF', offset: 20, type: 'sunssf' },
  { name: 'TotWhExp', offset: 36, type: 'acc32', scaleFactor: 'TotWh_SF', unit: 'Wh', field: 'reverseEnergyWh' },
  { name: 'TotWhImp', offset: 44, type: 'acc32', scaleFactor: 'TotWh_SF', unit: 'Wh', field: 'forwardEnergyWh' },
  { name: 'TotWh_SF', offset: 52, type: 'sunssf' },
];

// Models 211-214: the same points as IEEE 754 float32, already in their units; NaN = not implemented.
const FLOAT_METER_POINTS: readonly Point[] = [
  { name: 'A', offset: 0, type: 'f32', unit: 'A', field: 'currentA' },
  { name: 'PhV', offset: 8, type: 'f32', unit: 'V', field: 'voltageV' },
  { name: 'Hz', offset: 24, type: 'f32', unit: 'Hz', field: 'frequencyHz' },
  { name: 'W', offset: 26, type: 'f32', unit: 'W', field: 'powerW' },
  { name: 'TotWhExp', offset: 58, type: 'f32', unit: 'Wh', field: 'reverseEnergyWh' },
  { name: 'TotWhImp', offset: 66, type: 'f32', unit: 'Wh', field: 'forwardEnergyWh' },
];

export function isSunSpecMeterModel(id: number): boolean {
  return SUNSPEC_INT_METER_MODELS.includes(id) || SUNSPEC_FLOAT_METER_MODELS.includes(id);
}

export interface SunSpecMeterProfileOptions extends Pick<MeterProfile, 'id' | 'name' | 'manufacturer' | 'model' | 'source' | 'kind'> {
  /** the meter model's id (201-204, 211-214) */
  modelId: number;
  /** address of the model's id register; its first point is 2 further on */
  modelAddress: number;
}

export function sunSpecMeterProfile(options: SunSpecMeterProfileOptions): MeterProfile {
  const points = SUNSPEC_INT_METER_MODELS.includes(options.modelId) ? INT_METER_POINTS : FLOAT_METER_POINTS;
  const first = options.modelAddress + 2;
  const registers = points.map((point): RegisterSpec => {
    const register: RegisterSpec = { name: point.name, address: first + point.offset, fc: 3, type: point.type };
    if (point.type !== 'sunssf' && point.type !== 's16') register.wordOrder = 'ABCD';
    if (point.scaleFactor !== undefined) register.scaleFactorRegister = point.scaleFactor;
    if (point.unit !== undefined) register.unit = point.unit;
    if (point.field !== undefined) register.field = point.field;
    register.label = `SunSpec ${options.modelId} ${point.name}`;
    return register;
  });
  return {
    id: options.id,
    name: options.name,
    manufacturer: options.manufacturer,
    model: options.model,
    source: options.source,
    kind: options.kind,
    sentinels: 'sunspec',
    registers,
    ranges: { voltageV: { min: 0, max: 1000 }, frequencyHz: { min: 45, max: 65 } },
  };
}
