// The dispatch parameters (docs/dispatch.md, "Parameters"), each once: its unit, default, range and meaning. The node's
// edit dialog, its msg overrides (a dashboard slider) and the controller all read this one table, in the units a
// plant engineer sets (kW, s, %, V); the controller converts to W and ms once per change.
import { PRIORITY_MODES, TIMER_MODES } from '../../schemas/dispatch';
import { DispatchError } from './errors';

export { PRIORITY_MODES, TIMER_MODES };
export type PriorityMode = (typeof PRIORITY_MODES)[number];
export type TimerMode = (typeof TIMER_MODES)[number];

export interface DispatchParams {
  cycleS: number;
  reserveKw: number;
  enableDelayS: number;
  disableDelayS: number;
  deficitImmediateKw: number;
  hysteresisKw: number;
  rampUpKwPerS: number;
  maxStepKw: number;
  stepIntervalS: number;
  minOnS: number;
  minOffS: number;
  minerMinPct: number;
  minerMaxKw: number;
  minerStepW: number;
  staleAfterS: number;
  failSafePct: number;
  confirmTimeoutS: number;
  gensetRatingKw: number;
  gensetCount: number;
  gensetMinLoadPct: number;
  gensetSoftMinPct: number;
  gensetMaxLoadPct: number;
  busMinV: number;
  busMaxV: number;
  hashpriceSatPerThDay: number;
  marketPriceMsatPerKwh: number;
  priorityMode: PriorityMode;
  timerMode: TimerMode;
  economicMode: boolean;
}

export type NumericParam = { [K in keyof DispatchParams]: DispatchParams[K] extends number ? K : never }[keyof DispatchParams];

export interface NumericParamSpec {
  key: NumericParam;
  unit: string;
  default: number;
  min: number;
  max: number;
  /** the minimum itself is not allowed (a ramp of 0 kW/s would never add load) */
  exclusiveMin?: boolean;
  integer?: boolean;
  /** what it does, for the help's parameter table */
  meaning: string;
  /** where the default comes from */
  source: string;
}

