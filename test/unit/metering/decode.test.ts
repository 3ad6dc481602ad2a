import assert from 'node:assert/strict';
import { compileProfile, decodeBlocks } from '../../../lib/metering/decode';
import { MeteringError } from '../../../lib/metering/errors';
import { loadBuiltinProfiles } from '../../../lib/metering/profiles';
import type { MeterProfile } from '../../../lib/metering/types';
import { validateProfile } from '../../../lib/metering/validate';
import { bm1Points, builtin, GC1_DUMP, PM1_DUMP, sdm630Registers } from './fixtures';

function rejects(fn: () => unknown, code: string, text: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MeteringError, 'a MeteringError');
    assert.equal(err.code, code);
    assert.match(err.message, text);
    return true;
  });
}

describe('metering decode', () => {
  it('decodes an FG-GC1 dump: s32 negative power, u32 values, scaled u16, wrap of the u32 counter', () => {
    const values = decodeBlocks(builtin('flaregrid-gc1'), [{ fc: 3, address: 0, registers: GC1_DUMP }]);
    assert.deepEqual(values, {
      runState: 2,
      alarms: 20,
      powerW: -1500,
      availablePowerW: 850_000,
      ratedPowerW: 1_000_000,
      fuelScfm: 123.4,
      forwardEnergyWh: 4_294_967_295,
      forwardEnergyWrapWh: 4_294_967_296,
      voltageV: 380.1,
    });
  });

  it('decodes an FG-PM1 dump: CDAB s32 and u64 (123,456,789,012 Wh)', () => {
    const values = decodeBlocks(builtin('flaregrid-pm1'), [{ fc: 3, address: 0, registers: PM1_DUMP }]);
    assert.deepEqual(values, {
      voltageV: 380.5,
      currentA: -12.345,
      powerW: 4691,
      forwardEnergyWh: 123_456_789_012,
      reverseEnergyWh: 987_654,
      statusFlags: 1,
    });
  });

  it('decodes FG-BM1 SunSpec points with their scale factors; not-implemented points are absent', () => {
    const profile = builtin('flaregrid-bm1');
    const values = decodeBlocks(profile, [{ fc: 3, address: 40072, registers: bm1Points() }]);
    assert.deepEqual(values, { currentA: 123.4, voltageV: 380.2, powerW: 46_800, forwardEnergyWh: 123_456, forwardEnergyWrapWh: 4_294_967_296 });
    assert.equal('frequencyHz' in values, false);
    assert.equal('reverseEnergyWh' in values, false);
  });

  it('has a golden dump above for every built-in profile (sunspec-meter shares FG-BM1\'s layout)', () => {
    const golden: Record<string, () => unknown> = {
      'flaregrid-gc1': () => decodeBlocks(builtin('flaregrid-gc1'), [{ fc: 3, address: 0, registers: GC1_DUMP }]).powerW,
      'flaregrid-pm1': () => decodeBlocks(builtin('flaregrid-pm1'), [{ fc: 3, address: 0, registers: PM1_DUMP }]).powerW,
      'flaregrid-bm1': () => decodeBlocks(builtin('flaregrid-bm1'), [{ fc: 3, address: 40072, registers: bm1Points() }]).powerW,
      'sunspec-meter': () => decodeBlocks(builtin('sunspec-meter'), [{ fc: 3, address: 40072, registers: bm1Points() }]).powerW,
      'eastron-sdm630': () =>
        decodeBlocks(builtin('eastron-sdm630'), [
          { fc: 4, address: 0, registers: sdm630Registers().slice(0, 8) },
          { fc: 4, address: 52, registers: sdm630Registers().slice(52, 76) },
        ]).powerW,
    };
    assert.deepEqual(Object.keys(golden).sort(), loadBuiltinProfiles().map((p) => p.id).sort());
    assert.deepEqual(Object.values(golden).map((decode) => decode()), [-1500, 4691, 46_800, 46_800, 1234.5]);
  });

  it('applies a scale factor read in the same block, including its effect on the counter wrap', () => {
    // W_SF -2: 4680 -> 46.8 W; TotWh_SF 3: counters in kWh steps.
    const values = decodeBlocks(builtin('flaregrid-bm1'), [{ fc: 3, address: 40072, registers: bm1Points({ 20: 0xfffe, 52: 3, 36: 0, 37: 7 }) }]);
    assert.equal(values.powerW, 46.8);
    assert.equal(values.reverseEnergyWh, 7000);
    assert.equal(values.forwardEnergyWh, 123_456_000);
    assert.equal(values.forwardEnergyWrapWh, 4_294_967_296_000);
  });

  it('drops a value whose scale factor is not implemented, and rejects a scale factor beyond ±10', () => {
    const values = decodeBlocks(builtin('flaregrid-bm1'), [{ fc: 3, address: 40072, registers: bm1Points({ 20: 0x8000 }) }]);
    assert.equal(values.powerW, undefined);
    rejects(() => decodeBlocks(builtin('flaregrid-bm1'), [{ fc: 3, address: 40072, registers: bm1Points({ 20: 11 }) }]), 'REGISTER_VALUE', /W_SF.*scale factor outside/);
  });

  it('decodes an Eastron SDM630 dump (float32, kWh scaled to Wh); NaN is absent', () => {
    const profile = builtin('eastron-sdm630');
    // The hole between 8 and 52 is wider than the default bridge: two short reads (cheaper on 9600 baud RS-485).
    assert.deepEqual(compileProfile(profile).reads, [
      { fc: 4, address: 0, quantity: 8 },
      { fc: 4, address: 52, quantity: 24 },
    ]);
    const blocks = (registers: number[]) => [
      { fc: 4, address: 0, registers: registers.slice(0, 8) },
      { fc: 4, address: 52, registers: registers.slice(52, 76) },
    ];
    const values = decodeBlocks(profile, blocks(sdm630Registers()));
    assert.deepEqual(values, { voltageV: 230, currentA: 5, powerW: 1234.5, frequencyHz: 50, forwardEnergyWh: 12_500, reverseEnergyWh: 1000 });
    const exporting = decodeBlocks(profile, blocks(sdm630Registers({ 52: [0xc49a, 0x5000], 74: [0x7fc0, 0x0000] })));
    assert.equal(exporting.powerW, -1234.5);
    assert.equal('reverseEnergyWh' in exporting, false);
  });

  it('decodes s64, f64, CDAB f32 and string registers of a custom profile', () => {
    const profile: MeterProfile = validateProfile({
      id: 'test-wide',
      name: 'wide types',
      manufacturer: 'test',
      model: 'wide',
      source: 'hand-typed',
      kind: 'load',
      registers: [
        { name: 'Big', address: 0, fc: 4, type: 's64', field: 'reverseEnergyWh' },
        { name: 'Double', address: 4, fc: 4, type: 'f64', field: 'powerW' },
        { name: 'Swapped', address: 8, fc: 4, type: 'f32', wordOrder: 'CDAB', field: 'voltageV' },
        { name: 'Serial', address: 10, fc: 4, type: 'string', words: 4, field: 'serialNumber' },
      ],
    });
    const registers = [0xffff, 0xffff, 0xffff, 0xfffe, 0x4093, 0x4a00, 0, 0, 0x0000, 0x4366, 0x4647, 0x2d42, 0x4d31, 0x0000];
    assert.deepEqual(decodeBlocks(profile, [{ fc: 4, address: 0, registers }]), { reverseEnergyWh: -2, powerW: 1234.5, voltageV: 230, serialNumber: 'FG-BM1' });
  });

  it('accepts blocks in any order and ignores extra blocks', () => {
    const decoder = compileProfile(builtin('flaregrid-pm1'));
    const values = decoder.decode([{ fc: 4, address: 0, registers: [1] }, { fc: 3, address: 0, registers: PM1_DUMP }]);
    assert.equal(values.powerW, 4691);
  });

  it('rejects a missing block, a block of the wrong length and values that are not registers', () => {
    const decoder = compileProfile(builtin('flaregrid-pm1'));
    rejects(() => decoder.decode([]), 'BLOCK_MISSING', /14 holding registers at 0 \(function 3\).*flaregrid-pm1/);
    rejects(() => decoder.decode([{ fc: 3, address: 0, registers: PM1_DUMP.slice(0, 13) }]), 'BLOCK_LENGTH', /returned 13 registers; profile flaregrid-pm1 needs 14/);
    for (const bad of [70_000, -1, 1.5, Number.NaN]) {
      const registers = [...PM1_DUMP];
      registers[6] = bad;
      rejects(() => decoder.decode([{ fc: 3, address: 0, registers }]), 'REGISTER_VALUE', /EnergyForward .* not a 16-bit register value/);
    }
  });

  it('a compiled decoder is reusable and its results are independent objects', () => {
    const decoder = compileProfile(builtin('flaregrid-gc1'));
    const first = decoder.decode([{ fc: 3, address: 0, registers: GC1_DUMP }]);
    const changed = [...GC1_DUMP];
    changed[3] = 1000;
    const second = decoder.decode([{ fc: 3, address: 0, registers: changed }]);
    assert.equal(first.powerW, -1500);
    assert.equal(second.powerW, -64536);
  });
});
