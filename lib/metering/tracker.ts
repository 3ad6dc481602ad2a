// One meter's readings over time: native values in, MeterReadings (lib/schemas/contracts.ts) out, with
// cumulative energy, quality and staleness. Pure: time arrives as nowMs arguments.
//
// SIGN CONVENTION (docs/contracts.md). powerW is positive INTO the DC bus. A meter measures "forward" from its
// line terminals to its load terminals, so the bus sign depends on which side of the meter the bus is:
// - source roles (genset, bus): the bus is on the load side, forward = into the bus: powerW = +forward,
//   energyInWh = forward counter, energyOutWh = reverse counter;
// - consumer-side roles (load, prosumer, miner, battery): the bus is on the line side, forward = drawn from
//   the bus: powerW = -forward, energyInWh = reverse counter, energyOutWh = forward counter;
// - invert flips both, for a meter mounted the other way round.
// currentA follows the same sign as powerW.
// Why: a balance then only sums powerW over every meter (Kirchhoff: about zero), and no consumer of readings
// needs to know how each meter was wired.
//
// A failed poll (fail) emits quality 'bad' WITH the last good values: energyInWh/energyOutWh must stay
// monotonic for payment streams, and powerW is flagged by quality, never a silent zero.

import type { MeterReading, MeterRole, Quality } from '../schemas/contracts';
import { EnergyCounter, EnergyIntegrator, type CounterLimits, type CounterState, type IntegratorState } from './counters';
import type { MeterProfile, NativeValues, NumericField, ValueRange } from './types';

export interface MeterTrackerOptions {
  /** the site whose bus the meter is on; every reading carries it */
  site: string;
  meterId: string;
  role: MeterRole;
  /** the meter is mounted the other way round from what its role implies */
  invert?: boolean;
  profile: MeterProfile;
  /** a meter without a good answer for this long is reported stale */
  staleAfterMs: number;
  /** the most power this meter can pass, W; bounds counter jumps (default: profile, rated power, range) */
  maxPowerW?: number;
  /** allowance for a counter's resolution when bounding its steps, Wh (default 10) */
  counterSlackWh?: number;
  /** state saved by snapshot() before a restart; ignored when it belongs to another meter or profile */
  resume?: SavedTrackerState;
}

/**
 * What a tracker keeps across a Node-RED restart, so that energy totals stay monotonic through it. Format 2 (v: 2)
 * keeps integrated energy as whole Wh plus remainder; format 1 (no v) kept float Wh and running counter totals, and
 * is still read.
 */
export interface TrackerSnapshot {
  v: 2;
  meterId: string;
  profileId: string;
  forward?: CounterState;
  reverse?: CounterState;
  /** energy integrated from power, for a profile without counters */
  derivedForward: IntegratorState;
  derivedReverse: IntegratorState;
  last?: MeterReading;
}

/** the first format, saved by release 0.1 */
interface TrackerSnapshotV1 {
  meterId: string;
  profileId: string;
  forward?: CounterState | { totalWh: number; lastRaw: number; lastMs: number };
  reverse?: CounterState | { totalWh: number; lastRaw: number; lastMs: number };
  derivedForwardWh: number;
  derivedReverseWh: number;
  last?: Omit<MeterReading, 'site'> & { site?: string };
}

export type SavedTrackerState = TrackerSnapshot | TrackerSnapshotV1;

interface Direction {
  /** the meter's counter for this bus direction, when the profile has one */
  readonly counter: EnergyCounter | undefined;
  readonly derived: EnergyIntegrator;
}

const SOURCE_ROLES: ReadonlySet<MeterRole> = new Set<MeterRole>(['genset', 'bus']);

export function busSign(role: MeterRole, invert = false): 1 | -1 {
  return (SOURCE_ROLES.has(role) ? 1 : -1) * (invert ? -1 : 1) as 1 | -1;
}

