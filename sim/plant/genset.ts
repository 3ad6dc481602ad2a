// One gas genset with its controller: run states, ramp-limited power set point, protection trips, fuel use.
import {
  BTU_PER_KWH,
  COOL_DOWN_MS,
  DEFAULT_HARD_MIN_TRIP_MS,
  DEFAULT_HEAT_RATE_BTU_PER_KWH,
  FUEL_SHORTFALL_TRIP_MS,
  HARD_MIN_LOAD_FRACTION,
  OVERLOAD_FRACTION,
  OVERLOAD_TRIP_MS,
  RAMP_DOWN_FRACTION_PER_S,
  RAMP_UP_FRACTION_PER_S,
  RESTART_DELAY_MS,
  SOFT_MIN_LOAD_FRACTION,
  WARM_UP_MS,
} from './constants';
import { EnergyCounter } from './counter';

/** FG-GC1 RunState register values. */
export enum RunState {
  Stopped = 0,
  Starting = 1,
  Running = 2,
  CoolingDown = 3,
  Tripped = 4,
}

/** FG-GC1 Alarms register bits. */
export const Alarm = {
  FuelShortfallTrip: 1 << 0,
  OverloadTrip: 1 << 1,
  BelowSoftMin: 1 << 2,
  HardMinTrip: 1 << 3,
  LowGasSupply: 1 << 4,
} as const;

const LATCHED_TRIPS = Alarm.FuelShortfallTrip | Alarm.OverloadTrip | Alarm.HardMinTrip;

export interface GensetOptions {
  ratedPowerW: number;
  heatRateBtuPerKwh?: number;
  /** Part-load efficiency points [load fraction, efficiency]; when set it replaces the constant heat rate. */
  efficiencyCurve?: ReadonlyArray<readonly [number, number]>;
  hardMinTripMs?: number;
  autoRestart?: boolean;
}

export class Genset {
  readonly ratedPowerW: number;
  readonly energyForward: EnergyCounter;
  state = RunState.Running;
  /** Latched trip bits; live bits are added by `alarms`. */
  private latched = 0;
  private lowGas = false;
  setpointW = 0;
  outputW = 0;
  availableW = 0;
  fuelScfPerMin = 0;
  tripCount = 0;
  belowSoftMinMs = 0;
  /** Consecutive time below the hard minimum (the trip timer). */
  belowHardMinMs = 0;
  /** Total time online below the hard minimum since start, ms. */
  belowHardMinTotalMs = 0;
  private shortfallMs = 0;
  private overloadMs = 0;
  private stateMs = 0;
  private readonly heatRate: number;
  private readonly curve?: ReadonlyArray<readonly [number, number]>;
  private readonly hardMinTripMs: number;
  private readonly autoRestart: boolean;

  constructor(
    readonly name: string,
    options: GensetOptions,
    presetWh: number | bigint = 0,
  ) {
    this.ratedPowerW = options.ratedPowerW;
    this.heatRate = options.heatRateBtuPerKwh ?? DEFAULT_HEAT_RATE_BTU_PER_KWH;
    this.curve = options.efficiencyCurve;
    this.hardMinTripMs = options.hardMinTripMs ?? DEFAULT_HARD_MIN_TRIP_MS;
    this.autoRestart = options.autoRestart ?? true;
    this.energyForward = new EnergyCounter(presetWh);
  }

  get online(): boolean {
    return this.state === RunState.Running;
  }

  get alarms(): number {
    let bits = this.latched;
    if (this.online && this.outputW < SOFT_MIN_LOAD_FRACTION * this.ratedPowerW) bits |= Alarm.BelowSoftMin;
    if (this.online && this.lowGas) bits |= Alarm.LowGasSupply;
    return bits;
  }

  /** Heat rate at a load fraction, BTU/kWh: constant, or from the part-load efficiency curve. */
  heatRateAt(loadFraction: number): number {
    if (!this.curve) return this.heatRate;
    return BTU_PER_KWH / interpolate(this.curve, loadFraction);
  }

  /** Sets what this set's share of the gas can carry, capped at the rating. */
  setFuelShare(btuPerHour: number): void {
    if (!this.online) {
      this.availableW = 0;
      return;
    }
    const fuelBtuPerHourAt = (powerW: number) => (powerW / 1000) * this.heatRateAt(powerW / this.ratedPowerW);
    if (fuelBtuPerHourAt(this.ratedPowerW) <= btuPerHour) {
      this.availableW = this.ratedPowerW;
    } else if (!this.curve) {
      this.availableW = (btuPerHour / this.heatRate) * 1000;
    } else {
      // Fuel use rises monotonically with power on the curve, so bisection finds the gas-limited power.
      let low = 0;
      let high = this.ratedPowerW;
      for (let i = 0; i < 40; i++) {
        const mid = (low + high) / 2;
        if (fuelBtuPerHourAt(mid) <= btuPerHour) low = mid;
        else high = mid;
      }
      this.availableW = low;
    }
  }

