// The values the decoder produces, and the meter profile's types from its contract (lib/schemas/meter-profile.ts).
// A profile is data: adding a meter never needs code.

import type { FunctionCode, NumericField } from '../schemas/meter-profile';

export {
  FUNCTION_CODES,
  NATIVE_FIELDS,
  NUMERIC_FIELDS,
  REGISTER_TYPES,
  WORD_ORDERS,
  type FunctionCode,
  type MeterProfile,
  type NativeField,
  type NumericField,
  type RegisterSpec,
  type RegisterType,
  type WordOrder,
} from '../schemas/meter-profile';

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
