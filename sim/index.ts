// The running plant, and the one entry point of sim/ (`npm start`, the CLI, the tests): physics on a clock,
// the Modbus TCP gateway and the ground-truth endpoint, which also shows a simulated Lightning network when
// one is handed in (sim/lnd starts it: `startLightningNetwork`).
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ScaledClock, type Clock, type Timer } from '../lib/clock';
import { SimError } from './errors';
import { startMinerFleet, type FleetOptions, type MinerTruth, type RunningFleet } from './miners';
import { buildDevices, ModbusTcpServer } from './modbus';
import type { LightningTruth } from './lnd';
import { buildTruth, DEFAULT_STEP_MS, GasEvent, PhysicsOptions, PlantPhysics, startTruthServer, Truth } from './plant';

export { SimError } from './errors';
export type { Truth } from './plant';
export { fleetOf, type FleetOptions, type MinerTruth, type RunningFleet } from './miners';
export { startLightningNetwork } from './lnd';
export type { LightningNetwork, LightningNetworkOptions, LightningTruth, LightningDirectory, SimulatedLnd } from './lnd';

/** The plant's truth, with the simulated miners and the Lightning network (nodes, sockets, credentials' paths, balances) when there are. */
export type PlantTruth = Truth & { miners?: MinerTruth[]; lightning?: LightningTruth };

export interface PlantOptions extends Omit<PhysicsOptions, 'startTimeMs'> {
  host?: string;
  /** Modbus TCP gateway port; 0 lets the OS pick a free one. */
  modbusPort?: number;
  /** Ground-truth HTTP port; 0 lets the OS pick a free one. */
  truthPort?: number;
  /**
   * The plant's time line, shared with whoever else runs on it (`npm start` hands Node-RED the same clock): the
   * physics starts at `clock.nowMs()` and follows it. Excludes `startTime` and `speedup`, which the clock holds.
   */
  clock?: Clock;
  /** Without `clock`: sim seconds per real second. */
  speedup?: number;
  /** Without `clock`: sim time at start, ISO 8601 or ms since the epoch; default now. */
  startTime?: string | number;
  /** false: nothing moves until `advance(ms)` is called (tests); the clock only gives the start time. */
  realtime?: boolean;
  /** Real-time driver period in the clock's ms (default one physics step, 100 ms). */
  tickMs?: number;
  /** Simulated miners on loopback (sim/miners/); each one's draw feeds its miner slot, step by step. */
  fleet?: FleetOptions;
  /** A running simulated Lightning network whose truth /truth includes as `lightning`. */
  lightning?: { truth(): LightningTruth };
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
  /** The plant's time line: the `clock` option, or a PlantClock built from `speedup` and `startTime`. */
  readonly clock: Clock;
  /** The simulated miners, when the `fleet` option was given. */
  readonly fleet: RunningFleet | undefined;
  truth(): PlantTruth;
  /**
   * Moves the plant `ms` ahead. On a real-time plant with its own clock the clock jumps (everyone on `clock`
   * sees it); on a real-time plant on a given clock it throws ERR_TIME: advance that clock instead.
   */
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
  const realtime = options.realtime ?? true;
  const ownClock = options.clock ? undefined : new PlantClock(options);
  const clock: Clock = ownClock ?? sharedClock(options);
  const physics = new PlantPhysics({ ...options, seed, startTimeMs: clock.nowMs() });
  const devices = buildDevices(physics, seed);
  const gateway = new ModbusTcpServer(new Map(devices.map((d) => [d.info.unitId, d])), host);

  // On a real-time plant every observation and command first catches the physics up with the clock, so that
  // they happen at the clock's now and not at the last driver tick.
  const sync = realtime ? () => physics.advanceTo(clock.nowMs()) : () => undefined;
  const listing = devices.map((d) => d.info);
  let fleet: RunningFleet | undefined;
  const truth = (): PlantTruth => {
    sync();
    const plantTruth: PlantTruth = buildTruth(physics, listing, seed);
    if (fleet) plantTruth.miners = fleet.truth();
    if (options.lightning) plantTruth.lightning = options.lightning.truth();
    return plantTruth;
  };

