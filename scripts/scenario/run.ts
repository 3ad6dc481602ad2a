// One simulated day of the flare site of docs/dispatch.md ("The site"), run twice on the same seed: with FlareGrid's dispatch
// and with the naive operator beside it. Physics, miners, meters and controllers step together on the day's own time
// line (100 ms physics, 1 s meters and decisions); nothing here reads the wall clock.
import { PlantPhysics } from '../../sim/plant';
import { S21_SPEC } from '../../sim/miners/model';
import { FlareGridDispatch, NaiveOperator, type SiteController } from './controllers';
import { SiteMeters } from './meters';
import { daySchedule, type ScheduledEvent } from './schedule';
import { SimFleet } from './sim-fleet';

export interface ScenarioOptions {
  hours: number;
  seed: number;
  miners: number;
  /** miners hashing at 00:00: the operator's count from yesterday's gas (docs/dispatch.md, "The baseline") */
  initiallyOn: number;
  unconfirmedShare: number;
  meanFlowMcfd: number;
  /** LHV of rich associated gas (HHV 1,300, LHV about 1,180 BTU/scf) */
  heatingValueBtuPerScf: number;
  linePackS: number;
  hashpriceSatPerThDay: number;
  startTime: string;
  /** dispatch parameter overrides, as a msg would give them */
  params: Record<string, unknown>;
  /** seconds between points of the plotted series */
  sampleEveryS: number;
}

export const DEFAULT_SCENARIO: Readonly<ScenarioOptions> = Object.freeze({
  hours: 24,
  seed: 1,
  miners: 180,
  initiallyOn: 160,
  unconfirmedShare: 0.05,
  meanFlowMcfd: 150,
  heatingValueBtuPerScf: 1180,
  linePackS: 60,
  hashpriceSatPerThDay: 44,
  startTime: '2026-06-01T00:00:00Z',
  params: {},
  sampleEveryS: 60,
});

export interface DayFigures {
  utilizationPct: number;
  flaredScf: number;
  co2eKg: number;
  gensetTrips: number;
  gensetBelow30PctSeconds: number[];
  gensetBelow50PctSeconds: number[];
  busExcursions: number;
  busExcursionSeconds: number;
  minerSwitchesPerHour: number;
  minerEnergyWh: number;
  prosumerEnergyWh: number;
  minedThs: number;
  miningRevenueSat: number;
}

export interface SeriesPoint {
  tMs: number;
  gasCapacityW: number;
  generationW: number;
  minerW: number;
  prosumerW: number;
  flareMcfd: number;
  busVoltageV: number;
}

export interface DayRun {
  figures: DayFigures;
  series: SeriesPoint[];
}

const SITE = 'flare-site';
const STEP_MS = 100;
/** the fleet's hashrate is summed every this many seconds (a day of 5 s samples is exact to well under 0.1%) */
const HASHRATE_EVERY_S = 5;
/** full-load efficiency of the G3516 curve: what the gas could make if the sets took all of it */
const FULL_LOAD_EFFICIENCY = 0.31;

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Sees the plant after every second of the day (tests and the curious). */
export type Observer = (nowMs: number, physics: PlantPhysics, controller: SiteController) => void;

