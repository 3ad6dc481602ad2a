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
// Energies are reported in whole Wh (the MeterReading contract); the fraction is carried, never rounded away.

/** margin on the meter's maximum power when bounding how far a counter may move between two reads */
const POWER_MARGIN = 1.5;
const MS_PER_HOUR = 3_600_000;
/**
 * Counter totals are floats built from one subtraction per segment (never a running sum of steps), so their
 * error stays at one rounding; this tolerance keeps 12344.999999999998 from flooring to 12344.
 */
const WHOLE_WH_TOLERANCE = 1e-6;

export interface CounterLimits {
  /** the most power the meter can pass, W; undefined when unknown (then no jump check) */
  maxPowerW: number | undefined;
  /** allowance for the counter's own resolution, Wh */
  slackWh: number;
}

/**
 * What an EnergyCounter must remember across a restart for its total to stay monotonic: the total at the start
 * of the current segment (a segment ends at a wrap, a reset or a re-base), the register's value there, and the
 * last read.
 */
export interface CounterState {
  baseWh: number;
  segmentStartRaw: number;
  lastRaw: number;
  lastMs: number;
}

/** The first saved format: a running total. */
interface CounterStateV1 {
  totalWh: number;
  lastRaw: number;
  lastMs: number;
}

export function migrateCounterState(state: CounterState | CounterStateV1): CounterState {
  if ('baseWh' in state) return state;
  return { baseWh: state.totalWh, segmentStartRaw: state.lastRaw, lastRaw: state.lastRaw, lastMs: state.lastMs };
}

export class EnergyCounter {
  private baseWh = 0;
  private segmentStartRaw = 0;
  private lastRaw: number | undefined;
  private lastMs = 0;
  private candidate: { raw: number; ms: number } | undefined;

  /**
   * Resumes from a saved state: the first read after a restart is then judged against the last read before it
   * (a wrap or a meter replacement during the downtime is recognised), instead of restarting the total from the
   * register's value.
   */
  static resume(state: CounterState | CounterStateV1): EnergyCounter {
    const saved = migrateCounterState(state);
    const counter = new EnergyCounter();
    counter.baseWh = saved.baseWh;
    counter.segmentStartRaw = saved.segmentStartRaw;
    counter.lastRaw = saved.lastRaw;
    counter.lastMs = saved.lastMs;
    return counter;
  }

  /** cumulative Wh counted, with the register's own resolution; only ever grows */
  get totalWh(): number {
    return this.lastRaw === undefined ? 0 : this.baseWh + (this.lastRaw - this.segmentStartRaw);
  }

  /** whole Wh counted; the fraction stays in the counter and is never lost */
  get wholeWh(): number {
    return Math.floor(this.totalWh + WHOLE_WH_TOLERANCE);
  }

  /** undefined before the first read: there is nothing to resume from */
  state(): CounterState | undefined {
    if (this.lastRaw === undefined) return undefined;
    return { baseWh: this.baseWh, segmentStartRaw: this.segmentStartRaw, lastRaw: this.lastRaw, lastMs: this.lastMs };
  }

  /** Takes one read of the register; returns why the step was not counted, or undefined when it was. */
  update(raw: number, wrapWh: number | undefined, nowMs: number, limits: CounterLimits): string | undefined {
    if (this.lastRaw === undefined) {
      // The register's own reading is the total to start from.
      this.startSegment(0, 0, raw, nowMs);
      return undefined;
    }
    const maxStep = this.maxStepWh(nowMs - this.lastMs, limits);
    const step = raw - this.lastRaw;
    if (step >= 0 && step <= maxStep) {
      this.lastRaw = raw;
      this.lastMs = nowMs;
      this.candidate = undefined;
      return undefined;
    }
    if (step < 0 && wrapWh !== undefined && this.lastRaw > wrapWh / 2) {
      const across = raw + wrapWh - this.lastRaw;
      if (across >= 0 && across <= Math.min(maxStep, wrapWh / 100)) {
        this.startSegment(this.totalWh + across, raw, raw, nowMs);
        return undefined;
      }
    }
    if (this.candidate !== undefined) {
      const fromCandidate = raw - this.candidate.raw;
      if (fromCandidate >= 0 && fromCandidate <= this.maxStepWh(nowMs - this.candidate.ms, limits)) {
        // The meter really moved: follow it from the candidate; the disputed step is never counted.
        this.startSegment(this.totalWh, this.candidate.raw, raw, nowMs);
        return undefined;
      }
    }
    if (step < 0 && raw <= Math.max(limits.slackWh, this.lastRaw / 100, Number.isFinite(maxStep) ? maxStep : 0)) {
      this.startSegment(this.totalWh, raw, raw, nowMs);
      return 'counter reset';
    }
    this.candidate = { raw, ms: nowMs };
    const seconds = Math.round((nowMs - this.lastMs) / 1000);
    return step < 0
      ? `counter went backwards from ${this.lastRaw} to ${raw} Wh`
      : `counter jumped by ${step} Wh in ${seconds} s, more than ${limits.maxPowerW} W allows`;
  }

  private startSegment(baseWh: number, segmentStartRaw: number, raw: number, nowMs: number): void {
    this.baseWh = baseWh;
    this.segmentStartRaw = segmentStartRaw;
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
 * Integer energy accounting for power integration: energy is kept as whole Wh plus a remainder in integer units
 * of half a milliwatt-millisecond (the trapezoid rule's (p0 + p1) / 2 stays whole), so a day of one-second steps
 * adds up exactly, with no Wh lost or invented by float rounding. Power is taken to the milliwatt and time to
 * the millisecond.
 */
export interface IntegratorState {
  wholeWh: number;
  /** 0 <= remainder < UNITS_PER_WH */
  remainder: number;
}

/** half-mW·ms per Wh: 1 Wh = 3,600 J = 3.6e9 mW·ms */
const UNITS_PER_WH = 7_200_000_000;

export class EnergyIntegrator {
  wholeWh: number;
  private remainder: number;

  constructor(state: IntegratorState | number = { wholeWh: 0, remainder: 0 }) {
    if (typeof state === 'number') {
      // the first saved format: a float Wh total
      this.wholeWh = Math.floor(state);
      this.remainder = Math.round((state - this.wholeWh) * UNITS_PER_WH);
    } else {
      this.wholeWh = state.wholeWh;
      this.remainder = state.remainder;
    }
  }

  state(): IntegratorState {
    return { wholeWh: this.wholeWh, remainder: this.remainder };
  }

  /**
   * Adds the energy of the positive part of a power that moves linearly from p0W to p1W over elapsedMs; a flow
   * that reverses is split at its zero crossing, each side rounded down by less than 1e-10 Wh.
   */
  addPositive(p0W: number, p1W: number, elapsedMs: number): void {
    const p0 = Math.round(p0W * 1000);
    const p1 = Math.round(p1W * 1000);
    const ms = Math.round(elapsedMs);
    if (ms <= 0 || (p0 <= 0 && p1 <= 0)) return;
    if (p0 >= 0 && p1 >= 0) {
      this.addUnits((p0 + p1) * ms);
      return;
    }
    // Positive area of the triangle: top² · ms / |p1 - p0| in half-units; the product outgrows 2^53, hence BigInt.
    const top = BigInt(Math.max(p0, p1));
    this.addUnits(Number((top * top * BigInt(ms)) / BigInt(Math.abs(p1 - p0))));
  }

  private addUnits(units: number): void {
    const total = this.remainder + units;
    const whole = Math.floor(total / UNITS_PER_WH);
    this.wholeWh += whole;
    this.remainder = total - whole * UNITS_PER_WH;
  }
}
