// The figures of the miner model (sim/miners/model.ts) and the shapes it reads out and answers with: an
// Antminer S21-class machine by default. Sources: sim/README.md "Miners"; [A] marks a modelling choice.
import { SimError } from '../errors';

export interface MinerSpec {
  /** Nameplate draw at the top of the power-limit range, W (S21: 3,500 W, Bitmain spec sheet). */
  ratedPowerW: number;
  /** Hashrate at rated power, TH/s (S21: 200 TH/s, 17.5 J/TH). */
  ratedHashrateThs: number;
  /** Lowest power limit the firmware accepts, W (about 40% of rated, research/miners.md). */
  minPowerW: number;
  /** Power limits are whole multiples of this above the minimum, W. */
  stepW: number;
  /** Draw while asleep: control board and network, fans stopped, W [A]. */
  sleepPowerW: number;
  /** Draw with the control board up and fans running but no hashboard hashing (booting), W [A]. */
  idlePowerW: number;
  /** Hashing to sleep draw, ms ("stop within 2 s"). */
  stopMs: number;
  /** A live power-limit change takes a seeded time in this range, ms. */
  limitChangeMs: readonly [number, number];
  /** Sleep (or a restart) to hashing at the limit takes a seeded time in this range, ms. */
  coldStartMs: readonly [number, number];
  /** Share of a cold start spent booting at idle draw before the boards ramp up (chip enumeration) [A]. */
  bootShare: number;
  /** A power-limit change restarts the mining service, as Whatsminer's adjust_power_limit does. */
  restartOnLimitChange: boolean;
  hashboards: number;
  ambientC: number;
  /** Board temperature above ambient at rated power, °C [A]. */
  boardRiseC: number;
  /** Thermal time constant of a board, ms [A]. */
  thermalTauMs: number;
  /** Hashrate ∝ (hashing power share)^exponent: an underclocked chip is more efficient [A]. */
  hashrateExponent: number;
  /** Share (0 … 1) of accepted commands that the firmware acknowledges but never applies, seeded. */
  unconfirmedShare: number;
}

export const S21_SPEC: Readonly<MinerSpec> = Object.freeze({
  ratedPowerW: 3500,
  ratedHashrateThs: 200,
  minPowerW: 1400,
  stepW: 100,
  sleepPowerW: 15,
  idlePowerW: 200,
  stopMs: 1500,
  limitChangeMs: [10_000, 30_000] as const,
  coldStartMs: [60_000, 120_000] as const,
  bootShare: 0.5,
  restartOnLimitChange: false,
  hashboards: 3,
  ambientC: 25,
  boardRiseC: 40,
  thermalTauMs: 90_000,
  hashrateExponent: 0.8,
  unconfirmedShare: 0,
});

/** sleeping; stopping (to sleep); starting (cold start, API up); hashing (at the limit); adjusting (a live limit
 * change); restarting (the mining service restarts: its API is not ready). */
export type MinerPhase = 'sleeping' | 'stopping' | 'starting' | 'hashing' | 'adjusting' | 'restarting';

/** Faults acting on the model; wire faults (stall, truncation, silence) live in the API faces. */
export type ModelFault = 'hashboard' | 'ignore-below-floor';

/**
 * What the firmware does with a command. `applied`, `dropped` and `ignored` are all acknowledged as success on
 * the wire: only a read-back tells them apart, as on real miners.
 */
export type CommandOutcome =
  | { kind: 'applied'; powerLimitW: number; settlesAtMs: number; restarts: boolean }
  | { kind: 'dropped' }
  | { kind: 'ignored'; reason: 'below-floor' }
  | { kind: 'rejected'; code: 'below-floor' | 'above-max' | 'invalid' | 'not-ready'; message: string };

export interface BoardReadout {
  slot: number;
  ok: boolean;
  hashrateThs: number;
  temperatureC: number;
}

export interface MinerReadout {
  nowMs: number;
  phase: MinerPhase;
  /** true unless hashing is stopped or stopping */
  mining: boolean;
  /** false while the mining service restarts: its API answers "Not ready" or not at all */
  ready: boolean;
  powerW: number;
  powerLimitW: number;
  hashrateThs: number;
  /** hottest board */
  temperatureC: number;
  boards: BoardReadout[];
  /** Seconds since the mining service last started (cgminer's Elapsed). */
  elapsedS: number;
  faults: ModelFault[];
}

export interface MinerModelOptions {
  startMs: number;
  spec?: Partial<MinerSpec>;
  seed?: number;
  /** default hashing */
  initial?: 'hashing' | 'sleeping';
  /** default rated power */
  powerLimitW?: number;
}

export function checkSpec(spec: MinerSpec): MinerSpec {
  const ok =
    spec.sleepPowerW >= 0 &&
    spec.idlePowerW >= spec.sleepPowerW &&
    spec.minPowerW > spec.idlePowerW &&
    spec.ratedPowerW >= spec.minPowerW &&
    spec.stepW > 0 &&
    spec.hashboards >= 1 &&
    spec.thermalTauMs > 0 &&
    spec.stopMs > 0 &&
    spec.unconfirmedShare >= 0 &&
    spec.unconfirmedShare <= 1 &&
    spec.limitChangeMs[0] > 0 &&
    spec.limitChangeMs[1] >= spec.limitChangeMs[0] &&
    spec.coldStartMs[0] > 0 &&
    spec.coldStartMs[1] >= spec.coldStartMs[0];
  if (!ok) throw new SimError('ERR_OPTION', 'miner spec must have sleep ≤ idle < min ≤ rated power, a step, boards, and positive times');
  return spec;
}
