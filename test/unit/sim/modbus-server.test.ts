// ModbusTcpServer and its framing on their own, with units made up by the test: device failure (exception 04),
// the reader's reassembly at every cut, port 0, restart, and closing every connection on stop.
import assert from 'node:assert/strict';
import { MbapReader, ModbusTcpServer, type ModbusUnit } from '../../../sim/modbus';
import { adu, delay, RawModbus, readPdu } from './raw-modbus';

const fixed = (values: number[]): ModbusUnit => ({ read: (_fc, _address, quantity) => values.slice(0, quantity) });

describe('sim ModbusTcpServer', () => {
  let server: ModbusTcpServer;
  const open: RawModbus[] = [];
  const client = async () => {
    const c = await RawModbus.connect(server.port);
    open.push(c);
    return c;
  };

  beforeEach(async () => {
    const units = new Map<number, ModbusUnit>([
      [1, fixed([0x1234, 0xabcd])],
      [2, { read: () => { throw new Error('sensor board gone'); } }],
      [3, { read: () => [1] }], // one register, whatever was asked
      [4, { read: () => [70_000, 1] }], // not a 16-bit value
    ]);
    server = new ModbusTcpServer(units, '127.0.0.1');
    await server.start(0);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await server.stop();
  });

  it('answers exception 04 when the unit fails to read, as the last check (MB-AP §6.3, §7)', async () => {
    const c = await client();
    c.send(adu(1, 2, readPdu(3, 0, 2)));
    c.send(adu(2, 3, readPdu(3, 0, 2)));
    c.send(adu(3, 4, readPdu(4, 0, 2)));
    c.send(adu(4, 2, readPdu(3, 0, 0)));
    c.send(adu(5, 1, readPdu(3, 0, 2)));
    const frames = await c.frames(5);
    assert.deepEqual(frames.map((f) => [f.transactionId, ...f.pdu]), [
      [1, 0x83, 0x04],
      [2, 0x83, 0x04],
      [3, 0x84, 0x04],
      [4, 0x83, 0x03],
      [5, 0x03, 0x04, 0x12, 0x34, 0xab, 0xcd],
    ]);
  });

  it('listens on a port the OS picks, restarts on it, and counts its connections', async () => {
    const port = server.port;
    assert.ok(port > 0);
    const clients = await Promise.all(Array.from({ length: 50 }, () => client()));
    // The client's connect completes in the kernel; the server accepts a little later.
    for (let waited = 0; server.connections < 50 && waited < 1000; waited += 10) await delay(10);
    assert.equal(server.connections, 50);
    await server.stop();
    assert.equal(server.listening, false);
    await Promise.all(clients.map((c) => c.closed));
    assert.equal(server.connections, 0);
    await assert.rejects(() => RawModbus.connect(port), /ECONNREFUSED/);
    assert.equal(await server.start(port), port);
    const c = await client();
    c.send(adu(1, 1, readPdu(3, 0, 1)));
    assert.deepEqual([...(await c.frame()).pdu], [0x03, 0x02, 0x12, 0x34]);
  });

  it('a taken port rejects with EADDRINUSE naming it', async () => {
    const other = new ModbusTcpServer(new Map(), '127.0.0.1');
    await assert.rejects(() => other.start(server.port), {
      code: 'EADDRINUSE',
      message: `Modbus port ${server.port} on 127.0.0.1 is already in use (another simulator or program is listening there); choose another port.`,
    });
  });
});

describe('sim MbapReader', () => {
  const three = Buffer.concat([adu(1, 11, readPdu(3, 6, 2)), adu(2, 12, [0x07]), adu(3, 13, readPdu(4, 0, 80))]);
  const expected = [
    [1, 11, ...readPdu(3, 6, 2)],
    [2, 12, 0x07],
    [3, 13, ...readPdu(4, 0, 80)],
  ];

  const collect = (chunks: Buffer[]) => {
    const reader = new MbapReader();
    const requests: number[][] = [];
    for (const chunk of chunks) {
      assert.equal(reader.feed(chunk, (tid, unit, pdu) => requests.push([tid, unit, ...pdu])), undefined);
    }
    return requests;
  };

  it('reassembles three requests cut at any one or two byte boundaries', () => {
    for (let a = 0; a <= three.length; a++) {
      for (let b = a; b <= three.length; b++) {
        const chunks = [three.subarray(0, a), three.subarray(a, b), three.subarray(b)];
        assert.deepEqual(collect(chunks), expected, `cuts at ${a}, ${b}`);
      }
    }
    assert.deepEqual(collect([...three].map((byte) => Buffer.from([byte]))), expected, 'one byte at a time');
  });

  it('refuses a bad protocol id once its 4 bytes are in, and a bad length once its 6 are, then everything after', () => {
    const reader = new MbapReader();
    const none = () => assert.fail('no request expected');
    assert.equal(reader.feed(Buffer.from([0, 1, 0]), none), undefined);
    assert.equal(reader.feed(Buffer.from([7]), none), 'protocol-id');
    assert.equal(reader.feed(adu(1, 11, readPdu(3, 0, 1)), none), 'protocol-id');
    for (const length of [0, 1, 255, 0xffff]) {
      const r = new MbapReader();
      assert.equal(r.feed(Buffer.from([0, 1, 0, 0, length >> 8]), none), undefined);
      assert.equal(r.feed(Buffer.from([length & 0xff]), none), 'length', `length ${length}`);
    }
    const longest = new MbapReader();
    let pduBytes = 0;
    assert.equal(longest.feed(adu(1, 1, new Array<number>(253).fill(0x10)), (_t, _u, pdu) => (pduBytes = pdu.length)), undefined);
    assert.equal(pduBytes, 253, 'a 253-byte PDU (length 254) is a frame');
  });
});
