// Flare-gas supply at the wellsite: mean flow with a diurnal swing, AR(1) noise and step events.
import {
  BTU_PER_KWH,
  DEFAULT_DIURNAL_AMPLITUDE,
  DEFAULT_GAS_FLOW_MCFD,
  DEFAULT_HEATING_VALUE_BTU_PER_SCF,
  DEFAULT_NOISE_SIGMA,
  DEFAULT_NOISE_TAU_MS,
  DIURNAL_MIN_HOUR,
  GAS_EVENTS,
} from './constants';
import { SimError } from '../errors';
import { Prng } from './prng';

export type GasEventKind = 'slug' | 'dip' | 'shut-in' | 'step';

export interface GasEvent {
  kind: GasEventKind;
  /** Multiplies the flow while active: a slug 1.25–1.4, a dip 0.4–0.6, a shut-in 0, a well off line e.g. 0.7. */
  factor: number;
  startMs: number;
  /** Undefined = until cleared (a well taken off line stays off until `clearGasEvents`). */
  endMs?: number;
}

export interface GasOptions {
  meanFlowMcfd?: number;
  heatingValueBtuPerScf?: number;
  diurnalAmplitude?: number;
  noiseSigma?: number;
  noiseTauMs?: number;
  /** Draw slugs, dips and shut-ins at random at the rates of constants GAS_EVENTS. */
  randomEvents?: boolean;
  /**
   * Line pack between the wellhead and the engines' intake, as the time constant of the intake flow's lag behind
   * the wellhead flow, ms (about 60 s at mean flow on the site of docs/dispatch.md). 0, the default, is no pipe: the intake follows
   * the wellhead in the same step.
   */
  linePackMs?: number;
}

const DAY_MS = 86_400_000;

export class GasSupply {
  meanFlowMcfd: number;
  readonly heatingValueBtuPerScf: number;
  private readonly diurnalAmplitude: number;
  private readonly noiseSigma: number;
  private readonly noiseTauMs: number;
  private readonly randomEvents: boolean;
  private noise = 0;
  private events: GasEvent[] = [];
  private readonly linePackMs: number;
  private started = false;
  /** Wellhead flow, Mcf/d. */
  flowMcfd = 0;
  /** Flow reaching the engines' intake (and the flare beside it), Mcf/d: the wellhead flow through the line pack. */
  intakeFlowMcfd = 0;

  constructor(
    options: GasOptions,
    private readonly prng: Prng,
  ) {
    this.meanFlowMcfd = options.meanFlowMcfd ?? DEFAULT_GAS_FLOW_MCFD;
    this.heatingValueBtuPerScf = options.heatingValueBtuPerScf ?? DEFAULT_HEATING_VALUE_BTU_PER_SCF;
    this.diurnalAmplitude = options.diurnalAmplitude ?? DEFAULT_DIURNAL_AMPLITUDE;
    this.noiseSigma = options.noiseSigma ?? DEFAULT_NOISE_SIGMA;
    this.noiseTauMs = options.noiseTauMs ?? DEFAULT_NOISE_TAU_MS;
    this.randomEvents = options.randomEvents ?? true;
    this.linePackMs = options.linePackMs ?? 0;
    if (!(this.linePackMs >= 0)) throw new SimError('ERR_OPTION', `linePackMs must be 0 or more, got ${this.linePackMs}`);
  }

  inject(event: GasEvent): void {
    this.events.push(event);
  }

  clearEvents(): void {
    this.events = [];
  }

  activeEvents(nowMs: number): GasEvent[] {
    return this.events.filter((e) => e.startMs <= nowMs && (e.endMs === undefined || nowMs < e.endMs));
  }

  /** Advances the flow to `nowMs` over a step of `dtMs`. */
  step(nowMs: number, dtMs: number): void {
    if (this.noiseSigma > 0) {
      // Exact AR(1) discretisation of an Ornstein–Uhlenbeck process: stationary sigma whatever the step.
      const phi = Math.exp(-dtMs / this.noiseTauMs);
      this.noise = phi * this.noise + this.noiseSigma * Math.sqrt(1 - phi * phi) * this.prng.normal();
    }
    if (this.randomEvents) this.drawEvents(nowMs, dtMs);
    this.events = this.events.filter((e) => e.endMs === undefined || e.endMs > nowMs);
    const hour = (((nowMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
    const diurnal = 1 - this.diurnalAmplitude * Math.cos((2 * Math.PI * (hour - DIURNAL_MIN_HOUR)) / 24);
    let factor = diurnal * (1 + this.noise);
    for (const event of this.activeEvents(nowMs)) factor *= event.factor;
    this.flowMcfd = Math.max(0, this.meanFlowMcfd * factor);
    // The packed pipe is a first-order lag, solved exactly per step; it starts full, at the first flow.
    const lag = this.started && this.linePackMs > 0 ? Math.exp(-dtMs / this.linePackMs) : 0;
    this.intakeFlowMcfd = lag * this.intakeFlowMcfd + (1 - lag) * this.flowMcfd;
    this.started = true;
  }

  /** Energy rate of the gas supply, W (fuel power at the configured heating value). */
  fuelPowerW(): number {
    return fuelPowerW(this.flowMcfd, this.heatingValueBtuPerScf);
  }

  /** Energy rate of the gas at the engines' intake, W. */
  intakeFuelPowerW(): number {
    return fuelPowerW(this.intakeFlowMcfd, this.heatingValueBtuPerScf);
  }

  private drawEvents(nowMs: number, dtMs: number): void {
    const shapes: Array<[Exclude<GasEventKind, 'step'>, (typeof GAS_EVENTS)[keyof typeof GAS_EVENTS]]> = [
      ['slug', GAS_EVENTS.slug],
      ['dip', GAS_EVENTS.dip],
      ['shut-in', GAS_EVENTS.shutIn],
    ];
    for (const [kind, shape] of shapes) {
      if (this.prng.next() < (shape.perDay * dtMs) / DAY_MS) {
        const durationMs = this.prng.between(shape.minMs, shape.maxMs);
        const factor = this.prng.between(shape.minFactor, shape.maxFactor);
        this.events.push({ kind, factor, startMs: nowMs, endMs: nowMs + durationMs });
      }
    }
  }
}

/** Gas energy rate in BTU/h: 1 Mcf = 1,000 scf, a day has 24 h. */
export function fuelBtuPerHour(flowMcfd: number, heatingValueBtuPerScf: number): number {
  return (flowMcfd * 1000 * heatingValueBtuPerScf) / 24;
}

/** Gas energy rate in W. */
export function fuelPowerW(flowMcfd: number, heatingValueBtuPerScf: number): number {
  return (fuelBtuPerHour(flowMcfd, heatingValueBtuPerScf) / BTU_PER_KWH) * 1000;
}
