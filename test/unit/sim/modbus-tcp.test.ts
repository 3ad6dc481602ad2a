// The simulator's Modbus TCP gateway against the Modbus Application Protocol Specification V1.1b3 (MB-AP) and
// the Modbus Messaging on TCP/IP Implementation Guide V1.0b (MB-TCP), over raw sockets: every byte is chosen by
// the test, and every answer is parsed by hand (test/unit/sim/raw-modbus.ts).
import assert from 'node:assert/strict';
import { RunningPlant, startPlant } from '../../../sim';
import { adu, delay, RawModbus, readPdu } from './raw-modbus';

const GENSET = 11;
const BUS_METER = 1;
const MINER_FEEDER = 2;
/** FG-GC1 RatedPower (registers 6–7): 400,000 W = 0x0006 0x1A80. */
const RATED_POWER_READ = readPdu(3, 6, 2);
const RATED_POWER_REPLY = [0x03, 0x04, 0x00, 0x06, 0x1a, 0x80];

describe('sim Modbus TCP gateway (MB-AP V1.1b3, MB-TCP V1.0b)', () => {
  let plant: RunningPlant;
  const open: RawModbus[] = [];
  const client = async () => {
    const c = await RawModbus.connect(plant.modbusPort);
    open.push(c);
    return c;
  };
  /** The one answer to one request on a fresh connection. */
  const ask = async (unitId: number, pdu: number[], transactionId = 1) => {
    const c = await client();
    c.send(adu(transactionId, unitId, pdu));
    return c.frame();
  };

  before(async () => {
    plant = await startPlant({ realtime: false, seed: 3, startTime: '2026-06-01T12:00:00Z' });
    plant.setMinerSlotPowerW(0, 100_000);
    plant.advance(10_000);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  after(() => plant.stop());

  it('listens on a port the OS picked (port 0)', () => {
    assert.ok(plant.modbusPort > 0);
  });

  it('answers FC 03 with the transaction id, protocol id and unit id recopied (MB-TCP §3.1.3)', async () => {
    const frame = await ask(GENSET, RATED_POWER_READ, 0xbeef);
    assert.deepEqual(frame, {
      transactionId: 0xbeef,
      protocolId: 0,
      length: 1 + RATED_POWER_REPLY.length,
      unitId: GENSET,
      pdu: Buffer.from(RATED_POWER_REPLY),
    });
    const sunS = await ask(BUS_METER, readPdu(3, 40000, 2));
    assert.deepEqual([...sunS.pdu], [0x03, 0x04, 0x53, 0x75, 0x6e, 0x53]);
    const feeder = await ask(MINER_FEEDER, readPdu(4, 52, 2));
    assert.deepEqual([...feeder.pdu.subarray(0, 2)], [0x04, 0x04]);
    assert.equal(feeder.pdu.readFloatBE(2), 100_000, 'SDM630 total system power');
  });

  it('quantity 0 and 126 … 65535 answer exception 03, 125 is served (MB-AP §6.3, §6.4)', async () => {
    for (const quantity of [0, 126, 127, 128, 200, 0xffff]) {
      assert.deepEqual([...(await ask(BUS_METER, readPdu(3, 40000, quantity))).pdu], [0x83, 0x03], `FC 03 × ${quantity}`);
      assert.deepEqual([...(await ask(MINER_FEEDER, readPdu(4, 0, quantity))).pdu], [0x84, 0x03], `FC 04 × ${quantity}`);
    }
    const full = await ask(BUS_METER, readPdu(3, 40000, 125));
    assert.equal(full.pdu.length, 2 + 250);
    assert.deepEqual([full.pdu[0], full.pdu[1]], [0x03, 250]);
  });

  it('checks the function code, then the quantity, then the address (MB-AP §6.3/§6.4 state diagrams)', async () => {
    const cases: [number, number[], number[]][] = [
      [GENSET, [0x01, 0, 0, 0, 0], [0x81, 0x01]],
      [GENSET, readPdu(3, 500, 0), [0x83, 0x03]],
      [GENSET, readPdu(3, 500, 126), [0x83, 0x03]],
      [GENSET, readPdu(4, 0, 0), [0x84, 0x03]],
      [GENSET, readPdu(3, 500, 1), [0x83, 0x02]],
      [GENSET, readPdu(3, 10, 10), [0x83, 0x02]],
      [GENSET, readPdu(4, 0, 2), [0x84, 0x02]],
      [MINER_FEEDER, readPdu(3, 0, 2), [0x83, 0x02]],
      [BUS_METER, readPdu(3, 0xffff, 2), [0x83, 0x02]],
    ];
    for (const [unitId, pdu, expected] of cases) {
      assert.deepEqual([...(await ask(unitId, pdu)).pdu], expected, `unit ${unitId} ${pdu.join(',')}`);
    }
  });

  it('a read PDU of the wrong length answers 03 ("the implied length is incorrect", MB-AP §7)', async () => {
    assert.deepEqual([...(await ask(GENSET, [0x03, 0, 6, 0])).pdu], [0x83, 0x03]);
    assert.deepEqual([...(await ask(GENSET, [...RATED_POWER_READ, 0])).pdu], [0x83, 0x03]);
    assert.deepEqual([...(await ask(GENSET, [0x04])).pdu], [0x84, 0x03]);
  });

  it('answers exception 01 to every function it does not serve, on a unit that exists (sim/README.md)', async () => {
    const c = await client();
    const requests: number[][] = [
      [0x01, 0, 0, 0, 1], // read coils
      [0x02, 0, 0, 0, 1], // read discrete inputs
      [0x05, 0, 0, 0xff, 0], // write single coil
      [0x06, 0, 0, 0, 1], // write single register
      [0x0f, 0, 0, 0, 1, 1, 1], // write multiple coils
      [0x10, 0, 0, 0, 1, 2, 0, 1], // write multiple registers
      [0x10, 0, 0, 0, 0, 0], // … with quantity 0
      [0x07], // read exception status
      [0x2b, 0x0e, 0x01, 0x00], // read device identification
      [0x41, 1, 2, 3], // user-defined
      [0x00], // not a function code (MB-AP §4.1)
    ];
    requests.forEach((pdu, i) => c.send(adu(100 + i, GENSET, pdu)));
    const frames = await c.frames(requests.length);
    frames.forEach((frame, i) => {
      assert.equal(frame.transactionId, 100 + i);
      assert.deepEqual([...frame.pdu], [requests[i]![0]! | 0x80, 0x01]);
    });
    await c.silentFor(100);
  });

  it("opens and closes a prosumer meter's supply contactor on coil 0 (FC 05), reads it back (FC 01), and the prosumer draws nothing while open", async () => {
    const PROSUMER = 21;
    assert.deepEqual([...(await ask(PROSUMER, [0x01, 0, 0, 0, 1])).pdu], [0x01, 1, 1], 'closed at start');
    assert.deepEqual([...(await ask(PROSUMER, [0x05, 0, 0, 0x00, 0x00])).pdu], [0x05, 0, 0, 0x00, 0x00], 'FC 05 echoes the request');
    assert.deepEqual([...(await ask(PROSUMER, [0x01, 0, 0, 0, 1])).pdu], [0x01, 1, 0]);
    plant.advance(2_000);
    const truth = plant.truth().devicesByName.prosumer1;
    assert.equal(truth.supplyClosed, false);
    assert.equal(Number(truth.powerW), 0, 'an open contactor: no draw');
    assert.deepEqual([...(await ask(PROSUMER, [0x05, 0, 0, 0xff, 0x00])).pdu], [0x05, 0, 0, 0xff, 0x00]);
    plant.advance(2_000);
    assert.ok(Number(plant.truth().devicesByName.prosumer1.powerW) > 0, 'closed again: it draws');
    // MB-AP §6.5: only 0xFF00 and 0x0000 are values; §6.1: quantity 1 … 2000; one coil exists.
    assert.deepEqual([...(await ask(PROSUMER, [0x05, 0, 0, 0x12, 0x34])).pdu], [0x85, 0x03]);
    assert.deepEqual([...(await ask(PROSUMER, [0x01, 0, 0, 0, 0])).pdu], [0x81, 0x03]);
    assert.deepEqual([...(await ask(PROSUMER, [0x01, 0, 1, 0, 1])).pdu], [0x81, 0x02]);
    assert.deepEqual([...(await ask(PROSUMER, [0x05, 0, 7, 0xff, 0x00])).pdu], [0x85, 0x02]);
  });

  it('FC 16 with quantity 0 gets exactly one answer; the next request gets its own', async () => {
    const c = await client();
    c.send(adu(1, 12, [0x10, 0, 0, 0, 0, 0]));
    const first = await c.frame();
    assert.deepEqual([first.transactionId, ...first.pdu], [1, 0x90, 0x01]);
    c.send(adu(2, 12, RATED_POWER_READ));
    const second = await c.frame();
    assert.deepEqual([second.transactionId, ...second.pdu], [2, ...RATED_POWER_REPLY]);
    await c.silentFor(100);
  });

  it('does not answer a unit id that is not on the bus, whatever the request, and keeps serving', async () => {
    const c = await client();
    for (const unitId of [0, 3, 13, 25, 99, 247, 255]) {
      c.send(adu(unitId, unitId, RATED_POWER_READ));
      c.send(adu(unitId, unitId, readPdu(3, 0, 0)));
      c.send(adu(unitId, unitId, [0x10, 0, 0, 0, 0, 0]));
      c.send(adu(unitId, unitId, [0x01, 0, 0, 0, 1]));
    }
    await c.silentFor(150);
    c.send(adu(7, GENSET, RATED_POWER_READ));
    const frame = await c.frame();
    assert.deepEqual([frame.transactionId, frame.unitId, ...frame.pdu], [7, GENSET, ...RATED_POWER_REPLY]);
  });

  it('closes the connection without answering on a protocol id other than 0 (MB-TCP §3.1.3)', async () => {
    for (const protocolId of [7, 1, 0xffff]) {
      const c = await client();
      c.send(adu(1, GENSET, RATED_POWER_READ, protocolId));
      assert.equal(await c.closesWithin(1000), true, `protocol id ${protocolId}`);
      assert.equal(c.bytesReceived, 0);
    }
  });

  it('closes the connection on garbage or an impossible length, at once and without answering', async () => {
    let seed = 12345;
    const random = Buffer.from(
      Array.from({ length: 2000 }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 24;
      }),
    );
    const garbage: [string, Buffer][] = [
      ['ASCII text', Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')],
      ['length 0', Buffer.from([0, 1, 0, 0, 0, 0])],
      ['length 1 (no function code)', Buffer.from([0, 1, 0, 0, 0, 1, GENSET])],
      ['length 255 (PDU over 253 bytes)', Buffer.from([0, 1, 0, 0, 0, 255, GENSET, 3])],
      ['length 65535 with a short body', Buffer.from([0, 1, 0, 0, 0xff, 0xff, GENSET, ...RATED_POWER_READ])],
      ['2000 random bytes', random],
    ];
    for (const [name, bytes] of garbage) {
      const c = await client();
      c.send(bytes);
      assert.equal(await c.closesWithin(1000), true, name);
      assert.equal(c.bytesReceived, 0, name);
    }
    assert.deepEqual([...(await ask(GENSET, RATED_POWER_READ)).pdu], RATED_POWER_REPLY, 'other connections are served');
  });

  it('answers the requests before a framing fault, then closes', async () => {
    const c = await client();
    c.send(Buffer.concat([adu(1, GENSET, RATED_POWER_READ), adu(2, GENSET, RATED_POWER_READ), Buffer.from('garbage')]));
    const frames = await c.frames(2);
    assert.deepEqual(frames.map((f) => f.transactionId), [1, 2]);
    assert.equal(await c.closesWithin(1000), true);
  });

  it('answers 400 pipelined requests in one write, in order', async () => {
    const polls: [number, number[]][] = [
      [11, readPdu(3, 0, 14)],
      [21, readPdu(3, 0, 14)],
      [BUS_METER, readPdu(3, 40070, 107)],
      [MINER_FEEDER, readPdu(4, 0, 80)],
      [99, readPdu(3, 0, 14)], // not answered
      [12, readPdu(3, 0, 126)], // exception 03
    ];
    const expected = await Promise.all(polls.map(([unitId, pdu]) => (unitId === 99 ? undefined : ask(unitId, pdu))));
    const c = await client();
    const count = 400;
    c.send(Buffer.concat(Array.from({ length: count }, (_, i) => adu(i, polls[i % polls.length]![0], polls[i % polls.length]![1]))));
    const answered = Array.from({ length: count }, (_, i) => i).filter((i) => polls[i % polls.length]![0] !== 99);
    const frames = await c.frames(answered.length);
    frames.forEach((frame, k) => {
      const i = answered[k]!;
      assert.equal(frame.transactionId, i);
      assert.equal(frame.unitId, polls[i % polls.length]![0]);
      assert.deepEqual(frame.pdu, expected[i % polls.length]!.pdu);
    });
    await c.silentFor(50);
  });

  it('reassembles a request split at every byte boundary, and two requests cut anywhere', async () => {
    const request = adu(9, GENSET, RATED_POWER_READ);
    for (let cut = 1; cut < request.length; cut++) {
      const c = await client();
      c.send(request.subarray(0, cut));
      await delay(5);
      c.send(request.subarray(cut));
      const frame = await c.frame();
      assert.deepEqual([frame.transactionId, ...frame.pdu], [9, ...RATED_POWER_REPLY], `cut at ${cut}`);
    }
    const c = await client();
    for (const byte of request) {
      c.send([byte]);
      await delay(2);
    }
    assert.deepEqual([...(await c.frame()).pdu], RATED_POWER_REPLY, 'one byte per segment');
    const pair = Buffer.concat([adu(1, GENSET, RATED_POWER_READ), adu(2, GENSET, RATED_POWER_READ)]);
    for (const cut of [3, 11, 12, 13, 17, 23]) {
      c.send(pair.subarray(0, cut));
      await delay(5);
      c.send(pair.subarray(cut));
      const frames = await c.frames(2);
      assert.deepEqual(frames.map((f) => f.transactionId), [1, 2], `pair cut at ${cut}`);
    }
  });

  it('serves 50 concurrent connections, each its own answers', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => client()));
    clients.forEach((c, n) => {
      for (let i = 0; i < 20; i++) c.send(adu(n * 100 + i, n % 2 === 0 ? 11 : 12, RATED_POWER_READ));
    });
    const all = await Promise.all(clients.map((c) => c.frames(20)));
    all.forEach((frames, n) => {
      assert.deepEqual(frames.map((f) => f.transactionId), Array.from({ length: 20 }, (_, i) => n * 100 + i));
      for (const frame of frames) assert.deepEqual([...frame.pdu], RATED_POWER_REPLY);
    });
  });

  it('a client that sends 20,000 requests before reading gets every answer, in order', async () => {
    const c = await client();
    c.socket.pause();
    const count = 20_000;
    c.send(Buffer.concat(Array.from({ length: count }, (_, i) => adu(i & 0xffff, GENSET, RATED_POWER_READ))));
    await delay(200);
    c.socket.resume();
    const frames = await c.frames(count, 5000);
    assert.ok(frames.every((f, i) => f.transactionId === i && f.pdu.equals(Buffer.from(RATED_POWER_REPLY))));
  });
});
