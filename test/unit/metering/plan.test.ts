import assert from 'node:assert/strict';
import { MeteringError } from '../../../lib/metering/errors';
import { planReads } from '../../../lib/metering/plan';
import type { MeterProfile, RegisterSpec } from '../../../lib/metering/types';
import { builtin } from './fixtures';

function profileOf(registers: RegisterSpec[]): MeterProfile {
  return { id: 'plan-test', name: 'plan test', manufacturer: 't', model: 't', source: 't', kind: 'load', registers };
}

describe('metering planReads', () => {
  it('reads each simulator map in the blocks its page describes', () => {
    assert.deepEqual(planReads(builtin('flaregrid-gc1')), [{ fc: 3, address: 0, quantity: 14 }]);
    assert.deepEqual(planReads(builtin('flaregrid-pm1')), [{ fc: 3, address: 0, quantity: 14 }]);
    assert.deepEqual(planReads(builtin('flaregrid-bm1')), [{ fc: 3, address: 40072, quantity: 53 }]);
  });

  it('groups per function code, in a deterministic order, bridging small gaps only', () => {
    const registers: RegisterSpec[] = [
      { name: 'Far', address: 300, fc: 4, type: 'f32' },
      { name: 'H2', address: 12, fc: 3, type: 'u32' },
      { name: 'I1', address: 0, fc: 4, type: 'f32' },
      { name: 'H1', address: 10, fc: 3, type: 'u16' },
      { name: 'I2', address: 6, fc: 4, type: 'f32' },
    ];
    const expected = [
      { fc: 3, address: 10, quantity: 4 },
      { fc: 4, address: 0, quantity: 8 },
      { fc: 4, address: 300, quantity: 2 },
    ];
    assert.deepEqual(planReads(profileOf(registers)), expected);
    assert.deepEqual(planReads(profileOf([...registers].reverse())), expected);
    assert.equal(planReads(profileOf(registers), { maxGapRegisters: 0 }).length, 5);
  });

  it('never crosses the per-read maximum and never splits a value', () => {
    const registers: RegisterSpec[] = Array.from({ length: 100 }, (_, i) => ({ name: `R${i}`, address: i * 2, fc: 3 as const, type: 'u32' as const }));
    const reads = planReads(profileOf(registers), { maxRegistersPerRead: 125 });
    assert.deepEqual(reads, [
      { fc: 3, address: 0, quantity: 124 },
      { fc: 3, address: 124, quantity: 76 },
    ]);
    for (const read of planReads(profileOf(registers), { maxRegistersPerRead: 7 })) assert.ok(read.quantity <= 7 && read.quantity % 2 === 0);
  });

  it('refuses a limit Modbus does not allow and a value wider than the limit', () => {
    assert.throws(() => planReads(builtin('flaregrid-pm1'), { maxRegistersPerRead: 126 }), RangeError);
    assert.throws(
      () => planReads(builtin('flaregrid-pm1'), { maxRegistersPerRead: 3 }),
      (err: unknown) => err instanceof MeteringError && err.code === 'PROFILE_INVALID' && /EnergyForward .* 4 registers/.test(err.message),
    );
  });
});
