// The running plant: physics, the Modbus gateway and the ground-truth endpoint, with a real-time driver.
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEFAULT_STEP_MS } from './constants';
import { SimError } from './errors';
import { GasEvent } from './gas';
import { buildDevices } from './maps';
import { ModbusGateway } from './modbus-gateway';
import { PhysicsOptions, PlantPhysics } from './physics';
import { buildTruth, startTruthServer, Truth } from './truth';

export interface PlantOptions extends Omit<PhysicsOptions, 'startTimeMs'> {
  host?: string;
  /** Modbus TCP gateway port; 0 picks a free one. */
  modbusPort?: number;
  /** Ground-truth HTTP port; 0 picks a free one. */
  truthPort?: number;
  /** Sim seconds per real second while `realtime`. */
  speedup?: number;
  /** false: nothing moves until `advance(ms)` is called (tests). */
  realtime?: boolean;
  /** Sim clock at start: ISO 8601 or ms since the epoch; default now (real time). */
  startTime?: string | number;
  /** Real-time driver period, ms. */
  tickMs?: number;
}

export interface UnitMap {
  busMeter: number;
  minerFeeder: number;
  gensets: number[];
  prosumers: number[];
}

export interface RunningPlant {
  readonly modbusPort: number;
  readonly truthPort: number;
  readonly truthUrl: string;
  readonly units: UnitMap;
  readonly physics: PlantPhysics;
  truth(): Truth;
  advance(ms: number): void;
  setMinerSlotPowerW(slotId: number, powerW: number): void;
  injectGasEvent(event: Omit<GasEvent, 'startMs'> & { startMs?: number; durationMs?: number }): void;
  clearGasEvents(): void;
  resetMeter(name: string): void;
  commandGenset(index: number, command: 'start' | 'stop'): void;
  stopModbus(): Promise<void>;
  startModbus(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPlant(options: PlantOptions = {}): Promise<RunningPlant> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 1;
  const gensetCount = options.gensets ?? 2;
  if (!Number.isInteger(gensetCount) || gensetCount < 1 || gensetCount > 10) {
    throw new SimError('ERR_OPTION', `gensets must be 1 … 10 (unit ids 11 … 20), got ${gensetCount}`);
  }
  const prosumerCount = Array.isArray(options.prosumers) ? options.prosumers.length : (options.prosumers ?? 4);
  if (!Number.isInteger(prosumerCount) || prosumerCount < 0 || prosumerCount > 227) {
    throw new SimError('ERR_OPTION', `prosumers must be 0 … 227 (unit ids 21 … 247), got ${prosumerCount}`);
  }
  const speedup = options.speedup ?? 1;
  if (!(speedup > 0)) throw new SimError('ERR_OPTION', `speedup must be > 0, got ${speedup}`);
  const physics = new PlantPhysics({ ...options, seed, startTimeMs: parseStartTime(options.startTime) });
  const devices = buildDevices(physics, seed);
  const truth = () => buildTruth(physics, devices, seed);
  const gateway = new ModbusGateway(devices, host);

  const truthServer: Server = await startTruthServer(host, options.truthPort ?? 0, truth);
  try {
    await gateway.start(options.modbusPort ?? 0);
  } catch (err) {
    await closeServer(truthServer);
    throw err;
  }
  const truthPort = (truthServer.address() as AddressInfo).port;

  let timer: NodeJS.Timeout | undefined;
  if (options.realtime ?? true) {
    // Real elapsed time, not the nominal period: a late timer must not slow the sim clock down.
    let last = performance.now();
    timer = setInterval(() => {
      const now = performance.now();
      physics.advance((now - last) * speedup);
      last = now;
    }, options.tickMs ?? DEFAULT_STEP_MS);
  }

  return {
    modbusPort: gateway.port,
    truthPort,
    truthUrl: `http://${host}:${truthPort}/truth`,
    units: {
      busMeter: 1,
      minerFeeder: 2,
      gensets: physics.gensets.map((_, i) => 11 + i),
      prosumers: physics.prosumerMeters.map((_, i) => 21 + i),
    },
    physics,
    truth,
    advance: (ms) => physics.advance(ms),
    setMinerSlotPowerW: (slotId, powerW) => physics.setMinerSlotPowerW(slotId, powerW),
    injectGasEvent: (event) => physics.injectGasEvent(event),
    clearGasEvents: () => physics.clearGasEvents(),
    resetMeter: (name) => physics.resetMeter(name),
    commandGenset: (index, command) => physics.commandGenset(index, command),
    stopModbus: () => gateway.stop(),
    startModbus: async () => {
      await gateway.start(gateway.port);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      await gateway.stop();
      await closeServer(truthServer);
    },
  };
}

function parseStartTime(startTime: string | number | undefined): number {
  if (startTime === undefined) return Date.now();
  const ms = typeof startTime === 'number' ? startTime : Date.parse(startTime);
  if (!Number.isFinite(ms)) throw new SimError('ERR_OPTION', `startTime '${startTime}' is not an ISO 8601 time or epoch ms`);
  return ms;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
