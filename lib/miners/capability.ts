// What one miner can do, as a plant engineer would tell dispatch: the power limits it accepts (min, max, step,
// or discrete levels), how long a limit change, a wake and a sleep take, and the command-to-power lag learned
// from what this miner did (an EWMA of observed lags, starting from the S21-class figures of docs/domain.md).
import { MinerError } from './errors';
import type { MinerLimits } from './types';

export type CommandKind = 'limit' | 'wake' | 'sleep';

export interface CapabilitySnapshot {
  minW: number;
  maxW: number;
  stepW: number;
  levelsW?: number[];
  /** ramp of a live limit change, W per s */
  rampWPerS: number;
  /** a wake, command to full power, s */
  wakeS: number;
  /** a sleep, command to sleep draw, s */
  sleepS: number;
  /** a limit change, command to the new power, s */
  lagS: number;
  /** how many commands the lags were learned from */
  observations: number;
}

/** Priors: limit change 10–30 s, cold start 60–120 s, stop within 2 s (docs/domain.md, research/miners.md). */
const PRIOR_LAG_MS: Readonly<Record<CommandKind, number>> = { limit: 20_000, wake: 90_000, sleep: 2_000 };
const LEARNING_RATE = 0.3;

interface Pending {
  kind: CommandKind;
  atMs: number;
  fromW: number;
  toW: number;
}

export class MinerCapability {
  private lagMs: Record<CommandKind, number> = { ...PRIOR_LAG_MS };
  private rampWPerS: number;
  private pending: Pending | undefined;
  private observations = 0;

  constructor(readonly limits: MinerLimits) {
    this.rampWPerS = (limits.maxW - limits.minW) / (PRIOR_LAG_MS.limit / 1000) || 1;
  }

  /**
   * The limit to command for a target, W; 0 means sleep. Refuses (INVALID_TARGET) a target that is not a whole
   * number of W, is negative, or lies outside the miner's range: nothing outside its limits is ever sent.
   * Inside the range a target is taken down to the miner's step or level, never up.
   */
  commandFor(targetW: number): number {
    const { minW, maxW, stepW, levelsW } = this.limits;
    if (!Number.isInteger(targetW) || targetW < 0) throw new MinerError('INVALID_TARGET', `a target must be a whole number of W, 0 or more; got ${targetW}`);
    if (targetW === 0) return 0;
    if (targetW < minW) throw new MinerError('INVALID_TARGET', `${targetW} W is below this miner's minimum of ${minW} W: send 0 to sleep it, or at least ${minW} W`);
    if (targetW > maxW) throw new MinerError('INVALID_TARGET', `${targetW} W is above this miner's maximum of ${maxW} W`);
    if (levelsW && levelsW.length > 0) return [...levelsW].filter((w) => w <= targetW).sort((a, b) => b - a)[0] ?? minW;
    return minW + Math.floor((targetW - minW) / stepW) * stepW;
  }

  /** A command was sent at `atMs`, from `fromW` towards `toW`. */
  commanded(kind: CommandKind, atMs: number, fromW: number, toW: number): void {
    this.pending = { kind, atMs, fromW, toW };
  }

  /** A measured power at `nowMs`: the first one within tolerance of the pending command's aim gives its lag. */
  observe(nowMs: number, powerW: number | undefined): void {
    const p = this.pending;
    if (!p || powerW === undefined) return;
    const toleranceW = Math.max(50, 0.03 * this.limits.maxW);
    if (Math.abs(powerW - p.toW) > toleranceW) return;
    const lagMs = Math.max(0, nowMs - p.atMs);
    this.lagMs[p.kind] += LEARNING_RATE * (lagMs - this.lagMs[p.kind]);
    if (p.kind === 'limit' && lagMs > 0 && Math.abs(p.toW - p.fromW) > toleranceW) {
      this.rampWPerS += LEARNING_RATE * ((Math.abs(p.toW - p.fromW) * 1000) / lagMs - this.rampWPerS);
    }
    this.observations++;
    this.pending = undefined;
  }

  snapshot(): CapabilitySnapshot {
    const { minW, maxW, stepW, levelsW } = this.limits;
    const round1 = (ms: number) => Math.round(ms / 100) / 10;
    return {
      minW,
      maxW,
      stepW,
      ...(levelsW ? { levelsW: [...levelsW] } : {}),
      rampWPerS: Math.round(this.rampWPerS),
      wakeS: round1(this.lagMs.wake),
      sleepS: round1(this.lagMs.sleep),
      lagS: round1(this.lagMs.limit),
      observations: this.observations,
    };
  }
}
