// Shapes of a meter profile (lib/schemas/meter-profile.schema.json is the same contract for JSON files) and of
// the values the decoder produces. A profile is data: adding a meter never needs code.

import type { MeterRole } from '../schemas/contracts';

/** Modbus function code a register is read with: 3 holding registers, 4 input registers. */
export type FunctionCode = 3 | 4;

/**
 * How the 16-bit words of one value are laid out. The width comes from the type, never from this string.
 * sunssf is SunSpec's int16 scale factor (value × 10^sf); acc32 is SunSpec's uint32 accumulator (0 = not
 * implemented); string is ASCII, two characters per register, padded with NUL or space.
 */
export type RegisterType = 'u16' | 's16' | 'u32' | 's32' | 'u64' | 's64' | 'f32' | 'f64' | 'acc32' | 'sunssf' | 'string';

export const REGISTER_TYPES: readonly RegisterType[] = [
  'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'acc32', 'sunssf', 'string',
];

/** ABCD: most significant word first. CDAB: least significant word first, for every width (32 and 64 bit). */
export type WordOrder = 'ABCD' | 'CDAB';

/**
 * The closed list of native values a register can feed. "Forward" is the meter's own direction: from its line
 * terminals to its load terminals (sim/README.md "Direction"); the tracker turns it into the bus sign.
 * - powerW: forward-positive active power, W
 * - forwardEnergyWh / reverseEnergyWh: the meter's cumulative counters, Wh
 * - voltageV, currentA (forward-positive), frequencyHz
 * - availablePowerW: a genset's gas-limited capacity now, W; ratedPowerW: its nameplate rating, W
 * - fuelScfm: gas burned, standard cubic feet per minute
 * - runState: a controller's state enum; alarms: its alarm bitfield; statusFlags: a meter's status bitfield
 * - serialNumber: a string register (the only text field)
 */
export type NumericField =
  | 'powerW'
  | 'forwardEnergyWh'
  | 'reverseEnergyWh'
  | 'voltageV'
  | 'currentA'
  | 'frequencyHz'
  | 'availablePowerW'
  | 'ratedPowerW'
  | 'fuelScfm'
  | 'runState'
  | 'alarms'
  | 'statusFlags';

export type NativeField = NumericField | 'serialNumber';

export const NUMERIC_FIELDS: readonly NumericField[] = [
  'powerW', 'forwardEnergyWh', 'reverseEnergyWh', 'voltageV', 'currentA', 'frequencyHz', 'availablePowerW',
  'ratedPowerW', 'fuelScfm', 'runState', 'alarms', 'statusFlags',
];

export const NATIVE_FIELDS: readonly NativeField[] = [...NUMERIC_FIELDS, 'serialNumber'];

/**
 * What one decode produces; a field the meter did not report (or reported as 'not implemented') is absent.
 * Beside the fields, the decoder states where each energy counter wraps back to 0, in Wh (the register's width
 * × its scale, which for a SunSpec acc32 depends on the scale factor read with it); absent = never wraps.
 */
export type NativeValues = { [F in NumericField]?: number } & {
  serialNumber?: string;
  forwardEnergyWrapWh?: number;
  reverseEnergyWrapWh?: number;
};

export interface ValueRange {
  min: number;
  max: number;
}

export interface RegisterSpec {
  name: string;
  /** 0-based PDU address */
  address: number;
  fc: FunctionCode;
  type: RegisterType;
  /** default ABCD; only meaningful for types wider than one register */
  wordOrder?: WordOrder;
  /** number of registers of a string; required for type string, forbidden otherwise */
  words?: number;
  /** multiplier from the raw value to the unit; exclusive with scaleFactorRegister; default 1 */
  scale?: number;
  /** name of a sunssf register of the same function code: value × 10^sf */
  scaleFactorRegister?: string;
  unit?: string;
  field?: NativeField;
  /** raw value (as decoded for the type, before scaling) that means "not implemented" */
  notImplemented?: number;
  /** plausible range of the scaled value; outside it the reading is suspect */
  range?: ValueRange;
  /** label in the vendor's document (e.g. "30053" or "TotWhImp") */
  label?: string;
}

export interface MeterProfile {
  id: string;
  name: string;
  manufacturer: string;
  model: string;
  /** where the register map comes from (document, page, model id) */
  source: string;
  /** the role a meter with this profile usually has; the node's default */
  kind: MeterRole;
  /**
   * 'sunspec' makes SunSpec's not-implemented values implicit for s16 (0x8000), u16 (0xFFFF), s32 (0x80000000)
   * and u32 (0xFFFFFFFF). sunssf (0x8000), acc32 (0) and NaN floats are not-implemented in every profile.
   */
  sentinels?: 'sunspec' | 'none';
  registers: RegisterSpec[];
  /** plausible range per field, after scaling */
  ranges?: { [F in NumericField]?: ValueRange };
  /** the largest power this meter can pass, W; bounds how fast its counters may move */
  maxPowerW?: number;
  energyCounters?: {
    /**
     * Wh at which the counters wrap back to 0, when that is not simply the register's width × scale
     * (e.g. a counter that rolls at the display's 99,999,999.9 kWh).
     */
    rolloverWh?: number;
  };
}

/** A block read request, as node-red-contrib-modbus executes it. */
export interface ReadRequest {
  fc: FunctionCode;
  address: number;
  quantity: number;
}

/** A block read answer: the registers read from `address` onwards. */
export interface RegisterBlock {
  fc: number;
  address: number;
  registers: readonly number[];
}