export const NUMERIC_PARAMS: readonly NumericParamSpec[] = [
  { key: 'cycleS', unit: 's', default: 1, min: 0.1, max: 60, meaning: 'decision cycle without a new balance; a balance is decided on arrival', source: 'OpenEMS 1 s cycle; EVCC 30 s is too slow without a grid' },
  { key: 'reserveKw', unit: 'kW', default: 40, min: 0, max: 100_000, meaning: 'spinning reserve against a load step; running miners that sleep in seconds count toward it, the rest is kept free', source: 'max(5% of online rating, largest prosumer step) ≈ 40 kW' },
  { key: 'enableDelayS', unit: 's', default: 60, min: 0, max: 3600, meaning: 'surplus must hold this long (on a decaying timer) before load is added', source: 'EVCC enable delay 1 min' },
  { key: 'disableDelayS', unit: 's', default: 30, min: 0, max: 3600, meaning: 'a soft deficit (reserve eaten, gas still carries the load) waits this long before shedding', source: '30 s for soft deficits; EVCC disable delay 3 min' },
  { key: 'deficitImmediateKw', unit: 'kW', default: 40, min: 0, max: 100_000, meaning: 'a soft deficit larger than this is shed at once; a deficit beyond the gas or the rating always is', source: '1 × reserve; EVCC #31061 immediate disable' },
  { key: 'hysteresisKw', unit: 'kW', default: 3.5, min: 0, max: 10_000, meaning: 'dead band: load is added only when spare exceeds it, and filled to half of it below the limit', source: 'one S21 miner; DEIF power dead band 2%' },
  { key: 'rampUpKwPerS', unit: 'kW/s', default: 16, min: 0, max: 100_000, exclusiveMin: true, meaning: 'fastest average rate of added load', source: 'DEIF AGC ramp-up 2 %/s of 800 kW online' },
  { key: 'maxStepKw', unit: 'kW', default: 60, min: 0, max: 100_000, exclusiveMin: true, meaning: 'largest load change commanded at once, added or (outside a gas deficit) shed', source: '15% of one 400 kW genset, a lean-burn step limit' },
  { key: 'stepIntervalS', unit: 's', default: 10, min: 0, max: 3600, meaning: 'shortest time between two added steps', source: 'steps ≥ 10 s apart' },
  { key: 'minOnS', unit: 's', default: 300, min: 0, max: 86_400, meaning: 'a woken miner is not slept for a soft reason before this (safety sheds ignore it)', source: 'OpenEVSE 600 s, HA solar mining 15 min' },
  { key: 'minOffS', unit: 's', default: 120, min: 0, max: 86_400, meaning: 'a slept miner is not woken before this', source: 'OpenEMS 60 s, HA solar mining 7 min' },
  { key: 'minerMinPct', unit: '% of max', default: 40, min: 1, max: 100, meaning: 'lowest power limit a miner accepts', source: 'S21 power-limit range 40–100% (hass-miner)' },
  { key: 'minerMaxKw', unit: 'kW', default: 3.5, min: 0, max: 100, exclusiveMin: true, meaning: 'highest power limit of a miner', source: 'S21 3.5 kW' },
  { key: 'minerStepW', unit: 'W', default: 100, min: 1, max: 10_000, integer: true, meaning: 'power limits are the minimum plus whole steps', source: 'hass-miner 100 W' },
  { key: 'staleAfterS', unit: 's', default: 5, min: 0, max: 3600, exclusiveMin: true, meaning: 'a balance or telemetry older than this is stale', source: 'three 1 s meter cycles and some' },
  { key: 'failSafePct', unit: '% of online rating', default: 50, min: 0, max: 100, meaning: 'fail-safe: site load is shed to this share of the online genset rating and held', source: 'the genset soft minimum (OpenEMS fallbackOutput, Victron OnLossCommunication)' },
  { key: 'confirmTimeoutS', unit: 's', default: 30, min: 1, max: 3600, meaning: 'a miner that has not acted on a command by then is suspect and left out', source: 'longer than a limit change (10–30 s)' },
  { key: 'gensetRatingKw', unit: 'kW', default: 400, min: 0, max: 100_000, exclusiveMin: true, meaning: 'prime rating of one genset', source: '2 × 400 kWe lean-burn sets' },
  { key: 'gensetCount', unit: '', default: 2, min: 1, max: 20, integer: true, meaning: 'gensets on the bus (online ones are counted from their readings when given)', source: '2 × 400 kWe' },
  { key: 'gensetMinLoadPct', unit: '%', default: 30, min: 0, max: 100, meaning: 'hard minimum stable load of a running genset', source: 'Caterpillar, The Impact of Generator Set Underloading (2013)' },
  { key: 'gensetSoftMinPct', unit: '%', default: 50, min: 0, max: 100, meaning: 'soft minimum: no soft shed takes a genset below it', source: 'Caterpillar, The Impact of Generator Set Underloading (2013)' },
  { key: 'gensetMaxLoadPct', unit: '%', default: 95, min: 1, max: 100, meaning: 'most a genset is loaded to', source: 'headroom for the governor; gas sets are built for 70–100%' },
  { key: 'busMinV', unit: 'V', default: 365, min: 0, max: 2000, meaning: 'below it the fail-safe sheds', source: '380 V bus alarm band (normal 370–390 V, excursion beyond 361–399 V)' },
  { key: 'busMaxV', unit: 'V', default: 395, min: 0, max: 2000, meaning: 'above it the fail-safe sheds', source: '380 V bus alarm band (normal 370–390 V, excursion beyond 361–399 V)' },
  { key: 'hashpriceSatPerThDay', unit: 'sat/TH/day', default: 44, min: 0, max: 1_000_000, meaning: 'what mining earns; economic mode compares it with the market', source: 'about 44 sat/TH/day in 2025–26 (subsidy alone ≈ 41)' },
  { key: 'marketPriceMsatPerKwh', unit: 'msat/kWh', default: 0, min: 0, max: 1e12, integer: true, meaning: 'best bid for surplus energy (set it from the market by msg)', source: 'market' },
];

export const DEFAULT_DISPATCH_PARAMS: Readonly<DispatchParams> = Object.freeze({
  ...(Object.fromEntries(NUMERIC_PARAMS.map((p) => [p.key, p.default])) as Record<NumericParam, number>),
  priorityMode: 'efficiency',
  timerMode: 'decay',
  economicMode: false,
});

