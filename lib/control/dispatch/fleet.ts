// The miners dispatch knows: what each was last told, what its telemetry says, whether it acts on its commands,
// its run-hours and its place in the priority order.
import { isMinerTelemetry, type MinerCapability, type MinerState, type MinerTelemetry } from '../../schemas';
import { DispatchError } from './errors';
import { gridOf, maxOf, nearestOn, type MinerGrid } from './grid';
import type { MinerLimits, PriorityMode } from './params';

/** S21 class, 17.5 J/TH: the efficiency assumed for a miner until its telemetry says otherwise. */
export const DEFAULT_EFFICIENCY_J_PER_TH = 17.5;
/** Efficiencies this close rank as equal, so that measurement noise cannot reorder the fleet. */
const EFFICIENCY_CLASS_J_PER_TH = 0.5;
/** A miner reporting more than this many times its maximum power is reporting nonsense. */
const ABSURD_POWER_FACTOR = 3;

export interface HeldTelemetry {
  state: MinerState;
  powerW: number;
  targetW: number;
  hashrateThs: number;
  quality: MinerTelemetry['quality'];
  /** flaregrid-miner's word on whether the miner shows its last target; undefined when not given */
  confirmed?: boolean;
  arrivedMs: number;
}

export interface MinerRecord {
  readonly id: string;
  /** the limits it may be given: the dialog's, narrowed by its reported capability */
  grid: MinerGrid;
  capability?: MinerCapability;
  /** fixed priority; higher stays on longest */
  priority: number;
  /** the target last commanded (0 = sleep); adopted from the first telemetry */
  targetW: number;
  commandedAtMs: number;
  lastSentMs: number;
  /** its telemetry shows it doing what it was last told */
  acting: boolean;
  /** since when it has not been acting (a command, or telemetry that stopped agreeing) */
  notActingSinceMs: number;
  /** it did not act on a command within the confirm timeout, or went quiet: left out of dispatch */
  suspect: boolean;
  /** when its target last went from 0 to above 0, and back */
  onSinceMs: number;
  offSinceMs: number;
  runMs: number;
  efficiencyJPerTh?: number;
  /** an operator's pinned target; soft decisions leave the miner alone */
  pinnedW?: number;
  telemetry: HeldTelemetry;
}

/**
 * A msg.payload as MinerTelemetry this fleet can use. @throws ContractError when it breaks the contract;
 * DispatchError UNKNOWN_MINER when a fleet list is configured and the miner is not on it, INPUT_INVALID when
 * its power is absurd.
 */
export function admitTelemetry(value: unknown, fleet: ReadonlySet<string> | undefined, limits: MinerLimits): MinerTelemetry {
  const telemetry = isMinerTelemetry.parse(value);
  if (fleet && !fleet.has(telemetry.minerId)) {
    throw new DispatchError('UNKNOWN_MINER', `miner ${telemetry.minerId} is not in this dispatch's fleet (the Miners field)`);
  }
  const maxW = Math.max(limits.maxW, telemetry.capability?.maxW ?? 0);
  if (telemetry.powerW > ABSURD_POWER_FACTOR * maxW) {
    throw new DispatchError('INPUT_INVALID', `miner ${telemetry.minerId} reports ${telemetry.powerW} W, over ${ABSURD_POWER_FACTOR} × its ${maxW} W maximum`);
  }
  return telemetry;
}

const drawing = (state: MinerState) => state === 'hashing' || state === 'ramping';

/** A miner first heard of: dispatch adopts what it is doing, with its minimum on and off times already served. */
export function adoptMiner(telemetry: MinerTelemetry, priority: number, nowMs: number, limits: MinerLimits): MinerRecord {
  const grid = gridOf(limits, telemetry.capability);
  const running = drawing(telemetry.state);
  const claimed = telemetry.targetW > 0 ? telemetry.targetW : telemetry.powerW;
  const targetW = running ? nearestOn(grid, claimed) : 0;
  const record: MinerRecord = {
    id: telemetry.minerId,
    grid,
    capability: telemetry.capability,
    priority,
    targetW,
    commandedAtMs: -Infinity,
    lastSentMs: -Infinity,
    acting: true,
    notActingSinceMs: nowMs,
    suspect: false,
    onSinceMs: -Infinity,
    offSinceMs: -Infinity,
    runMs: 0,
    telemetry: hold(telemetry, nowMs),
  };
  record.acting = isActing(record);
  return record;
}