export class MeterTracker {
  private readonly options: MeterTrackerOptions;
  private readonly sign: 1 | -1;
  private readonly ranges: ReadonlyMap<NumericField, ValueRange>;
  private readonly forward: Direction;
  private readonly reverse: Direction;
  private readonly into: Direction;
  private readonly outOf: Direction;
  private last: MeterReading | undefined;
  /** the last powerW that was plausible, and when; the start of the next integration step */
  private lastPlausiblePower: { powerW: number; ms: number } | undefined;
  private ratedPowerW: number | undefined;
  private staleSinceMs: number | undefined;
  private staleReported = false;

  constructor(options: MeterTrackerOptions) {
    this.options = options;
    this.sign = busSign(options.role, options.invert);
    const ranges = new Map<NumericField, ValueRange>(Object.entries(options.profile.ranges ?? {}) as [NumericField, ValueRange][]);
    for (const register of options.profile.registers) {
      if (register.range !== undefined && register.field !== undefined && register.field !== 'serialNumber') ranges.set(register.field, register.range);
    }
    this.ranges = ranges;
    const saved = options.resume?.meterId === options.meterId && options.resume.profileId === options.profile.id ? options.resume : undefined;
    const has = (field: NumericField, state: SavedTrackerState['forward']): EnergyCounter | undefined =>
      !options.profile.registers.some((r) => r.field === field) ? undefined : state ? EnergyCounter.resume(state) : new EnergyCounter();
    const v2 = saved && 'v' in saved ? saved : undefined;
    const v1 = saved && !('v' in saved) ? saved : undefined;
    const forward: Direction = {
      counter: has('forwardEnergyWh', saved?.forward),
      derived: new EnergyIntegrator(v2?.derivedForward ?? v1?.derivedForwardWh),
    };
    const reverse: Direction = {
      counter: has('reverseEnergyWh', saved?.reverse),
      derived: new EnergyIntegrator(v2?.derivedReverse ?? v1?.derivedReverseWh),
    };
    this.forward = forward;
    this.reverse = reverse;
    this.into = this.sign > 0 ? forward : reverse;
    this.outOf = this.sign > 0 ? reverse : forward;
    // A reading saved before readings carried a site gets this tracker's: it is the same meter.
    this.last = saved?.last ? { ...saved.last, site: options.site } : undefined;
  }

  /** The state to save before a restart and hand back as `resume`. */
  snapshot(): TrackerSnapshot {
    return {
      v: 2,
      meterId: this.options.meterId,
      profileId: this.options.profile.id,
      forward: this.forward.counter?.state(),
      reverse: this.reverse.counter?.state(),
      derivedForward: this.forward.derived.state(),
      derivedReverse: this.reverse.derived.state(),
      last: this.last,
    };
  }

  /** A successful poll: the decoded values become a reading. */
  accept(values: NativeValues, nowMs: number): MeterReading {
    const reasons: string[] = [];
    for (const [field, range] of this.ranges) {
      const value = values[field];
      if (value !== undefined && (value < range.min || value > range.max)) {
        reasons.push(`${field} ${value} is outside the plausible range ${range.min}…${range.max}`);
      }
    }
    if (values.ratedPowerW !== undefined) this.ratedPowerW = values.ratedPowerW;
    const nativePower = values.powerW;
    const powerPlausible = nativePower !== undefined && !reasons.some((r) => r.startsWith('powerW '));
    if (nativePower === undefined) reasons.push('the meter did not report power');
    const powerW = nativePower === undefined ? (this.last?.powerW ?? 0) : zeroed(this.sign * nativePower);

    const limits: CounterLimits = { maxPowerW: this.maxPowerW(), slackWh: this.options.counterSlackWh ?? 10 };
    const forwardIsIn = this.sign > 0;
    this.count(this.into, forwardIsIn ? values.forwardEnergyWh : values.reverseEnergyWh, forwardIsIn ? values.forwardEnergyWrapWh : values.reverseEnergyWrapWh, nowMs, limits, reasons);
    this.count(this.outOf, forwardIsIn ? values.reverseEnergyWh : values.forwardEnergyWh, forwardIsIn ? values.reverseEnergyWrapWh : values.forwardEnergyWrapWh, nowMs, limits, reasons);
    this.integrate(powerPlausible ? powerW : undefined, nowMs, reasons);

    const reading: MeterReading = {
      site: this.options.site,
      meterId: this.options.meterId,
      role: this.options.role,
      ts: new Date(nowMs).toISOString(),
      powerW,
      energyInWh: this.energy(this.into),
      energyOutWh: this.energy(this.outOf),
      quality: reasons.length > 0 ? 'suspect' : 'good',
      profile: this.options.profile.id,
    };
    if (values.voltageV !== undefined) reading.voltageV = values.voltageV;
    if (values.currentA !== undefined) reading.currentA = zeroed(this.sign * values.currentA);
    if (values.availablePowerW !== undefined) reading.availablePowerW = values.availablePowerW;
    if (values.fuelScfm !== undefined) reading.fuelScfm = values.fuelScfm;
    if (reasons.length > 0) reading.qualityReason = reasons.join('; ');
    if (this.into.counter === undefined || this.outOf.counter === undefined) reading.energyDerived = true;
    this.last = reading;
    this.staleSinceMs = nowMs;
    this.staleReported = false;
    return reading;
  }

