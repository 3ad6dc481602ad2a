import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeteringError } from '../../../lib/metering/errors';
import { loadBuiltinProfiles } from '../../../lib/metering/profiles';
import { sunSpecMeterProfile } from '../../../lib/metering/sunspec';
import { CONTRACTS, publishedSchema } from '../../../lib/schemas/contracts';
import { parseCustomProfile, validateProfile } from '../../../lib/metering/validate';
import { builtin } from './fixtures';

const PROFILE_IDS = ['flaregrid-gc1', 'flaregrid-pm1', 'flaregrid-bm1', 'sunspec-meter', 'eastron-sdm630'];

function problemsOf(json: unknown): readonly string[] {
  try {
    validateProfile(json);
  } catch (err) {
    assert.ok(err instanceof MeteringError);
    assert.equal(err.code, 'PROFILE_INVALID');
    return err.problems;
  }
  assert.fail('the profile was accepted');
}

function pm1With(change: (json: Record<string, any>) => void): unknown {
  const json = structuredClone(builtin('flaregrid-pm1')) as Record<string, any>;
  change(json);
  return json;
}

describe('metering profiles', () => {
  it('ships every built-in profile, each valid against the schema, with its default role', () => {
    const profiles = loadBuiltinProfiles();
    assert.deepEqual(profiles.map((p) => p.id), PROFILE_IDS);
    for (const profile of profiles) assert.equal(validateProfile(structuredClone(profile)).id, profile.id);
    assert.deepEqual(profiles.map((p) => p.kind), ['genset', 'prosumer', 'bus', 'load', 'miner']);
    assert.equal(loadBuiltinProfiles(), profiles);
  });

  it('each profile file names the published profile schema by its $id', () => {
    const schema = publishedSchema(CONTRACTS.find((c) => c.name === 'MeterProfile')!) as { $id: string };
    for (const id of PROFILE_IDS) {
      const file = JSON.parse(readFileSync(join(__dirname, '../../../lib/metering/profiles', `${id}.json`), 'utf8')) as { $schema: string };
      assert.equal(file.$schema, schema.$id);
    }
  });

  it('the SunSpec profiles are what discovery builds for model 201 at 40070', () => {
    for (const id of ['flaregrid-bm1', 'sunspec-meter']) {
      const shipped = builtin(id);
      const built = sunSpecMeterProfile({ ...shipped, modelId: 201, modelAddress: 40070 });
      assert.deepEqual(shipped.registers, built.registers);
      assert.equal(shipped.sentinels, 'sunspec');
    }
  });

  it('names every schema problem in a readable sentence', () => {
    const problems = problemsOf(
      pm1With((json) => {
        json.registers[2].type = 'int32';
        json.registers[3].fc = 6;
        delete json.source;
        json.registers[4].colour = 'red';
        json.registers[5].scale = 1;
        json.registers[5].scaleFactorRegister = 'W_SF';
        json.ranges.power = { min: 0, max: 1 };
      }),
    );
    assert.ok(problems.includes('registers[2].type must be one of u16, s16, u32, s32, u64, s64, f32, f64, acc32, sunssf, string, got "int32"'), problems.join('\n'));
    assert.ok(problems.includes('registers[3].fc must be one of 3, 4, got 6'));
    assert.ok(problems.includes("the profile is missing the required property 'source'"));
    assert.ok(problems.includes("registers[4] has an unknown property 'colour'"));
    assert.ok(problems.includes('registers[5] must not have both scale and scaleFactorRegister'));
    assert.ok(problems.includes("ranges has a property 'power' that is not allowed there"));
    assert.equal(problems.length, 6, problems.join('\n'));
  });

  it('requires words for a string register and only there', () => {
    const problems = problemsOf(
      pm1With((json) => {
        json.registers[0].words = 2;
        json.registers.push({ name: 'Serial', address: 20, fc: 3, type: 'string', field: 'serialNumber' });
      }),
    );
    assert.deepEqual(problems, ["registers[0] may only have words when its type is string", "registers[6] is missing the required property 'words'"]);
  });

  it('checks what the schema cannot: names, fields, scale factor registers', () => {
    const problems = problemsOf(
      pm1With((json) => {
        json.registers[1].name = 'Voltage';
        json.registers[2].field = 'voltageV';
        json.registers[3].scaleFactorRegister = 'Missing';
        json.registers[4].scaleFactorRegister = 'Status';
        delete json.registers[3].scale;
        delete json.registers[4].scale;
      }),
    );
    assert.deepEqual(problems, [
      "registers[1] (Voltage) repeats the register name 'Voltage'",
      'registers[2] (ActivePower) feeds voltageV, which Voltage already feeds',
      "registers[3] (EnergyForward) names the scale factor register 'Missing', which the profile does not have",
      "registers[4] (EnergyReverse) names 'Status' as its scale factor register, but its type is u16, not sunssf",
    ]);
  });

  it('rejects inverted ranges and a scale factor register that feeds a field', () => {
    const problems = problemsOf(
      pm1With((json) => {
        json.ranges.powerW = { min: 5, max: -5 };
        json.registers[0].range = { min: 400, max: 300 };
        json.registers.push({ name: 'SF', address: 14, fc: 3, type: 'sunssf', field: 'alarms' });
      }),
    );
    assert.deepEqual(problems, [
      'registers[0] (Voltage).range has min above max',
      'registers[6] (SF) is a sunssf scale factor and cannot have a field or a scale',
      'ranges.powerW has min above max',
    ]);
  });

  it('parses a custom profile from text or an object, and says when the text is not JSON', () => {
    const text = JSON.stringify(builtin('eastron-sdm630'));
    assert.equal(parseCustomProfile(text).id, 'eastron-sdm630');
    assert.equal(parseCustomProfile(JSON.parse(text) as object).model, 'SDM630');
    assert.throws(() => parseCustomProfile('{"id": '), (err: unknown) => err instanceof MeteringError && err.code === 'PROFILE_PARSE' && /not valid JSON/.test(err.message));
    assert.throws(() => parseCustomProfile('[]'), (err: unknown) => err instanceof MeteringError && /the profile must be an object, got \[\]/.test(err.message));
  });
});
