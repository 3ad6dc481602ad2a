// Turning a meter's energy register into a cumulative, monotonic energy figure that payments can rely on.
//
// The register is not monotonic in practice: a u32/acc32 wraps, a replaced or reset meter starts again near 0,
// and a bus glitch or a firmware bug can return a value that went backwards or jumped. The rules:
// - rollover: the value fell, the old value was in the top half of the range and the step across the wrap
//   is one the meter's power could have made in the time: the step is counted;
// - reset: the value fell to near zero (within what the power allows since the last read, or below 1% of the
//   old value): re-based, nothing counted for this step, reported as 'counter reset';
// - backwards otherwise, or a rise faster than the power allows: not counted, reported as suspect. The value
//   is held as a candidate; when the next read continues plausibly from the candidate, the counter re-bases
//   on it (the disputed step is never counted), so a meter that really moved is followed, and a one-read
//   glitch costs nothing.

/** margin on the meter's maximum power when bounding how far a counter may move between two reads */
const POWER_MARGIN = 1.5;
const MS_PER_HOUR = 3_600_000;

export interface CounterLimits {
  /** the most power the meter can pass, W; undefined when unknown (then no jump check) */
  maxPowerW: number | undefined;
  /** allowance for the counter's own resolution, Wh */
  slackWh: number;
}

/** What an EnergyCounter must remember across a restart for its total to stay monotonic. */
export interface CounterState {
  totalWh: number;
  lastRaw: number;
  lastMs: number;
}

export class EnergyCounter {
  /** cumulative Wh reported; only ever grows */
  totalWh = 0;
  private lastRaw: number | undefined;
  private lastMs = 0;
  private candidate: { raw: number; ms: number } | undefined;

  /**
   * Resumes from a saved state: the first read after a restart is then judged against the last read before it
   * (a wrap or a meter replacement during the downtime is recognised), instead of restarting the total from the
   * register's value.
   */
  static resume(state: CounterState): EnergyCounter {
    const counter = new EnergyCounter();
    counter.totalWh = state.totalWh;
    counter.lastRaw = state.lastRaw;
    counter.lastMs = state.lastMs;
    return counter;
  }

  /** undefined before the first read: there is nothing to resume from */
  state(): CounterState | undefined {
    return this.lastRaw === undefined ? undefined : { totalWh: this.totalWh, lastRaw: this.lastRaw, lastMs: this.lastMs };
  }

  /** Takes one read of the register; returns why the step was not counted, or undefined when it was. */
  update(raw: number, wrapWh: number | undefined, nowMs: number, limits: CounterLimits): string | undefined {
    if (this.lastRaw === undefined) {
      this.rebase(raw, nowMs);
      this.totalWh = raw;
      return undefined;
    }
    const maxStep = this.maxStepWh(nowMs - this.lastMs, limits);
    const step = raw - this.lastRaw;
    if (step >= 0 && step <= maxStep) return this.count(step, raw, nowMs);
    if (step < 0 && wrapWh !== undefined && this.lastRaw > wrapWh / 2) {
      const across = raw + wrapWh - this.lastRaw;
      if (across >= 0 && across <= Math.min(maxStep, wrapWh / 100)) return this.count(across, raw, nowMs);
    }
    if (this.candidate !== undefined) {
      const fromCandidate = raw - this.candidate.raw;
      if (fromCandidate >= 0 && fromCandidate <= this.maxStepWh(nowMs - this.candidate.ms, limits)) {
        return this.count(fromCandidate, raw, nowMs);
      }
    }
    if (step < 0 && raw <= Math.max(limits.slackWh, this.lastRaw / 100, Number.isFinite(maxStep) ? maxStep : 0)) {
      this.rebase(raw, nowMs);
      return 'counter reset';
    }
    this.candidate = { raw, ms: nowMs };
    const seconds = Math.round((nowMs - this.lastMs) / 1000);
    return step < 0
      ? `counter went backwards from ${this.lastRaw} to ${raw} Wh`
      : `counter jumped by ${step} Wh in ${seconds} s, more than ${limits.maxPowerW} W allows`;
  }

  private count(stepWh: number, raw: number, nowMs: number): undefined {
    this.totalWh += stepWh;
    this.rebase(raw, nowMs);
    return undefined;
  }

  private rebase(raw: number, nowMs: number): void {
    this.lastRaw = raw;
    this.lastMs = nowMs;
    this.candidate = undefined;
  }

  private maxStepWh(elapsedMs: number, limits: CounterLimits): number {
    if (limits.maxPowerW === undefined) return Infinity;
    return (limits.maxPowerW * Math.max(elapsedMs, 0) * POWER_MARGIN) / MS_PER_HOUR + limits.slackWh;
  }
}

/**
 * Energy of the positive part of a power that moves linearly from p0 to p1 over elapsedMs (trapezoid rule,
 * with the zero crossing found exactly, so a flow that reverses is split between the two directions), Wh.
 */
export function positiveEnergyWh(p0: number, p1: number, elapsedMs: number): number {
  const hours = elapsedMs / MS_PER_HOUR;
  if (p0 >= 0 && p1 >= 0) return ((p0 + p1) / 2) * hours;
  if (p0 <= 0 && p1 <= 0) return 0;
  const top = Math.max(p0, p1);
  return ((top * top) / (2 * Math.abs(p1 - p0))) * hours;
}