  /** A failed poll (Modbus exception, timeout, decode error): quality bad, last good values, the reason. */
  fail(reason: string, nowMs: number): MeterReading {
    return this.carryOver('bad', reason, nowMs);
  }

  /**
   * A stale reading once the last good answer is older than staleAfterMs, once per episode (until the next
   * good answer); undefined otherwise. Without any answer yet, the episode starts at the first call.
   */
  checkStale(nowMs: number): MeterReading | undefined {
    this.staleSinceMs ??= nowMs;
    const silentMs = nowMs - this.staleSinceMs;
    if (this.staleReported || silentMs < this.options.staleAfterMs) return undefined;
    this.staleReported = true;
    return this.carryOver('stale', `no good answer for ${Math.round(silentMs / 1000)} s`, nowMs);
  }

  private carryOver(quality: Quality, reason: string, nowMs: number): MeterReading {
    const base: MeterReading = this.last ?? {
      site: this.options.site,
      meterId: this.options.meterId,
      role: this.options.role,
      ts: '',
      powerW: 0,
      energyInWh: 0,
      energyOutWh: 0,
      quality,
      profile: this.options.profile.id,
    };
    return { ...base, ts: new Date(nowMs).toISOString(), quality, qualityReason: this.last === undefined ? `${reason} (no reading yet)` : reason };
  }

  private count(direction: Direction, raw: number | undefined, wrapWh: number | undefined, nowMs: number, limits: CounterLimits, reasons: string[]): void {
    if (direction.counter === undefined || raw === undefined) return;
    const problem = direction.counter.update(raw, wrapWh, nowMs, limits);
    if (problem !== undefined) reasons.push(problem);
  }

  private integrate(powerW: number | undefined, nowMs: number, reasons: string[]): void {
    const previous = this.lastPlausiblePower;
    if (powerW === undefined) return; // hold: the next plausible sample resumes from the last plausible one
    this.lastPlausiblePower = { powerW, ms: nowMs };
    if (previous === undefined || (this.into.counter !== undefined && this.outOf.counter !== undefined)) return;
    const elapsedMs = nowMs - previous.ms;
    if (elapsedMs > this.options.staleAfterMs) {
      reasons.push(`energy not integrated over a gap of ${Math.round(elapsedMs / 1000)} s`);
      return;
    }
    if (this.into.counter === undefined) this.into.derived.addPositive(previous.powerW, powerW, elapsedMs);
    if (this.outOf.counter === undefined) this.outOf.derived.addPositive(-previous.powerW, -powerW, elapsedMs);
  }

  /** whole Wh, as the contract has it */
  private energy(direction: Direction): number {
    return direction.counter === undefined ? direction.derived.wholeWh : direction.counter.wholeWh;
  }

  private maxPowerW(): number | undefined {
    const range = this.ranges.get('powerW');
    return (
      this.options.maxPowerW ??
      this.options.profile.maxPowerW ??
      this.ratedPowerW ??
      (range === undefined ? undefined : Math.max(Math.abs(range.min), Math.abs(range.max)))
    );
  }
}

/** -0 reads oddly in a dashboard and in JSON diffs */
function zeroed(value: number): number {
  return value === 0 ? 0 : value;
}
