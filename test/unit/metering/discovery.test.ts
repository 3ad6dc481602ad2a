import assert from 'node:assert/strict';
import { decodeBlocks } from '../../../lib/metering/decode';
import { MeteringError } from '../../../lib/metering/errors';
import { SunSpecDiscovery, type DiscoveryStep } from '../../../lib/metering/sunspec-discovery';
import type { ReadRequest } from '../../../lib/metering/types';
import { meter201, sunSpecDevice as device } from './fixtures';

class IllegalAddress extends Error {}

function run(discovery: SunSpecDiscovery, memory: Map<number, number>): { step: DiscoveryStep; reads: ReadRequest[] } {
  const reads: ReadRequest[] = [];
  for (let i = 0; i < 100; i++) {
    const step = discovery.next();
    if (!('read' in step)) return { step, reads };
    reads.push(step.read);
    const { address, quantity } = step.read;
    const registers = Array.from({ length: quantity }, (_, k) => memory.get(address + k));
    if (registers.some((r) => r === undefined)) discovery.acceptError(new IllegalAddress('exception 02'));
    else discovery.accept(registers as number[]);
  }
  assert.fail('discovery did not finish');
}

function done(step: DiscoveryStep) {
  if (!('done' in step)) assert.fail(`discovery did not succeed: ${JSON.stringify(step)}`);
  return step;
}

describe('metering SunSpec discovery', () => {
  it('finds the map at 40000, walks the chain and builds a profile for the meter model', () => {
    const memory = device(40000, [{ id: 201, points: meter201() }]);
    const { step, reads } = run(new SunSpecDiscovery(), memory);
    const result = done(step);
    assert.deepEqual(reads, [
      { fc: 3, address: 40000, quantity: 2 },
      { fc: 3, address: 40002, quantity: 2 },
      { fc: 3, address: 40070, quantity: 2 },
      { fc: 3, address: 40177, quantity: 2 },
      { fc: 3, address: 40004, quantity: 66 },
    ]);
    assert.deepEqual(result.models, [
      { id: 1, address: 40002, length: 66 },
      { id: 201, address: 40070, length: 105 },
    ]);
    assert.deepEqual(result.device, { manufacturer: 'Acme Meters', model: 'AM-300', options: '', version: '2.1', serialNumber: 'SN-0042', deviceAddress: 7 });
    assert.equal(result.done.id, 'sunspec-acme-meters-am-300-201');
    assert.equal(result.done.manufacturer, 'Acme Meters');
    const block = Array.from({ length: 53 }, (_, k) => memory.get(40072 + k) as number);
    assert.deepEqual(decodeBlocks(result.done, [{ fc: 3, address: 40072, registers: block }]), { powerW: 1500, forwardEnergyWh: 70_000, forwardEnergyWrapWh: 4_294_967_296 });
  });

  it('tries 0 after an exception at 40000, and skips non-meter models before the meter', () => {
    const memory = device(0, [{ id: 101, points: new Array<number>(50).fill(0) }, { id: 203, points: meter201() }]);
    const result = done(run(new SunSpecDiscovery(), memory).step);
    assert.deepEqual(result.models.map((m) => [m.id, m.address]), [[1, 2], [101, 70], [203, 122]]);
    assert.equal(result.done.registers.find((r) => r.name === 'W')?.address, 122 + 2 + 16);
  });

  it('tries 50000 when 40000 holds something else and 0 answers an exception', () => {
    const memory = device(50000, [{ id: 211, points: new Array<number>(124).fill(0x7fc0) }]);
    memory.set(40000, 0);
    memory.set(40001, 0);
    const { step, reads } = run(new SunSpecDiscovery(), memory);
    const result = done(step);
    assert.deepEqual(reads.slice(0, 3).map((r) => r.address), [40000, 0, 50000]);
    assert.equal(result.done.registers.find((r) => r.name === 'W')?.type, 'f32');
    assert.equal(result.done.registers.find((r) => r.name === 'W')?.address, 50070 + 2 + 26);
  });

  it('fails when no base has the marker, or the device has no meter model', () => {
    const none = run(new SunSpecDiscovery(), new Map()).step;
    assert.ok('failed' in none && none.failed.code === 'SUNSPEC_NOT_FOUND');
    assert.match((none as { failed: MeteringError }).failed.message, /40000, 0, 50000/);
    const inverterOnly = run(new SunSpecDiscovery(), device(40000, [{ id: 103, points: new Array<number>(50).fill(0) }])).step;
    assert.ok('failed' in inverterOnly && inverterOnly.failed.code === 'SUNSPEC_NO_METER');
    assert.match(inverterOnly.failed.message, /models found: 1, 103/);
  });

  it('fails on an exception after the marker, a chain without end, and refuses answers once finished', () => {
    const memory = device(40000, [{ id: 201, points: meter201() }]);
    memory.delete(40177);
    const broken = run(new SunSpecDiscovery(), memory).step;
    assert.ok('failed' in broken && broken.failed.code === 'SUNSPEC_READ');
    const loop = new Map([[40000, 0x5375], [40001, 0x6e53], [40002, 5], [40003, 0xfffd]]);
    const endless = new SunSpecDiscovery({ baseAddresses: [40000], maxModels: 4 });
    const step = run(endless, loop).step;
    assert.ok('failed' in step && step.failed.code === 'SUNSPEC_MODEL_CHAIN');
    assert.throws(() => endless.accept([0, 0]), (err: unknown) => err instanceof MeteringError && err.code === 'DISCOVERY_STATE');
  });

  it('treats a short answer as a failed read', () => {
    const discovery = new SunSpecDiscovery();
    discovery.accept([0x5375]);
    const step = discovery.next();
    assert.ok('failed' in step && step.failed.code === 'SUNSPEC_READ');
  });
});