  /** Places the set point at once (plant start-up, which begins in steady state). */
  prime(targetW: number): void {
    this.setpointW = Math.max(0, Math.min(targetW, this.availableW));
  }

  /** Moves the set point toward the target within the ramp limits and what the gas can carry. */
  ramp(targetW: number, dtMs: number): void {
    if (!this.online) {
      this.setpointW = 0;
      return;
    }
    const up = RAMP_UP_FRACTION_PER_S * this.ratedPowerW * (dtMs / 1000);
    const down = RAMP_DOWN_FRACTION_PER_S * this.ratedPowerW * (dtMs / 1000);
    const ramped = Math.min(Math.max(targetW, this.setpointW - down), this.setpointW + up);
    this.setpointW = Math.max(0, Math.min(ramped, this.availableW));
  }

  /**
   * Protection: a demand share above what the gas (or the rating) can carry for > 5 s, above 110% for > 2 s,
   * or an output below the hard minimum for too long, opens the breaker.
   */
  protect(targetW: number, dtMs: number): void {
    if (!this.online) return;
    const tolerance = 0.005 * this.ratedPowerW;
    const short = targetW > this.availableW + tolerance;
    this.lowGas = short && this.availableW < this.ratedPowerW;
    this.shortfallMs = short ? this.shortfallMs + dtMs : 0;
    this.overloadMs = targetW > OVERLOAD_FRACTION * this.ratedPowerW ? this.overloadMs + dtMs : 0;
    this.belowHardMinMs = this.outputW < HARD_MIN_LOAD_FRACTION * this.ratedPowerW ? this.belowHardMinMs + dtMs : 0;
    if (this.overloadMs > OVERLOAD_TRIP_MS) this.trip(Alarm.OverloadTrip);
    else if (this.shortfallMs > FUEL_SHORTFALL_TRIP_MS) {
      this.trip(this.availableW < this.ratedPowerW ? Alarm.FuelShortfallTrip : Alarm.OverloadTrip);
    } else if (this.belowHardMinMs > this.hardMinTripMs) this.trip(Alarm.HardMinTrip);
  }

  /** Books the power delivered this step: energy counter, fuel flow, time below the soft minimum. */
  deliver(outputW: number, dtMs: number, heatingValueBtuPerScf: number): number {
    this.outputW = this.online ? outputW : 0;
    this.energyForward.add(this.outputW, dtMs);
    const btuPerHour = (this.outputW / 1000) * this.heatRateAt(this.outputW / this.ratedPowerW);
    this.fuelScfPerMin = btuPerHour / heatingValueBtuPerScf / 60;
    if (this.online && this.outputW < SOFT_MIN_LOAD_FRACTION * this.ratedPowerW) this.belowSoftMinMs += dtMs;
    if (this.online && this.outputW < HARD_MIN_LOAD_FRACTION * this.ratedPowerW) this.belowHardMinTotalMs += dtMs;
    return this.fuelScfPerMin * (dtMs / 60_000);
  }

  /** Advances the start, cool-down and restart timers. */
  tickState(dtMs: number): void {
    this.stateMs += dtMs;
    if (this.state === RunState.Tripped && this.autoRestart && this.stateMs >= RESTART_DELAY_MS) this.start();
    else if (this.state === RunState.Starting && this.stateMs >= WARM_UP_MS) this.enter(RunState.Running);
    else if (this.state === RunState.CoolingDown && this.stateMs >= COOL_DOWN_MS) this.enter(RunState.Stopped);
  }

  start(): void {
    if (this.state === RunState.Running || this.state === RunState.Starting) return;
    this.latched = 0;
    this.enter(RunState.Starting);
  }

  stop(): void {
    if (this.state === RunState.Running || this.state === RunState.Starting) this.enter(RunState.CoolingDown);
  }

  private trip(bit: number): void {
    this.latched |= bit & LATCHED_TRIPS;
    this.tripCount++;
    this.enter(RunState.Tripped);
  }

  private enter(state: RunState): void {
    this.state = state;
    this.stateMs = 0;
    this.shortfallMs = 0;
    this.overloadMs = 0;
    this.belowHardMinMs = 0;
    this.lowGas = false;
    this.setpointW = 0;
    this.outputW = 0;
    this.availableW = 0;
  }
}

function interpolate(points: ReadonlyArray<readonly [number, number]>, x: number): number {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x0, y0] = points[i - 1]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return last[1];
}
