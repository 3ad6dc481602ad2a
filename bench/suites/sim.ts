// Simulator throughput: physics steps per second, and Modbus reads per second over loopback through
// modbus-serial's client, cycling through each device's normal poll.
import ModbusRTU from 'modbus-serial';
import { PlantPhysics } from '../../sim/physics';
import { startPlant } from '../../sim/plant';
import { BenchResult, BenchSuite } from '../types';

const PHYSICS_STEPS = 100_000;
const MODBUS_DURATION_MS = 2000;
const PARALLEL_CLIENTS = 4;

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

function physicsStepsPerSec(): number {
  const physics = new PlantPhysics({ startTimeMs: Date.parse('2026-01-01T00:00:00Z'), seed: 1 });
  physics.setMinerSlotPowerW(0, 150_000);
  const start = performance.now();
  physics.advance(PHYSICS_STEPS * physics.stepMs);
  return PHYSICS_STEPS / ((performance.now() - start) / 1000);
}

/** Sequential requests on one connection until the deadline; returns [requests, registers]. */
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

async function modbusRates(clients: number): Promise<[number, number]> {
  const plant = await startPlant({ realtime: false, seed: 1 });
  try {
    plant.advance(1000);
    const start = performance.now();
    const runs = await Promise.all(
      Array.from({ length: clients }, () => pollUntil(plant.modbusPort, start + MODBUS_DURATION_MS)),
    );
    const seconds = (performance.now() - start) / 1000;
    const requests = runs.reduce((a, [r]) => a + r, 0);
    const registers = runs.reduce((a, [, r]) => a + r, 0);
    return [requests / seconds, registers / seconds];
  } finally {
    await plant.stop();
  }
}

export const simSuite: BenchSuite = {
  name: 'sim',
  async run(): Promise<BenchResult[]> {
    const steps = physicsStepsPerSec();
    const [requests1, registers1] = await modbusRates(1);
    const [requestsN, registersN] = await modbusRates(PARALLEL_CLIENTS);
    return [
      { suite: 'sim', metric: 'physicsStepsPerSec', value: Math.round(steps), unit: 'steps/s' },
      { suite: 'sim', metric: 'requestsPerSec', value: Math.round(requests1), unit: 'requests/s' },
      { suite: 'sim', metric: 'registerReadsPerSec', value: Math.round(registers1), unit: 'registers/s' },
      { suite: 'sim', metric: `requestsPerSec${PARALLEL_CLIENTS}Clients`, value: Math.round(requestsN), unit: 'requests/s' },
      {
        suite: 'sim',
        metric: `registerReadsPerSec${PARALLEL_CLIENTS}Clients`,
        value: Math.round(registersN),
        unit: 'registers/s',
      },
    ];
  },
};
