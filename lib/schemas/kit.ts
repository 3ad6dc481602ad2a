// Building blocks of the contracts. Every contract is written once, here in lib/schemas, with TypeBox: one
// expression yields the JSON Schema (a plain object: ajv compiles it, the build publishes it for outside
// participants, the editor reads its enums) and the TypeScript type (Static<typeof schema>). Why TypeBox rather
// than JSON files with types derived by json-schema-to-ts: the schema is then a runtime value that code can
// compose, read enums from and publish, and the static type needs no deep type-level parsing of literals (which
// slows the compiler and gives unreadable errors). @sinclair/typebox 0.34 ships CommonJS, as our build emits.

import { Type, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

export { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Where our published schemas live; a schema's $id is BASE + its file name. */
export const SCHEMA_BASE_URL = 'https://flaregrid.dev/schemas/';

/**
 * A string from a closed list, published as a plain `enum` (readable by people and every JSON Schema tool),
 * typed as the union of its members.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * An identifier that is also an MQTT topic level (docs/contracts.md topics put site, market, meter and participant ids
 * in topic paths): letters, digits and _ . : - only, so no '/', '+' or '#' can reach a topic.
 */
export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';
export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });

/** ISO 8601 date-time with a zone; every contract timestamp is one (docs/contracts.md: UTC). */
export const IsoTime = (description: string) => Type.String({ format: 'date-time', description });

/** Whole watt-hours of 0 or more: energy is counted in integers so that money (E × P / 1000) stays exact. */
export const WholeWh = (description: string) => Type.Integer({ minimum: 0, description });

/** Millisatoshis, an integer: money is never a float. */
export const Msat = (description: string) => Type.Integer({ minimum: 0, description });

/** A price in integer msat per kWh (1 sat/kWh = 1,000 msat/kWh). */
export const PriceMsatPerKwh = (description: string) => Type.Integer({ minimum: 0, description });

/** A Lightning node public key: 33-byte compressed secp256k1, hex. */
export const NodePubkey = (description: string) => Type.String({ pattern: '^(02|03)[0-9a-f]{64}$', description });

export const Hex32 = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
