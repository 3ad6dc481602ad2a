// The meter profile contract: a Modbus meter's register map as data (which registers to read, how to decode
// them, which native value each feeds), for built-in profiles, custom profiles from the edit dialog and JSON files
// from integrators. The edit dialog builds its custom-profile table from this schema (field lists and enums), so
// a property added here reaches the editor without an edit there.

import { METER_ROLES } from './metering';
import { StringEnum, Type, type Static } from './kit';

/** How the 16-bit words of one value are decoded; the width comes from the type. */
export const REGISTER_TYPES = ['u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'acc32', 'sunssf', 'string'] as const;
export type RegisterType = (typeof REGISTER_TYPES)[number];

/** ABCD: most significant word first. CDAB: least significant word first, for every width (32 and 64 bit). */
export const WORD_ORDERS = ['ABCD', 'CDAB'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];

/** 3 holding registers, 4 input registers */
export const FUNCTION_CODES = [3, 4] as const;
export type FunctionCode = (typeof FUNCTION_CODES)[number];

/**
 * The closed list of native values a register can feed. "Forward" is the meter's own direction: from its line
 * terminals to its load terminals; the tracker turns it into the bus sign.
 */
export const NUMERIC_FIELDS = [
  'powerW', 'forwardEnergyWh', 'reverseEnergyWh', 'voltageV', 'currentA', 'frequencyHz', 'availablePowerW',
  'ratedPowerW', 'fuelScfm', 'runState', 'alarms', 'statusFlags',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];
export const NATIVE_FIELDS = [...NUMERIC_FIELDS, 'serialNumber'] as const;
export type NativeField = (typeof NATIVE_FIELDS)[number];

export const SENTINEL_KINDS = ['sunspec', 'none'] as const;

const Range = Type.Object(
  { min: Type.Number(), max: Type.Number() },
  { additionalProperties: false, description: 'plausible range after scaling; outside it the reading is suspect' },
);

export const RegisterSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: 'a name unique within the profile' }),
    address: Type.Integer({ minimum: 0, maximum: 65535, description: '0-based PDU address' }),
    fc: Type.Unsafe<FunctionCode>({ enum: [...FUNCTION_CODES], description: '3 holding registers, 4 input registers' }),
    type: StringEnum(REGISTER_TYPES, {
      description: 'sunssf: SunSpec int16 scale factor (value x 10^sf); acc32: SunSpec uint32 accumulator; string: ASCII, two characters per register',
    }),
    wordOrder: Type.Optional(StringEnum(WORD_ORDERS, { description: 'ABCD most significant word first; CDAB least significant word first' })),
    words: Type.Optional(Type.Integer({ minimum: 1, maximum: 125, description: 'registers of a string' })),
    scale: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'multiplier from the raw value to the unit; default 1' })),
    scaleFactorRegister: Type.Optional(Type.String({ description: 'name of a sunssf register of the same function code' })),
    unit: Type.Optional(Type.String()),
    field: Type.Optional(StringEnum(NATIVE_FIELDS, { description: 'the native value this register feeds' })),
    notImplemented: Type.Optional(Type.Number({ description: 'raw value, before scaling, that means not implemented' })),
    range: Type.Optional(Range),
    label: Type.Optional(Type.String({ description: "the register's name in the vendor's document" })),
  },
  {
    additionalProperties: false,
    not: { required: ['scale', 'scaleFactorRegister'] },
    if: { properties: { type: { const: 'string' } } },
    then: { required: ['words'] },
    else: { not: { required: ['words'] } },
  },
);
export type RegisterSpec = Static<typeof RegisterSpecSchema>;

export const MeterProfileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 64 }),
    name: Type.String({ minLength: 1 }),
    manufacturer: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1, description: 'where the register map comes from' }),
    kind: StringEnum(METER_ROLES, { description: 'the role a meter with this profile usually has' }),
    sentinels: Type.Optional(
      StringEnum(SENTINEL_KINDS, {
        description:
          "'sunspec': 0x8000 (s16), 0xFFFF (u16), 0x80000000 (s32), 0xFFFFFFFF (u32) mean not implemented. sunssf 0x8000, acc32 0 and NaN floats always do.",
      }),
    ),
    registers: Type.Array(RegisterSpecSchema, { minItems: 1 }),
    ranges: Type.Optional(
      Type.Unsafe<{ [F in NumericField]?: Static<typeof Range> }>({
        type: 'object',
        propertyNames: { enum: [...NUMERIC_FIELDS] },
        additionalProperties: Range,
      }),
    ),
    maxPowerW: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'the largest power the meter can pass, W' })),
    energyCounters: Type.Optional(
      Type.Object(
        { rolloverWh: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Wh at which the counters wrap, when not the register width x scale' })) },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'FlareGrid meter profile',
    description:
      "A Modbus meter's register map as data: which registers to read, how to decode them, and which native value each feeds. 'Forward' is the meter's own direction, from its line terminals to its load terminals.",
  },
);
export type MeterProfile = Static<typeof MeterProfileSchema>;

/** Sentences for the profile's rules whose ajv message says nothing a person can use, by schema path. */
export const METER_PROFILE_SENTENCES: Record<string, string> = {
  '#/properties/registers/items/not': 'must not have both scale and scaleFactorRegister',
  '#/properties/registers/items/else/not': 'may only have words when its type is string',
};
