// The miner fleet: simulated miners on loopback, each speaking its firmware's API (sim/README.md "Miners"),
// and, when given the plant's miner slots, each miner's real draw feeding its slot at every physics step so
// the SDM630 on the miner feeder shows what the miners draw. The entry point of sim/miners/ for startPlant,
// the CLI and the tests; without slots it runs on a clock alone.
import type { Clock } from '../../lib/clock';
import { SimError } from '../errors';
import type { MinerSlots } from '../plant';
import type { MinerFault } from './faults';
import { SIM_DIALECTS, SimMiner, type SimDialect, type SimMinerOptions } from './miner';
import type { MinerPhase } from './model';

export { WIRE_FAULTS, MODEL_FAULTS, type MinerFault, type WireFault } from './faults';
export { MinerModel, S21_SPEC, type CommandOutcome, type MinerModelOptions, type MinerPhase, type MinerReadout, type MinerSpec, type ModelFault } from './model';
export { SIM_DIALECTS, SimMiner, type SimDialect, type SimMinerOptions } from './miner';
export { luxosProfiles, type LuxosProfile } from './luxos';

export interface FleetOptions {
  miners: SimMinerOptions[];
  /** address every miner binds; default 127.0.0.1 */
  host?: string;
}

export interface FleetStartOptions extends FleetOptions {
  /** the sim's time; default `clock.nowMs()` */
  now?: () => number;
  clock?: Clock;
  /** the plant's miner slots: each miner's draw feeds its slot */
  slots?: MinerSlots;
}

/** A miner as the ground truth shows it: what it really does, whatever its API says. */
export interface MinerTruth {
  id: string;
  dialect: SimDialect;
  host: string;
  apiPort: number;
  restPort?: number;
  slotId: number;
  phase: MinerPhase;
  powerW: number;
  powerLimitW: number;
  hashrateThs: number;
  temperatureC: number;
  faults: MinerFault[];
}

export interface RunningFleet {
  readonly host: string;
  readonly miners: readonly SimMiner[];
  /** the miner with this id; throws ERR_MINER for an unknown one */
  miner(id: string): SimMiner;
  totalPowerW(): number;
  truth(): MinerTruth[];
  stop(): Promise<void>;
}

export async function startMinerFleet(options: FleetStartOptions): Promise<RunningFleet> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (options.clock ? () => options.clock!.nowMs() : undefined);
  if (!now) throw new SimError('ERR_OPTION', 'a miner fleet needs a clock (or a now() function)');
  const ids = new Set<string>();
  for (const m of options.miners) {
    if (typeof m.id !== 'string' || m.id === '') throw new SimError('ERR_OPTION', 'every simulated miner needs an id');
    if (ids.has(m.id)) throw new SimError('ERR_OPTION', `two simulated miners are called '${m.id}'`);
    ids.add(m.id);
  }
  const miners = options.miners.map((m) => new SimMiner(m, host, now));
  const started: SimMiner[] = [];
  try {
    for (const miner of miners) {
      await miner.start();
      started.push(miner);
    }
  } catch (err) {
    await Promise.all(started.map((m) => m.stop()));
    throw err;
  }
  const slots = options.slots;
  const fed = new Set<number>(miners.map((m) => m.slotId));
  if (slots) {
    for (const slotId of fed) {
      const inSlot = miners.filter((m) => m.slotId === slotId);
      slots.feed(slotId, (nowMs) => inSlot.reduce((sum, m) => sum + m.powerW(nowMs), 0));
    }
  }
  const byId = new Map(miners.map((m) => [m.id, m]));
  return {
    host,
    miners,
    miner(id) {
      const miner = byId.get(id);
      if (!miner) throw new SimError('ERR_MINER', `no simulated miner '${id}' (${[...byId.keys()].join(', ')})`);
      return miner;
    },
    totalPowerW: () => miners.reduce((sum, m) => sum + m.powerW(), 0),
    truth: () =>
      miners.map((m) => {
        const r = m.read();
        return {
          id: m.id,
          dialect: m.dialect,
          host,
          apiPort: m.apiPort,
          ...(m.dialect === 'braiins' ? { restPort: m.restPort } : {}),
          slotId: m.slotId,
          phase: r.phase,
          powerW: r.powerW,
          powerLimitW: r.powerLimitW,
          hashrateThs: r.hashrateThs,
          temperatureC: r.temperatureC,
          faults: m.faults,
        };
      }),
    stop: async () => {
      if (slots) for (const slotId of fed) slots.feed(slotId, undefined);
      await Promise.all(miners.map((m) => m.stop()));
    },
  };
}

/**
 * `count` S21-class miners miner-1 … miner-N, the dialects taken in turn (luxos, braiins, bmminer by default),
 * seeds 1 … N, all in `slotId`, each API on `basePort + i` (REST on `basePort + 1000 + i`) or any free port.
 */
export function fleetOf(count: number, options: { dialects?: readonly SimDialect[]; basePort?: number; slotId?: number } = {}): SimMinerOptions[] {
  if (!Number.isInteger(count) || count < 0) throw new SimError('ERR_OPTION', `miner count must be a whole number ≥ 0, got ${count}`);
  const dialects = options.dialects ?? (['luxos', 'braiins', 'bmminer'] as const);
  if (dialects.length === 0 || !dialects.every((d) => (SIM_DIALECTS as readonly string[]).includes(d))) {
    throw new SimError('ERR_OPTION', `dialects must be some of ${SIM_DIALECTS.join(', ')}`);
  }
  return Array.from({ length: count }, (_, i) => ({
    id: `miner-${i + 1}`,
    dialect: dialects[i % dialects.length]!,
    seed: i + 1,
    slotId: options.slotId ?? 0,
    apiPort: options.basePort === undefined ? 0 : options.basePort + i,
    restPort: options.basePort === undefined ? 0 : options.basePort + 1000 + i,
  }));
}
