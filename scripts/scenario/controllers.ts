// The two ways the scenario runs the miners: FlareGrid's dispatch (lib/control/dispatch, as flaregrid-dispatch
// runs it) and the naive operator of docs/dispatch.md ("The baseline").
import { DispatchController, type DispatchDecision } from '../../lib/control/dispatch';
import type { MeterReading, SiteBalance } from '../../lib/schemas';
import type { SimFleet } from './sim-fleet';

export interface Tick {
  nowMs: number;
  /** every genset reading delivered this second (none while the genset meters are silent) */
  gensetReadings: MeterReading[];
  balance: SiteBalance;
  fleet: SimFleet;
  /** genset trips so far, as the operator's alarm panel counts them */
  tripCount: number;
}

export interface SiteController {
  readonly name: string;
  tick(tick: Tick): void;
}

/** Telemetry of every miner every this many seconds, half the fleet each second [A]. */
const TELEMETRY_PERIOD_S = 2;

export class FlareGridDispatch implements SiteController {
  readonly name = 'flaregrid';
  readonly controller: DispatchController;
  private readonly index: Map<string, number>;
  private second = 0;
  last?: DispatchDecision;

  constructor(fleet: SimFleet, site: string, startMs: number, params: Record<string, unknown> = {}) {
    this.controller = new DispatchController({ site, miners: fleet.ids, params });
    this.index = new Map(fleet.ids.map((id, i) => [id, i]));
    const ts = new Date(startMs).toISOString();
    for (let i = 0; i < fleet.count; i++) this.controller.onTelemetry(fleet.telemetry(i, startMs, site, ts), startMs);
  }

  tick({ nowMs, gensetReadings, balance, fleet }: Tick): void {
    for (const reading of gensetReadings) this.controller.onGensetReading(reading, nowMs);
    this.controller.onBalance(balance, nowMs);
    const ts = new Date(nowMs).toISOString();
    for (let i = this.second % TELEMETRY_PERIOD_S; i < fleet.count; i += TELEMETRY_PERIOD_S) {
      this.controller.onTelemetry(fleet.telemetry(i, nowMs, balance.site, ts), nowMs);
    }
    this.second++;
    this.last = this.controller.decide(nowMs);
    for (const command of this.last.commands) fleet.apply(this.index.get(command.minerId)!, command.targetW, nowMs);
  }
}

/**
 * Every 60 s, genset load > 95% for 30 s stops 5 miners, < 75% for 5 min starts 5; on/off only,
 * at full power; no gas anticipation, no minimum-load protection; stale data ignored (the last value is reused);
 * after a trip it waits 10 min and restarts every miner that was on.
 */
export class NaiveOperator implements SiteController {
  readonly name = 'baseline';
  private readonly on: boolean[];
  private loadFraction = 0;
  private highMs = 0;
  private lowMs = 0;
  private trips = 0;
  private restartAtMs: number | undefined;
  private second = 0;

  constructor(
    fleet: SimFleet,
    private readonly ratingW: number,
    private readonly maxW: number,
  ) {
    this.on = fleet.ids.map((_, i) => fleet.isMining(i));
  }

  tick({ nowMs, gensetReadings, fleet, tripCount }: Tick): void {
    if (gensetReadings.length > 0) {
      const online = gensetReadings.filter((r) => r.powerW > 0 || (r.availablePowerW ?? 0) > 0);
      const generationW = online.reduce((sum, r) => sum + r.powerW, 0);
      this.loadFraction = online.length > 0 ? generationW / (online.length * this.ratingW) : 0;
    }
    this.highMs = this.loadFraction > 0.95 ? this.highMs + 1000 : 0;
    this.lowMs = this.loadFraction < 0.75 ? this.lowMs + 1000 : 0;
    if (tripCount > this.trips) {
      this.trips = tripCount;
      this.restartAtMs = nowMs + 10 * 60_000;
    }
    this.second++;
    if (this.restartAtMs !== undefined) {
      if (nowMs < this.restartAtMs) return;
      this.restartAtMs = undefined;
      this.on.forEach((isOn, i) => isOn && fleet.apply(i, this.maxW, nowMs));
      return;
    }
    if (this.second % 60 !== 0) return;
    if (this.highMs >= 30_000) this.switch(fleet, false, nowMs);
    else if (this.lowMs >= 300_000) this.switch(fleet, true, nowMs);
  }

  private switch(fleet: SimFleet, start: boolean, nowMs: number): void {
    let left = 5;
    const order = start ? this.on.keys() : [...this.on.keys()].reverse();
    for (const i of order) {
      if (left === 0) break;
      if (this.on[i] === start) continue;
      this.on[i] = start;
      fleet.apply(i, start ? this.maxW : 0, nowMs);
      left--;
    }
  }
}
