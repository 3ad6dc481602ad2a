import assert from 'node:assert/strict';
import { MeteringError } from '../../../lib/metering/errors';
import { MeterSession, SessionError, type MeterSessionOptions } from '../../../lib/metering/meter-session';
import { ReadAssembly } from '../../../lib/metering/read-assembly';
import { builtin, GC1_DUMP, meter201, PM1_DUMP, sunSpecDevice } from './fixtures';

const T0 = Date.parse('2026-11-25T12:00:00Z');

describe('ReadAssembly', () => {
  const plan = [
    { fc: 4 as const, address: 0, quantity: 8 },
    { fc: 4 as const, address: 52, quantity: 24 },
  ];

  it('completes once every planned block has an answer, whatever order they come in', () => {
    const assembly = new ReadAssembly(plan);
    const second = Array.from({ length: 24 }, (_, i) => 100 + i);
    assert.deepEqual(assembly.accept(plan[1], second), { kind: 'partial', missing: 1 });
    const result = assembly.accept(plan[0], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(result.kind, 'complete');
    assert.deepEqual(result.kind === 'complete' && result.blocks.map((b) => b.address), [0, 52]);
  });

  it('cuts the planned blocks out of a wider answer, as a modbus-read node polling 0..79 sends it', () => {
    const assembly = new ReadAssembly(plan);
    const wide = Array.from({ length: 80 }, (_, i) => i);
    const result = assembly.accept({ fc: 4, address: 0, quantity: 80 }, wide);
    assert.equal(result.kind, 'complete');
    if (result.kind !== 'complete') return;
    assert.deepEqual(result.blocks[0].registers, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(result.blocks[1].registers[0], 52);
    assert.equal(result.blocks[1].registers.length, 24);
  });

  it('says when an answer covers none of the planned blocks, and refuses one of the wrong length', () => {
    const assembly = new ReadAssembly(plan);
    assert.deepEqual(assembly.accept({ fc: 3, address: 0, quantity: 8 }, new Array(8).fill(0)), { kind: 'unmatched' });
    assert.throws(
      () => assembly.accept(plan[0], [1, 2, 3]),
      (err: MeteringError) => err.code === 'BLOCK_LENGTH' && /has 3 registers/.test(err.message),
    );
  });

  it('counts a round as overdue only after the timeout, and starts clean after abandoning it', () => {
    const assembly = new ReadAssembly(plan);
    assert.equal(assembly.overdue(T0, 1000), false);
    assembly.startRound(T0);
    assert.equal(assembly.overdue(T0 + 999, 1000), false);
    assert.equal(assembly.overdue(T0 + 1000, 1000), true);
    assembly.accept(plan[0], new Array(8).fill(0));
    assembly.abandonRound();
    assert.equal(assembly.overdue(T0 + 5000, 1000), false);
    assert.equal(assembly.accept(plan[1], new Array(24).fill(0)).kind, 'partial');
  });
});

describe('MeterSession', () => {
  function pm1Options(): MeterSessionOptions {
    return {
      site: 'well-7',
      meterId: 'prosumer-1',
      role: 'prosumer',
      invert: false,
      source: { kind: 'fixed', profile: builtin('flaregrid-pm1') },
      unitId: 21,
      maxRegistersPerRead: 125,
      staleAfterMs: 3000,
      responseTimeoutMs: 1000,
    };
  }
  const pm1Session = () => new MeterSession(pm1Options());

  it('asks for the profile blocks at its unit and turns the answer into a reading with the bus sign', () => {
    const session = pm1Session();
    const { requests } = session.poll(T0);
    assert.deepEqual(requests, [{ unitid: 21, fc: 3, address: 0, quantity: 14 }]);
    const { readings } = session.answer(requests[0], PM1_DUMP, T0 + 50);
    assert.equal(readings.length, 1);
    // 4,691 W forward = drawn from the bus by the prosumer, so -4,691 W on the bus.
    assert.equal(readings[0].powerW, -4691);
    assert.equal(readings[0].energyOutWh, 123_456_789_012);
    assert.equal(readings[0].energyInWh, 987_654);
    assert.equal(readings[0].quality, 'good');
  });

  it('reports an unanswered round as bad once, not on every poll, and recovers on the next answer', () => {
    const session = pm1Session();
    const [request] = session.poll(T0).requests;
    session.answer(request, PM1_DUMP, T0 + 10);
    session.poll(T0 + 1000);
    const first = session.poll(T0 + 2000).readings;
    assert.equal(first.length, 1);
    assert.equal(first[0].quality, 'bad');
    assert.match(first[0].qualityReason ?? '', /no answer within 1 s/);
    assert.equal(session.poll(T0 + 3000).readings.length, 0);
    const back = session.answer(request, PM1_DUMP, T0 + 3010).readings;
    assert.equal(back[0].quality, 'good');
  });

  it('sends no second round while the last one is within its answer time, and fails it once that has passed', () => {
    // A 0.25 s poll on a clock four times the wall, with answers allowed 2 s of wall time (8 s on this clock).
    const session = new MeterSession({ ...pm1Options(), responseTimeoutMs: 8000 });
    assert.equal(session.poll(T0).requests.length, 1);
    for (let t = T0 + 250; t < T0 + 8000; t += 250) {
      const { requests, readings } = session.poll(t);
      assert.deepEqual([requests.length, readings.length], [0, 0], `poll at +${t - T0} ms`);
    }
    const overdue = session.poll(T0 + 8000);
    assert.equal(overdue.readings[0]?.quality, 'bad');
    assert.match(overdue.readings[0]?.qualityReason ?? '', /no answer within 8 s/);
    assert.equal(overdue.requests.length, 1, 'a fresh round goes out with the failure');
    const [request] = overdue.requests;
    assert.equal(session.answer(request, PM1_DUMP, T0 + 8100).readings[0]?.quality, 'good');
    assert.equal(session.poll(T0 + 8250).requests.length, 1, 'an answered round lets the next poll ask again at once');
  });

  it('turns a wrong-length answer into a bad reading carried by the error', () => {
    const session = pm1Session();
    const [request] = session.poll(T0).requests;
    assert.throws(
      () => session.answer(request, PM1_DUMP.slice(0, 10), T0 + 10),
      (err: SessionError) => err instanceof SessionError && err.code === 'BLOCK_LENGTH' && err.output.readings[0].quality === 'bad',
    );
  });

  it('emits a stale reading once the meter has been quiet for staleAfterMs', () => {
    const session = pm1Session();
    const [request] = session.poll(T0).requests;
    session.answer(request, PM1_DUMP, T0);
    assert.equal(session.tick(T0 + 2000).readings.length, 0);
    const stale = session.tick(T0 + 3500).readings;
    assert.equal(stale[0].quality, 'stale');
    assert.equal(session.tick(T0 + 4500).readings.length, 0);
  });

  function discoverySession(extra: Partial<MeterSessionOptions> = {}) {
    return new MeterSession({
      site: 'well-7',
      meterId: 'bus',
      role: 'bus',
      invert: false,
      source: { kind: 'discover', baseAddresses: [40000] },
      unitId: 1,
      maxRegistersPerRead: 125,
      staleAfterMs: 3000,
      responseTimeoutMs: 1000,
      ...extra,
    });
  }

  it('during the start-up grace, asks again for the marker after a failed read instead of giving up on the base', () => {
    const session = discoverySession({ source: { kind: 'discover', baseAddresses: [40000, 0] } });
    session.poll(T0);
    assert.deepEqual(session.readFailed('Inject while node is not ready for input.', T0 + 10), { readings: [], requests: [] });
    assert.equal(session.phase.kind, 'discovering');
    assert.deepEqual(session.poll(T0 + 1000).requests, [{ unitid: 1, fc: 3, address: 40000, quantity: 2 }]);
  });

  it('looks for the SunSpec marker, reports a failed discovery once, and tries again after the back-off', () => {
    const session = discoverySession({ startupGraceMs: 0 });
    assert.equal(session.phase.kind, 'discovering');
    let out = session.poll(T0);
    assert.deepEqual(out.requests, [{ unitid: 1, fc: 3, address: 40000, quantity: 2 }]);
    // An exception at the only base address ends discovery as failed, with the reason to report.
    out = session.readFailed('Modbus exception 2: illegal data address', T0 + 10);
    assert.equal(out.problem?.code, 'SUNSPEC_NOT_FOUND');
    assert.deepEqual(session.phase, { kind: 'discovery-failed', reason: out.problem?.message, retryAtMs: T0 + 10 + 30_000 });
    assert.deepEqual(session.poll(T0 + 1000), { readings: [], requests: [] });
    assert.equal(session.poll(T0 + 30_010).requests[0].address, 40000);
    // The second failure waits twice as long.
    session.readFailed('Modbus exception 2: illegal data address', T0 + 30_020);
    assert.equal((session.phase as { retryAtMs: number }).retryAtMs, T0 + 30_020 + 60_000);
  });

  // A modbus-read node polls its own blocks and never answers the session's requests; discovery takes what it
  // needs from whatever blocks arrive.
  function block(memory: Map<number, number>, address: number, quantity: number): number[] {
    return Array.from({ length: quantity }, (_, k) => memory.get(address + k) ?? 0);
  }

  it('discovers a SunSpec meter from one modbus-read block of 40000:125 plus the next, and then decodes it', () => {
    const memory = sunSpecDevice(40000, [{ id: 201, points: meter201() }]);
    const session = discoverySession();
    session.poll(T0);
    // 40000..40124 holds the marker, the common model and model 201's header, not the end marker at 40177.
    assert.equal(session.answer({ fc: 3, address: 40000, quantity: 125 }, block(memory, 40000, 125), T0 + 5).readings.length, 0);
    assert.equal(session.phase.kind, 'discovering');
    const out = session.answer({ fc: 3, address: 40125, quantity: 54 }, block(memory, 40125, 54), T0 + 6);
    assert.equal(session.phase.kind, 'ready');
    // Ready: the meter asks for its model block; the next poll of the modbus-read delivers it.
    assert.deepEqual(out.requests, [{ unitid: 1, fc: 3, address: 40072, quantity: 53 }]);
    const reading = session.answer({ fc: 3, address: 40000, quantity: 125 }, block(memory, 40000, 125), T0 + 1000).readings[0];
    assert.equal(reading.powerW, 1500);
    assert.equal(reading.energyInWh, 70_000);
    assert.equal(reading.quality, 'good');
  });

  it('ignores an unrelated answer during discovery instead of failing, and waits for the one it needs', () => {
    const memory = sunSpecDevice(40000, [{ id: 201, points: meter201() }]);
    const session = discoverySession();
    session.poll(T0);
    // Another meter's block through a shared getter, and a block that starts past the marker.
    assert.deepEqual(session.answer({ fc: 4, address: 0, quantity: 14 }, new Array(14).fill(7), T0 + 1), { readings: [], requests: [] });
    assert.deepEqual(session.answer({ fc: 3, address: 40072, quantity: 53 }, block(memory, 40072, 53), T0 + 2), { readings: [], requests: [] });
    assert.equal(session.phase.kind, 'discovering');
    session.answer({ fc: 3, address: 40000, quantity: 2 }, block(memory, 40000, 2), T0 + 3);
    assert.equal(session.phase.kind, 'discovering');
  });

  it('holds failures back during the start-up grace, and reports them once it is over without a good answer', () => {
    const session = pm1Session();
    session.poll(T0);
    assert.deepEqual(session.readFailed('Inject while node is not ready for input.', T0 + 10), { readings: [], requests: [] });
    assert.equal(session.tick(T0 + 2000).readings.length, 0);
    const after = session.tick(T0 + 3000);
    assert.equal(after.readings[0].quality, 'bad');
    assert.match(after.readings[0].qualityReason ?? '', /not ready for input/);
    assert.match(after.problem?.message ?? '', /Modbus read failed: Inject while node is not ready/);
  });

  it('reports the same outage once, and a second outage after recovery again', () => {
    const session = pm1Session();
    const [request] = session.poll(T0).requests;
    session.answer(request, PM1_DUMP, T0 + 10);
    const first = session.readFailed('Timed out', T0 + 1000);
    assert.equal(first.readings[0].quality, 'bad');
    assert.ok(first.problem);
    assert.equal(session.readFailed('Timed out', T0 + 2000).problem, undefined);
    session.answer(request, PM1_DUMP, T0 + 3000);
    const second = session.readFailed('Timed out', T0 + 4000);
    assert.equal(second.readings[0].quality, 'bad');
    assert.ok(second.problem, 'the second outage reaches Catch too');
  });

  it('refuses an answer outside its plan and decodes the genset block it asked for', () => {
    const session = new MeterSession({
      site: 'well-7',
      meterId: 'genset-1',
      role: 'genset',
      invert: false,
      source: { kind: 'fixed', profile: builtin('flaregrid-gc1') },
      unitId: 11,
      maxRegistersPerRead: 125,
      staleAfterMs: 3000,
      responseTimeoutMs: 1000,
    });
    const [request] = session.poll(T0).requests;
    assert.throws(
      () => session.answer({ fc: 4, address: 0, quantity: 14 }, GC1_DUMP, T0 + 5),
      (err: SessionError) => err.code === 'BLOCK_MISSING' && /covers none of the registers/.test(err.message),
    );
    const { readings } = session.answer(request, GC1_DUMP, T0 + 10);
    assert.equal(readings[0].powerW, -1500);
    assert.equal(readings[0].availablePowerW, 850_000);
  });

  it('refuses, when it is made, settings its profile cannot be read with', () => {
    assert.throws(
      () => new MeterSession({
        site: 'well-7', meterId: 'genset-1', role: 'genset', invert: false, source: { kind: 'fixed', profile: builtin('flaregrid-gc1') },
        unitId: 11, maxRegistersPerRead: 1, staleAfterMs: 3000, responseTimeoutMs: 1000,
      }),
      (err: MeteringError) => err instanceof MeteringError && /register/.test(err.message),
    );
  });
});
