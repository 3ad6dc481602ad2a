// Profile validation: the MeterProfile contract (lib/schemas/meter-profile.ts, shared with the editor) first, then the
// consistency rules a schema cannot state (unique names, scale-factor registers that exist, one register per
// field). Every problem becomes one readable sentence, so a plant engineer can fix a custom profile unaided.

import { isMeterProfile } from '../schemas';
import { MeteringError } from './errors';
import type { MeterProfile, NativeField, RegisterSpec } from './types';

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
  if (!isMeterProfile(json)) throw invalid(json, isMeterProfile.problems(json));
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
