// Turning "add X W" or "shed X W" into per-miner targets. Every target written is 0 or a limit on its miner's grid
// (grid.ts); the caller decides how much and how fast.
//
// Load is spread: running miners are raised and lowered toward one common level (water filling). An underclocked
// ASIC hashes more per watt, so spreading the surplus over more miners mines more; and a fleet below its maximum
// can take and give back load by live limit changes, leaving the switches (a sleep, a cold start) to the fast
// sheds that need them.
import type { MinerRecord } from './fleet';
import { ceilOn, floorOn, minOf } from './grid';
import type { MinerLimits } from './params';

/** A planned change of one miner's target, with why. */
export interface TargetChange {
  record: MinerRecord;
  targetW: number;
  reason: string;
}

export interface AllocationContext {
  /** the dialog's limits: the common levels water filling walks */
  limits: MinerLimits;
  nowMs: number;
  minOnMs: number;
  minOffMs: number;
  /** miners dispatch may plan with now, in add order (best first) */
  ordered: readonly MinerRecord[];
  /** changes made so far this cycle, by miner id; later steps see them */
  changes: Map<string, TargetChange>;
}

export function currentTargetW(ctx: AllocationContext, record: MinerRecord): number {
  return ctx.changes.get(record.id)?.targetW ?? record.targetW;
}

function set(ctx: AllocationContext, record: MinerRecord, targetW: number, reason: string): void {
  if (targetW === record.targetW) ctx.changes.delete(record.id);
  else ctx.changes.set(record.id, { record, targetW, reason });
}

/** Operators' pins are left alone by every soft decision. */
const free = (record: MinerRecord) => record.pinnedW === undefined;

/** The common levels, from the dialog's minimum to its maximum. */
function levels(limits: MinerLimits): number[] {
  const out: number[] = [];
  for (let w = limits.minW; w <= limits.maxW; w += limits.stepW) out.push(w);
  return out;
}

/** A running miner's target at a common level: on its own grid, at least its minimum. */
function atLevel(record: MinerRecord, level: number): number {
  return Math.max(minOf(record.grid), floorOn(record.grid, level));
}

/** The next limit above `targetW` on the miner's grid, or undefined at its top. */
function nextUp(record: MinerRecord, targetW: number): number | undefined {
  return record.grid.find((w) => w > targetW);
}

/**
 * Adds up to `amountW`: raises the running miners toward a common level, lowest first (a live limit change lands
 * in 10–30 s); then wakes sleeping miners that have been off for the minimum off time. Returns the W added.
 */
export function addLoad(ctx: AllocationContext, amountW: number, reason: string): number {
  let left = amountW;
  const raise = () => {
    const running = ctx.ordered.filter((r) => free(r) && currentTargetW(ctx, r) > 0);
    const raiseTo = (level: number) => running.reduce((sum, r) => sum + Math.max(0, atLevel(r, level) - currentTargetW(ctx, r)), 0);
    let level = 0;
    for (const candidate of levels(ctx.limits)) if (raiseTo(candidate) <= left) level = candidate;
    for (const record of running) {
      const now = currentTargetW(ctx, record);
      const next = atLevel(record, level);
      if (next > now) {
        set(ctx, record, next, reason);
        left -= next - now;
      }
    }
    // What is left is less than one level for every miner: one more step each, best first.
    for (const record of running) {
      const now = currentTargetW(ctx, record);
      const up = nextUp(record, now);
      if (up === undefined || up - now > left || now !== atLevel(record, level)) continue;
      set(ctx, record, up, reason);
      left -= up - now;
    }
  };
  raise();
  // Then sleeping miners wake, best first, at their minimum (the surplus spreads over more miners), and what is
  // still left raises everyone, the woken included.
  let woken = false;
  for (const record of ctx.ordered) {
    const minW = minOf(record.grid);
    if (currentTargetW(ctx, record) !== 0 || !free(record) || minW > left || ctx.nowMs - record.offSinceMs < ctx.minOffMs) continue;
    set(ctx, record, minW, reason);
    left -= minW;
    woken = true;
  }
  if (woken) raise();
  return amountW - left;
}

/**
 * Sleeps miners, worst first, until their drawn power covers `amountW`: sleeping is the fast actuator (seconds;
 * a limit change takes 10–30 s). Safety comes before minimum on times and pins. Returns the drawn W shed.
 */
export function shedFast(ctx: AllocationContext, amountW: number, reason: string, drawnW: (r: MinerRecord) => number): number {
  let shed = 0;
  for (let i = ctx.ordered.length - 1; i >= 0 && shed < amountW; i--) {
    const record = ctx.ordered[i]!;
    if (currentTargetW(ctx, record) === 0) continue;
    shed += drawnW(record);
    record.pinnedW = undefined;
    set(ctx, record, 0, reason);
  }
  return shed;
}

/**
 * Cancels up to `amountW` of targets that have not landed: a raise still ramping is lowered to what the miner
 * draws (rounded up onto its grid), a cold start that draws nothing yet is put back to sleep. No load steps.
 * Returns the target W removed.
 */
export function cancelPending(ctx: AllocationContext, amountW: number, reason: string, drawnW: (r: MinerRecord) => number): number {
  let left = amountW;
  const worstFirst = [...ctx.ordered].reverse().filter(free);
  const booting = (r: MinerRecord) => drawnW(r) < minOf(r.grid) / 2;
  for (const record of worstFirst) {
    if (left <= 0) break;
    const now = currentTargetW(ctx, record);
    if (now === 0 || booting(record)) continue;
    const floorW = ceilOn(record.grid, drawnW(record));
    const next = Math.max(floorW, atLevel(record, now - left));
    if (next < now) {
      set(ctx, record, next, reason);
      left -= now - next;
    }
  }
  for (const record of worstFirst) {
    if (left <= 0) break;
    const now = currentTargetW(ctx, record);
    if (now === 0 || !booting(record)) continue;
    set(ctx, record, 0, reason);
    left -= now;
  }
  return amountW - left;
}

/**
 * Takes about `amountW` (at least, where it can) out of the targets: lowers the highest running miners toward a
 * common level; then sleeps miners at their minimum that have run for the minimum on time, worst first. Returns
 * the target W removed.
 */
export function shedSoft(ctx: AllocationContext, amountW: number, reason: string): number {
  let left = amountW;
  const running = ctx.ordered.filter((r) => free(r) && currentTargetW(ctx, r) > 0);
  const lowerTo = (level: number) => running.reduce((sum, r) => sum + Math.max(0, currentTargetW(ctx, r) - atLevel(r, level)), 0);
  let level = ctx.limits.minW;
  for (const candidate of levels(ctx.limits)) if (lowerTo(candidate) >= left) level = candidate;
  // Lowering everyone above the level may take more than asked (one step across 180 miners is 18 kW): miners
  // beyond what is needed keep one step more.
  let spareW = Math.max(0, lowerTo(level) - left);
  for (const record of running) {
    const now = currentTargetW(ctx, record);
    const low = atLevel(record, level);
    if (now <= low) continue;
    const up = nextUp(record, low);
    const keep = up !== undefined && up <= now && up - low <= spareW ? up : low;
    spareW -= keep - low;
    if (keep < now) {
      set(ctx, record, keep, reason);
      left -= now - keep;
    }
  }
  for (let i = running.length - 1; i >= 0 && left > 0; i--) {
    const record = running[i]!;
    const now = currentTargetW(ctx, record);
    if (now !== minOf(record.grid) || ctx.nowMs - record.onSinceMs < ctx.minOnMs) continue;
    set(ctx, record, 0, reason);
    left -= now;
  }
  return amountW - left;
}