  // The ports asked for are bound before the miners take theirs from the OS, which could otherwise pick one of them.
  let truthServer: Server | undefined;
  try {
    truthServer = await startTruthServer(host, options.truthPort ?? 0, truth);
    await gateway.start(options.modbusPort ?? 0);
    // The miners run on the physics' time, caught up with the clock first: a command lands at a physics step
    // the slot feed has not sampled yet, so a miner model never has to go back in time.
    fleet = options.fleet
      ? await startMinerFleet({
          ...options.fleet,
          host: options.fleet.host ?? host,
          slots: physics.miners,
          now: () => {
            sync();
            return physics.nowMs;
          },
        })
      : undefined;
  } catch (err) {
    if (truthServer) await closeServer(truthServer);
    await gateway.stop();
    throw err;
  }
  const truthServerStarted = truthServer;
  const truthPort = (truthServerStarted.address() as AddressInfo).port;
  let driver: Timer | undefined = realtime ? clock.setInterval(sync, options.tickMs ?? DEFAULT_STEP_MS) : undefined;

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
    clock,
    fleet,
    truth,
    advance: (ms) => {
      if (!realtime) return physics.advance(ms);
      if (!ownClock) throw new SimError('ERR_TIME', 'a real-time plant follows the clock it was given: advance that clock instead');
      ownClock.jump(ms);
      sync();
    },
    setMinerSlotPowerW: (slotId, powerW) => {
      sync();
      physics.setMinerSlotPowerW(slotId, powerW);
    },
    injectGasEvent: (event) => {
      sync();
      physics.injectGasEvent(event);
    },
    clearGasEvents: () => {
      sync();
      physics.clearGasEvents();
    },
    resetMeter: (name) => {
      sync();
      physics.resetMeter(name);
    },
    commandGenset: (index, command) => {
      sync();
      physics.commandGenset(index, command);
    },
    stopModbus: () => gateway.stop(),
    startModbus: async () => {
      await gateway.start(gateway.port);
    },
    stop: async () => {
      driver?.cancel();
      driver = undefined;
      await gateway.stop();
      await fleet?.stop();
      await closeServer(truthServerStarted);
    },
  };
}

/** The `clock` option, which holds the start time and the speed-up itself. */
function sharedClock(options: PlantOptions): Clock {
  const clash = (['startTime', 'speedup'] as const).filter((key) => options[key] !== undefined);
  if (clash.length > 0) {
    throw new SimError(
      'ERR_OPTION',
      `${clash.join(' and ')} cannot be given with clock: the plant runs on the clock's time line; set them on the clock`,
    );
  }
  return options.clock as Clock;
}

/**
 * The plant's own clock when none is given: a ScaledClock on wall time from `speedup` and `startTime`, which
 * `advance(ms)` can move ahead (a test skipping a minute), so that the physics still follows one clock.
 */
export class PlantClock implements Clock {
  readonly speedup: number;
  private readonly scaled: ScaledClock;
  private jumpedMs = 0;

  constructor(options: Pick<PlantOptions, 'speedup' | 'startTime'>) {
    this.speedup = options.speedup ?? 1;
    if (!(Number.isFinite(this.speedup) && this.speedup > 0)) {
      throw new SimError('ERR_OPTION', `speedup must be > 0, got ${this.speedup}`);
    }
    this.scaled = new ScaledClock({ speedup: this.speedup, startMs: parseStartTime(options.startTime) });
  }

  nowMs(): number {
    return this.scaled.nowMs() + this.jumpedMs;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.scaled.setTimeout(callback, delayMs);
  }

  setInterval(callback: () => void, periodMs: number): Timer {
    return this.scaled.setInterval(callback, periodMs);
  }

  jump(ms: number): void {
    if (!(ms >= 0)) throw new SimError('ERR_TIME', `cannot advance by ${ms} ms`);
    this.jumpedMs += ms;
  }
}

function parseStartTime(startTime: string | number | undefined): number | undefined {
  if (startTime === undefined) return undefined;
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
