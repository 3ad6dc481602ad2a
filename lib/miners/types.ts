// The vocabulary of lib/miners: what a firmware driver reads and can be told, in W, TH/s and °C.
import type { Clock } from '../clock';
import { DIALECTS } from '../schemas/dispatch';

export { DIALECTS };
export type Dialect = (typeof DIALECTS)[number];

export interface MinerAddress {
  minerId: string;
  host: string;
  /** the CGMiner-style API, 4028 on a real miner */
  apiPort: number;
  /** Braiins OS REST API, 80 on a real miner */
  restPort: number;
}

export interface Credentials {
  username?: string;
  password?: string;
}

/** One read of a miner, as its firmware reports it. */
export interface MinerSample {
  /** hashing, or on the way to it; false when asleep, paused or curtailed */
  mining: boolean;
  hashrateThs: number;
  /** what the firmware says the miner draws, W; undefined when it does not say (stock Antminer) */
  powerW?: number;
  /** the power limit the firmware holds, W, when it reports one */
  powerLimitW?: number;
  /** hottest hashboard, °C */
  temperatureC?: number;
  /** the hashrate of a healthy miner at its limit, TH/s, when the firmware says (bmminer's total_rateideal) */
  idealHashrateThs?: number;
  boardsTotal: number;
  /** hashboards that should hash and do not */
  boardsFailed: number;
  /** the firmware's own error texts */
  errors: string[];
}

/** The power limits a miner accepts, W. `levelsW`: the only limits it takes (LuxOS profiles). */
export interface MinerLimits {
  minW: number;
  maxW: number;
  stepW: number;
  levelsW?: readonly number[];
}

export interface MinerDriver {
  readonly dialect: Dialect;
  /** false: the firmware takes no power command over this API (stock Antminer); the three writes reject */
  readonly canControl: boolean;
  /** Gets ready to command: logs in where the firmware has sessions (a Braiins token). */
  open(): Promise<void>;
  read(): Promise<MinerSample>;
  limits(): Promise<MinerLimits>;
  /** Sets a power limit (a whole W within limits()); resolves to the limit the firmware says it applied. */
  setPowerLimit(watts: number): Promise<number>;
  sleep(): Promise<void>;
  wake(): Promise<void>;
  /** Releases what the driver holds (a LuxOS session); never rejects. */
  close(): Promise<void>;
}

export interface DriverContext {
  address: MinerAddress;
  credentials: Credentials;
  clock: Clock;
  /** per-command timeout on the clock, ms */
  timeoutMs: number;
}

/** A number, or a number sent as a string (bmminer), else undefined. */
export function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function rows(reply: Record<string, unknown>, section: string): Record<string, unknown>[] {
  const value = reply[section];
  return Array.isArray(value) ? value.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null) : [];
}