const ALL_KEYS = new Set<string>(Object.keys(DEFAULT_DISPATCH_PARAMS));

function numberOf(spec: NumericParamSpec, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const range = `${spec.exclusiveMin ? 'above' : 'from'} ${spec.min} ${spec.exclusiveMin ? 'and at most' : 'to'} ${spec.max}`;
  const bad = (rule: string) => new DispatchError('PARAM_INVALID', `${spec.key} must be ${rule}${spec.unit ? ` ${spec.unit}` : ''}, got ${JSON.stringify(value)}`);
  if (!Number.isFinite(n)) throw bad(`a number ${range}`);
  if (spec.integer && !Number.isInteger(n)) throw bad(`a whole number ${range}`);
  if (n < spec.min || n > spec.max || (spec.exclusiveMin && n === spec.min)) throw bad(`a number ${range}`);
  return n;
}

function choiceOf<T extends string>(key: string, choices: readonly T[], value: unknown): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new DispatchError('PARAM_INVALID', `${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
}

function booleanOf(key: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new DispatchError('PARAM_INVALID', `${key} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * `base` with `changes` applied, every field checked, all or nothing. Values may be strings (as a dialog stores
 * them). @throws DispatchError PARAM_INVALID naming the field, its range and the value given.
 */
export function withParams(base: Readonly<DispatchParams>, changes: Readonly<Record<string, unknown>>): DispatchParams {
  const unknown = Object.keys(changes).filter((k) => !ALL_KEYS.has(k));
  if (unknown.length > 0) {
    throw new DispatchError('PARAM_INVALID', `unknown dispatch parameter ${unknown.join(', ')}; known: ${[...ALL_KEYS].join(', ')}`);
  }
  const next: DispatchParams = { ...base };
  for (const spec of NUMERIC_PARAMS) if (spec.key in changes) next[spec.key] = numberOf(spec, changes[spec.key]);
  if ('priorityMode' in changes) next.priorityMode = choiceOf('priorityMode', PRIORITY_MODES, changes.priorityMode);
  if ('timerMode' in changes) next.timerMode = choiceOf('timerMode', TIMER_MODES, changes.timerMode);
  if ('economicMode' in changes) next.economicMode = booleanOf('economicMode', changes.economicMode);
  checkTogether(next);
  return next;
}

function checkTogether(p: DispatchParams): void {
  const fail = (message: string) => {
    throw new DispatchError('PARAM_INVALID', message);
  };
  if (p.busMinV >= p.busMaxV) fail(`busMinV (${p.busMinV} V) must be below busMaxV (${p.busMaxV} V)`);
  if (p.gensetMinLoadPct > p.gensetSoftMinPct) fail(`gensetMinLoadPct (${p.gensetMinLoadPct}%) must not exceed gensetSoftMinPct (${p.gensetSoftMinPct}%)`);
  if (p.failSafePct < p.gensetMinLoadPct) fail(`failSafePct (${p.failSafePct}%) must not be below gensetMinLoadPct (${p.gensetMinLoadPct}%): the fail-safe would take the gensets under their minimum load`);
  if (p.gensetSoftMinPct > p.gensetMaxLoadPct) fail(`gensetSoftMinPct (${p.gensetSoftMinPct}%) must not exceed gensetMaxLoadPct (${p.gensetMaxLoadPct}%)`);
  const maxW = Math.round(p.minerMaxKw * 1000);
  if (p.minerStepW > maxW) fail(`minerStepW (${p.minerStepW} W) must not exceed minerMaxKw (${maxW} W)`);
  if (Math.round((p.minerMinPct / 100) * maxW) < 1) fail(`minerMinPct (${p.minerMinPct}%) of minerMaxKw must be at least 1 W`);
}

/** The dialog's power limits: 0 (sleep) or min + k × step ≤ max, whole W (grid.ts narrows them per miner). */
export interface MinerLimits {
  minW: number;
  maxW: number;
  stepW: number;
}

export function minerLimitsOf(p: Readonly<DispatchParams>): MinerLimits {
  const minW = Math.round((p.minerMinPct / 100) * p.minerMaxKw * 1000);
  const topW = Math.round(p.minerMaxKw * 1000);
  return { minW, maxW: minW + Math.floor((topW - minW) / p.minerStepW) * p.minerStepW, stepW: p.minerStepW };
}