function hold(t: MinerTelemetry, arrivedMs: number): HeldTelemetry {
  const held: HeldTelemetry = { state: t.state, powerW: t.powerW, targetW: t.targetW, hashrateThs: t.hashrateThs, quality: t.quality, arrivedMs };
  if (t.confirmed !== undefined) held.confirmed = t.confirmed;
  return held;
}

/** The miner's limits from the dialog's and its capability (again after a parameter change). */
export function regrid(record: MinerRecord, limits: MinerLimits): void {
  record.grid = gridOf(limits, record.capability);
}

/** Books one telemetry: run time, efficiency, capability, whether the miner acts on its target. */
export function recordTelemetry(record: MinerRecord, telemetry: MinerTelemetry, nowMs: number, limits: MinerLimits, staleMs: number): void {
  const previous = record.telemetry;
  if (drawing(previous.state) && telemetry.state === 'hashing') record.runMs += Math.min(staleMs, Math.max(0, nowMs - previous.arrivedMs));
  if (telemetry.state === 'hashing' && telemetry.hashrateThs > 0 && telemetry.powerW >= 0.9 * maxOf(record.grid)) {
    record.efficiencyJPerTh = telemetry.powerW / telemetry.hashrateThs;
  }
  if (telemetry.capability && JSON.stringify(telemetry.capability) !== JSON.stringify(record.capability)) {
    record.capability = telemetry.capability;
    regrid(record, limits);
  }
  record.telemetry = hold(telemetry, nowMs);
  const acting = isActing(record);
  if (acting && !record.acting) record.suspect = false;
  if (!acting && record.acting) record.notActingSinceMs = nowMs;
  record.acting = acting;
}

/**
 * What the miner draws now as far as dispatch can tell, W: its telemetry, except that a sleep commanded after
 * the last telemetry counts as done (if it was lost, the next telemetry says so), and a miner not heard from
 * within `staleMs` is taken at its target.
 */
export function expectedDrawW(record: MinerRecord, nowMs: number, staleMs: number): number {
  const t = record.telemetry;
  if (record.targetW === 0 && record.commandedAtMs >= t.arrivedMs) return 0;
  return nowMs - t.arrivedMs <= staleMs ? t.powerW : record.targetW;
}

/**
 * Telemetry agrees with the target: flaregrid-miner says so (`confirmed` for this target), or, without that word,
 * the miner is asleep for 0 and drawing (or ramping) toward the same limit otherwise.
 */
export function isActing(record: MinerRecord): boolean {
  const t = record.telemetry;
  if (t.quality === 'bad' || t.state === 'offline' || t.state === 'error') return false;
  if (t.confirmed !== undefined) return t.confirmed && t.targetW === record.targetW;
  if (record.targetW === 0) return t.state === 'sleeping' || (t.state === 'ramping' && t.targetW === 0);
  return drawing(t.state) && t.targetW === record.targetW;
}

/** Whether dispatch may plan with this miner now (a read-only miner, a stock Antminer, never). */
export function isControllable(record: MinerRecord, nowMs: number, staleMs: number): boolean {
  const t = record.telemetry;
  return record.grid.length > 0 && !record.suspect && nowMs - t.arrivedMs <= staleMs && t.state !== 'offline' && t.state !== 'error' && t.quality !== 'bad';
}

/** Efficiency rank key: its class, lower is better; unknown miners rank as the S21 figure. */
function efficiencyClass(record: MinerRecord): number {
  return Math.round((record.efficiencyJPerTh ?? DEFAULT_EFFICIENCY_J_PER_TH) / EFFICIENCY_CLASS_J_PER_TH);
}

/**
 * The order in which miners take load: by efficiency class (best first) or fixed priority (highest first); ties
 * go to the miner with fewer run-hours, so that wear rotates; then by id, so that the order is total. Shedding
 * walks it backwards.
 */
export function addOrder(records: Iterable<MinerRecord>, mode: PriorityMode): MinerRecord[] {
  return [...records].sort(
    (a, b) =>
      (mode === 'fixed' ? b.priority - a.priority : efficiencyClass(a) - efficiencyClass(b)) ||
      a.runMs - b.runMs ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