export function runDay(options: ScenarioOptions, schedule: readonly ScheduledEvent[], which: 'flaregrid' | 'baseline', observe?: Observer): DayRun {
  const startMs = Date.parse(options.startTime);
  const endMs = startMs + options.hours * 3_600_000;
  const physics = new PlantPhysics({
    startTimeMs: startMs,
    seed: options.seed,
    stepMs: STEP_MS,
    partLoadCurve: true,
    gas: { meanFlowMcfd: options.meanFlowMcfd, heatingValueBtuPerScf: options.heatingValueBtuPerScf, randomEvents: false, linePackMs: options.linePackS * 1000 },
    minerSlots: 4,
    minerSlotMaxW: Math.ceil(options.miners / 4) * S21_SPEC.ratedPowerW,
  });
  for (const e of schedule) {
    if (e.kind !== 'stale-data') physics.injectGasEvent({ kind: e.kind, factor: e.factor, startMs: e.startMs, endMs: e.endMs });
  }
  const fleet = new SimFleet({ count: options.miners, slots: 4, startMs, seed: options.seed, unconfirmedShare: options.unconfirmedShare, initiallyOn: options.initiallyOn });
  const setSlots = (nowMs: number) => fleet.slotPowersW(nowMs).forEach((w, slot) => physics.setMinerSlotPowerW(slot, w));
  setSlots(startMs);
  physics.prime();
  const meters = new SiteMeters(physics, SITE, options.seed);
  const ratingW = physics.gensets[0]!.ratedPowerW;
  const controller: SiteController =
    which === 'flaregrid'
      ? new FlareGridDispatch(fleet, SITE, startMs, { hashpriceSatPerThDay: options.hashpriceSatPerThDay, ...options.params })
      : new NaiveOperator(fleet, ratingW, S21_SPEC.ratedPowerW);
  const shutIns = schedule.filter((e) => e.kind === 'shut-in');
  const stale = schedule.filter((e) => e.kind === 'stale-data');
  const series: SeriesPoint[] = [];
  let thsSeconds = 0;
  let lastFlaredScf = 0;
  // A planned stop de-energises the bus on purpose: from the stop until a genset runs again, time out of band and
  // entries into it are not excursions.
  let plannedOff = false;
  let offExcursions = 0;
  let offOutOfBandMs = 0;

  for (let nowMs = startMs + 1000; nowMs <= endMs; nowMs += 1000) {
    const before = { count: physics.bus.excursionCount, ms: physics.bus.outOfBandMs };
    for (let t = nowMs - 1000 + STEP_MS; t <= nowMs; t += STEP_MS) {
      setSlots(t - STEP_MS);
      physics.advance(STEP_MS);
    }
    if (plannedOff) {
      offExcursions += physics.bus.excursionCount - before.count;
      offOutOfBandMs += physics.bus.outOfBandMs - before.ms;
      plannedOff = !physics.gensets.some((g) => g.online);
    }
    // A shut-in is an ESD or maintenance event: the site stops its gensets with it and starts them after.
    const within = (atMs: number) => nowMs - 1000 < atMs && atMs <= nowMs;
    for (const e of shutIns) {
      if (within(e.startMs)) {
        physics.gensets.forEach((_, i) => physics.commandGenset(i, 'stop'));
        plannedOff = true;
      }
      if (within(e.endMs)) physics.gensets.forEach((_, i) => physics.commandGenset(i, 'start'));
    }
    fleet.setPowered(physics.bus.onlineRatingW > 0, nowMs);
    const silent = stale.some((e) => nowMs >= e.startMs && nowMs < e.endMs);
    const gensetReadings = silent ? [] : meters.gensetReadings();
    meters.record([...gensetReadings, ...meters.otherReadings()], nowMs);
    const tripCount = physics.gensets.reduce((sum, g) => sum + g.tripCount, 0);
    controller.tick({ nowMs, gensetReadings, balance: meters.balance(nowMs), fleet, tripCount });
    if ((nowMs - startMs) % (HASHRATE_EVERY_S * 1000) === 0) thsSeconds += HASHRATE_EVERY_S * fleet.hashrateThs(nowMs);
    observe?.(nowMs, physics, controller);
    if ((nowMs - startMs) % (options.sampleEveryS * 1000) === 0) {
      const flaredScf = physics.ledger.flaredScf;
      const fuelW = physics.gas.intakeFuelPowerW();
      series.push({
        tMs: nowMs - startMs,
        gasCapacityW: Math.min(physics.gensets.length * ratingW, fuelW * FULL_LOAD_EFFICIENCY),
        generationW: physics.bus.generationW,
        minerW: physics.bus.minerW,
        prosumerW: Math.max(0, physics.bus.generationW + physics.bus.prosumerExportW - physics.bus.minerW),
        flareMcfd: ((flaredScf - lastFlaredScf) / options.sampleEveryS) * 86.4,
        busVoltageV: physics.bus.voltageV,
      });
      lastFlaredScf = flaredScf;
    }
  }

  const { ledger, bus } = physics;
  const minedThs = thsSeconds;
  return {
    series,
    figures: {
      utilizationPct: round((100 * ledger.burnedScf) / Math.max(1, ledger.suppliedScf), 2),
      flaredScf: Math.round(ledger.flaredScf),
      co2eKg: Math.round(ledger.emittedKg),
      gensetTrips: physics.gensets.reduce((sum, g) => sum + g.tripCount, 0),
      gensetBelow30PctSeconds: physics.gensets.map((g) => Math.round(g.belowHardMinTotalMs / 1000)),
      gensetBelow50PctSeconds: physics.gensets.map((g) => Math.round(g.belowSoftMinMs / 1000)),
      busExcursions: bus.excursionCount - offExcursions,
      busExcursionSeconds: round((bus.outOfBandMs - offOutOfBandMs) / 1000, 1),
      minerSwitchesPerHour: round(fleet.switches / options.hours, 2),
      minerEnergyWh: Math.round(physics.minerFeeder.forward.exactWh),
      prosumerEnergyWh: Math.round(physics.prosumerMeters.reduce((sum, m) => sum + m.forward.exactWh, 0)),
      minedThs: Math.round(minedThs),
      miningRevenueSat: Math.round((minedThs * options.hashpriceSatPerThDay) / 86_400),
    },
  };
}

export interface ScenarioResult extends DayFigures {
  seed: number;
  hours: number;
  events: Array<{ kind: string; at: string; minutes: number; factor?: number }>;
  baseline: DayFigures;
}

export function runScenario(options: ScenarioOptions): { result: ScenarioResult; flaregrid: DayRun; baseline: DayRun } {
  const startMs = Date.parse(options.startTime);
  const schedule = daySchedule(options.seed, startMs, options.hours * 3_600_000);
  const flaregrid = runDay(options, schedule, 'flaregrid');
  const baseline = runDay(options, schedule, 'baseline');
  const events = schedule.map((e) => ({
    kind: e.kind,
    at: new Date(e.startMs).toISOString(),
    minutes: round((e.endMs - e.startMs) / 60_000, 1),
    ...(e.kind === 'stale-data' ? {} : { factor: round(e.factor, 2) }),
  }));
  return { result: { seed: options.seed, hours: options.hours, ...flaregrid.figures, events, baseline: baseline.figures }, flaregrid, baseline };
}
