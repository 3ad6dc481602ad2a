// Profile validation: the JSON Schema (shared with the editor and outside participants) first, then the
// consistency rules a schema cannot state (unique names, scale-factor registers that exist, one register per
// field). Every problem becomes one readable sentence, so a plant engineer can fix a custom profile unaided.

import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import schema from '../schemas/meter-profile.schema.json';
import { MeteringError } from './errors';
import type { MeterProfile, NativeField, RegisterSpec } from './types';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const checkSchema = ajv.compile<MeterProfile>(schema);

/** the schema's $id, for a profile file's "$schema" property */
export const METER_PROFILE_SCHEMA_ID: string = schema.$id;
export const meterProfileSchema: unknown = schema;

function jsonPath(instancePath: string): string {
  if (instancePath === '') return 'the profile';
  return instancePath
    .slice(1)
    .split('/')
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

// Schema keywords whose default ajv message says nothing a person can use.
const SCHEMA_PATH_SENTENCES: Record<string, string> = {
  '#/not': 'must not have both scale and scaleFactorRegister',
  '#/else/not': 'may only have words when its type is string',
};

function sentence(error: ErrorObject): string | undefined {
  const where = jsonPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing branch reports the real problem
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'required':
      return `${where} is missing the required property '${String(params.missingProperty)}'`;
    case 'additionalProperties':
      return `${where} has an unknown property '${String(params.additionalProperty)}'`;
    case 'propertyNames':
      return `${where} has a property '${String(params.propertyName)}' that is not a numeric field`;
    default: {
      const known = SCHEMA_PATH_SENTENCES[error.schemaPath];
      return `${where} ${known ?? error.message ?? 'is invalid'}`;
    }
  }
}

function consistencyProblems(profile: MeterProfile): string[] {
  const problems: string[] = [];
  const byName = new Map<string, RegisterSpec>();
  const fieldOwner = new Map<NativeField, string>();
  profile.registers.forEach((register, i) => {
    const where = `registers[${i}] (${register.name})`;
    if (byName.has(register.name)) problems.push(`${where} repeats the register name '${register.name}'`);
    byName.set(register.name, register);
    if (register.field !== undefined) {
      const owner = fieldOwner.get(register.field);
      if (owner !== undefined) problems.push(`${where} feeds ${register.field}, which ${owner} already feeds`);
      fieldOwner.set(register.field, register.name);
      if ((register.field === 'serialNumber') !== (register.type === 'string')) {
        problems.push(`${where} of type ${register.type} cannot feed ${register.field}: only string registers feed serialNumber, and they feed nothing else`);
      }
    }
    if (register.type === 'sunssf' && (register.field !== undefined || register.scale !== undefined)) {
      problems.push(`${where} is a sunssf scale factor and cannot have a field or a scale`);
    }
    if (register.range !== undefined && register.range.min > register.range.max) {
      problems.push(`${where}.range has min above max`);
    }
  });
  profile.registers.forEach((register, i) => {
    if (register.scaleFactorRegister === undefined) return;
    const sf = byName.get(register.scaleFactorRegister);
    const where = `registers[${i}] (${register.name})`;
    if (sf === undefined) problems.push(`${where} names the scale factor register '${register.scaleFactorRegister}', which the profile does not have`);
    else if (sf.type !== 'sunssf') problems.push(`${where} names '${sf.name}' as its scale factor register, but its type is ${sf.type}, not sunssf`);
    else if (sf.fc !== register.fc) problems.push(`${where} is read with function ${register.fc} but its scale factor '${sf.name}' with function ${sf.fc}`);
  });
  for (const [field, range] of Object.entries(profile.ranges ?? {})) {
    if (range.min > range.max) problems.push(`ranges.${field} has min above max`);
  }
  return problems;
}

/** Returns the profile typed, or throws a MeteringError PROFILE_INVALID listing every problem. */
export function validateProfile(json: unknown): MeterProfile {
  if (!checkSchema(json)) {
    const problems = (checkSchema.errors ?? []).map(sentence).filter((s): s is string => s !== undefined);
    throw invalid(json, [...new Set(problems)]);
  }
  const problems = consistencyProblems(json);
  if (problems.length > 0) throw invalid(json, problems);
  return json;
}

function invalid(json: unknown, problems: string[]): MeteringError {
  const id = typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string' ? ` '${(json as { id: string }).id}'` : '';
  return new MeteringError('PROFILE_INVALID', `The meter profile${id} is not valid: ${problems.join('; ')}.`, { problems });
}

/** A profile a user pasted or uploaded: JSON text or an already parsed object. */
export function parseCustomProfile(input: string | object): MeterProfile {
  if (typeof input !== 'string') return validateProfile(input);
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch (cause) {
    throw new MeteringError('PROFILE_PARSE', `The meter profile is not valid JSON: ${(cause as Error).message}.`, { cause });
  }
  return validateProfile(json);
}
