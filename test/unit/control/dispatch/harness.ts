// A small site for the dispatch controller's tests: one 100 kW genset (95 kW cap), S21-class miners that obey
// every command at once unless told to drop it, and balances built from what they draw. Every figure in a test can
// then be worked out by hand.
import { DispatchController, type DispatchDecision } from '../../../../lib/control/dispatch';
import type { MinerTelemetry, SiteBalance } from '../../../../lib/schemas';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

export interface SimMiner {
  id: string;
  targetW: number;
  powerW: number;
  /** drop every command (a miner that acknowledges but never applies) */
  deaf?: boolean;
  efficiencyJPerTh?: number;
}

export interface SiteOptions {
  params?: Record<string, unknown>;
  miners?: number;
  /** each miner's draw at the start, W (0 = asleep): one figure for all, or one per miner */
  startW?: number | readonly number[];
  priorities?: ReadonlyMap<string, number>;
}

/** Parameters that keep a test to the one figure it checks: one 100 kW set, no reserve, no delays. */
export const QUIET = {
  gensetRatingKw: 100,
  gensetCount: 1,
  reserveKw: 0,
  enableDelayS: 0,
  disableDelayS: 0,
  stepIntervalS: 0,
  minOnS: 0,
  minOffS: 0,
  rampUpKwPerS: 1000,
  maxStepKw: 1000,
  failSafePct: 30,
};

export class Site {
  nowMs = T0;
  readonly ctl: DispatchController;
  readonly miners: SimMiner[];
  last?: DispatchDecision;

  constructor(options: SiteOptions = {}) {
    const count = options.miners ?? 10;
    const startOf = (i: number) => (typeof options.startW === 'number' ? options.startW : (options.startW?.[i] ?? 0));
    this.miners = Array.from({ length: count }, (_, i) => ({ id: `m-${String(i + 1).padStart(2, '0')}`, targetW: startOf(i), powerW: startOf(i) }));
    this.ctl = new DispatchController({ site: 'well-7', params: { ...QUIET, ...options.params }, priorities: options.priorities });
    this.report();
  }

  miner(id: string): SimMiner {
    return this.miners.find((m) => m.id === id)!;
  }

  get drawW(): number {
    return this.miners.reduce((sum, m) => sum + m.powerW, 0);
  }

  telemetryOf(m: SimMiner, overrides: Partial<MinerTelemetry> = {}): MinerTelemetry {
    const on = m.powerW > 0;
    const efficiency = m.efficiencyJPerTh ?? 17.5;
    return {
      minerId: m.id, site: 'well-7', ts: new Date(this.nowMs).toISOString(), state: on ? 'hashing' : 'sleeping', powerW: m.powerW, powerSource: 'measured',
      targetW: m.targetW, hashrateThs: on ? m.powerW / efficiency : 0, quality: 'good', confirmed: m.targetW === m.powerW, ...overrides,
    };
  }

  /** Every miner reports. */
  report(): void {
    for (const m of this.miners) this.ctl.onTelemetry(this.telemetryOf(m), this.nowMs);
  }

  balanceOf(overrides: Partial<SiteBalance> = {}): SiteBalance {
    const firmDemandW = overrides.firmDemandW ?? 20_000;
    const minerW = this.drawW;
    return {
      site: 'well-7', ts: new Date(this.nowMs).toISOString(), generationW: firmDemandW + minerW, firmDemandW, minerW, availableW: 100_000, reserveW: 0,
      surplusW: 0, imbalanceW: 0, busVoltageV: 378, quality: 'good', staleMeters: [], ...overrides,
    };
  }

  /** Moves time by `ms`, hands over a balance (unless `balance` is null) and every miner's telemetry, decides, and lets the miners obey. */
  step(balance: Partial<SiteBalance> | null = {}, ms = 1000): DispatchDecision {
    this.nowMs += ms;
    this.report();
    if (balance) this.ctl.onBalance(this.balanceOf(balance), this.nowMs);
    this.last = this.ctl.decide(this.nowMs);
    for (const c of this.last.commands) {
      const m = this.miner(c.minerId);
      m.targetW = c.targetW;
      if (!m.deaf) m.powerW = c.targetW;
    }
    return this.last;
  }

  /** Steps until `until` holds or `limit` steps have passed; returns the number of steps taken. */
  run(balance: Partial<SiteBalance> | null, until: (d: DispatchDecision) => boolean, limit = 600): number {
    for (let i = 1; i <= limit; i++) if (until(this.step(balance))) return i;
    throw new Error(`condition not met in ${limit} steps; last reasons: ${this.last?.reasons.join(' | ')}`);
  }

  targetOf(id: string): number {
    return this.last!.targets.find((t) => t.minerId === id)!.targetW;
  }
}

/** Whole-W sums of a decision's targets. */
export const total = (d: DispatchDecision) => d.targets.reduce((sum, t) => sum + t.targetW, 0);
