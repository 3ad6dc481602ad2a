// Simulator throughput: physics steps per second, and Modbus reads per second over loopback cycling through each
// device's normal poll: modbus-serial's client waiting for each answer on 1 and on 50 connections, a raw client
// keeping 64 requests in flight on one connection, and, as the peer measured in the same run, modbus-serial's
// ServerTCP serving the same devices to the same waiting client (the gateway the simulator used before).
import { connect, createServer, type AddressInfo } from 'node:net';
import ModbusRTU, { ServerTCP, type FCallbackVal } from 'modbus-serial';
import { startPlant, type RunningPlant } from '../../sim';
import { buildDevices } from '../../sim/modbus';
import { PlantPhysics } from '../../sim/plant';
import { BenchResult, BenchSuite } from '../types';

const PHYSICS_STEPS = 100_000;
const MODBUS_DURATION_MS = 2000;
const CONNECTIONS = 50;
const PIPELINE_WINDOW = 64;

interface Poll {
  unitId: number;
  functionCode: 3 | 4;
  address: number;
  length: number;
}

/** The normal poll of every map in sim/README.md. */
const POLLS: Poll[] = [
  { unitId: 11, functionCode: 3, address: 0, length: 14 },
  { unitId: 21, functionCode: 3, address: 0, length: 14 },
  { unitId: 1, functionCode: 3, address: 40070, length: 107 },
  { unitId: 2, functionCode: 4, address: 0, length: 80 },
];

/** [requests/s, registers/s] */
type Rates = [number, number];

function physicsStepsPerSec(): number {
  const physics = new PlantPhysics({ startTimeMs: Date.parse('2026-01-01T00:00:00Z'), seed: 1 });
  physics.setMinerSlotPowerW(0, 150_000);
  const start = performance.now();
  physics.advance(PHYSICS_STEPS * physics.stepMs);
  return PHYSICS_STEPS / ((performance.now() - start) / 1000);
}

/** modbus-serial's client, one request at a time, until the deadline; returns [requests, registers]. */
async function pollUntil(port: number, deadline: number): Promise<[number, number]> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(2000);
  let requests = 0;
  let registers = 0;
  try {
    while (performance.now() < deadline) {
      const poll = POLLS[requests % POLLS.length]!;
      client.setID(poll.unitId);
      const reply =
        poll.functionCode === 3
          ? await client.readHoldingRegisters(poll.address, poll.length)
          : await client.readInputRegisters(poll.address, poll.length);
      requests++;
      registers += reply.data.length;
    }
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
  return [requests, registers];
}

function request(transactionId: number, poll: Poll): Buffer {
  const frame = Buffer.alloc(12);
  frame.writeUInt16BE(transactionId, 0);
  frame.writeUInt16BE(6, 4);
  frame[6] = poll.unitId;
  frame[7] = poll.functionCode;
  frame.writeUInt16BE(poll.address, 8);
  frame.writeUInt16BE(poll.length, 10);
  return frame;
}

/** A raw client keeping PIPELINE_WINDOW requests in flight on one connection until the deadline. */
function pipelineUntil(port: number, deadline: number): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let sent = 0;
    let requests = 0;
    let registers = 0;
    let pending: Buffer = Buffer.alloc(0);
    const sendNext = (count: number) => {
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++, sent++) frames.push(request(sent & 0xffff, POLLS[sent % POLLS.length]!));
      socket.write(Buffer.concat(frames));
    };
    socket.once('connect', () => sendNext(PIPELINE_WINDOW));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      let answered = 0;
      while (pending.length - offset >= 9 && pending.length - offset >= 6 + pending.readUInt16BE(offset + 4)) {
        if (pending[offset + 7]! & 0x80) return reject(new Error(`exception ${pending[offset + 8]}`));
        registers += pending[offset + 8]! / 2;
        offset += 6 + pending.readUInt16BE(offset + 4);
        answered++;
      }
      pending = pending.subarray(offset);
      requests += answered;
      if (performance.now() < deadline) sendNext(answered);
      else if (requests === sent) socket.end(() => resolve([requests, registers]));
    });
  });
}

async function rates(port: number, connections: number, run: (port: number, deadline: number) => Promise<[number, number]>): Promise<Rates> {
  const start = performance.now();
  const runs = await Promise.all(Array.from({ length: connections }, () => run(port, start + MODBUS_DURATION_MS)));
  const seconds = (performance.now() - start) / 1000;
  return [runs.reduce((a, [r]) => a + r, 0) / seconds, runs.reduce((a, [, r]) => a + r, 0) / seconds];
}

/** The same plant's devices behind modbus-serial's ServerTCP, which cannot listen on port 0. */
async function withServerTcpPeer<T>(plant: RunningPlant, measure: (port: number) => Promise<T>): Promise<T> {
  const units = new Map(buildDevices(plant.physics, 1).map((d) => [d.info.unitId, d]));
  const read =
    (functionCode: 3 | 4) =>
    (address: number, length: number, unitId: number, cb: FCallbackVal<number[]>): void => {
      const registers = units.get(unitId)?.read(functionCode, address, length);
      if (Array.isArray(registers)) cb(null, registers);
    };
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const server = new ServerTCP(
    { getMultipleHoldingRegisters: read(3), getMultipleInputRegisters: read(4) },
    { host: '127.0.0.1', port, unitID: 255 },
  );
  await new Promise((resolve) => server.once('initialized', resolve));
  try {
    return await measure(port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const figures = (name: string, [requestsPerSec, registersPerSec]: Rates): BenchResult[] => [
  { suite: 'sim', metric: name.replace('%', 'Requests'), value: Math.round(requestsPerSec), unit: 'requests/s' },
  { suite: 'sim', metric: name.replace('%', 'Registers'), value: Math.round(registersPerSec), unit: 'registers/s' },
];

export const simSuite: BenchSuite = {
  name: 'sim',
  async run(): Promise<BenchResult[]> {
    const steps = physicsStepsPerSec();
    const plant = await startPlant({ realtime: false, seed: 1 });
    try {
      plant.advance(1000);
      const waiting1 = await rates(plant.modbusPort, 1, pollUntil);
      const waitingN = await rates(plant.modbusPort, CONNECTIONS, pollUntil);
      const pipelined1 = await rates(plant.modbusPort, 1, pipelineUntil);
      const peer1 = await withServerTcpPeer(plant, (port) => rates(port, 1, pollUntil));
      return [
        { suite: 'sim', metric: 'physicsStepsPerSec', value: Math.round(steps), unit: 'steps/s' },
        ...figures('modbus%PerSec1Conn', waiting1),
        ...figures(`modbus%PerSec${CONNECTIONS}Conn`, waitingN),
        ...figures('modbusPipelined%PerSec1Conn', pipelined1),
        ...figures('peerModbusSerialServerTcp%PerSec1Conn', peer1),
      ];
    } finally {
      await plant.stop();
    }
  },
};
