// Turning "add X W" or "shed X W" into per-miner targets. Every target written is 0 or an allowed limit
// (params.ts isAllowedTarget); the caller decides how much and how fast.
//
// Load is spread: running miners are raised and lowered toward one common level (water filling). An underclocked ASIC hashes more per watt, so spreading the surplus over more miners
// mines more; and a fleet below its maximum can take and give back load by live limit changes, leaving the
// switches (a sleep, a cold start) to the fast sheds that need them.
import type { MinerRecord } from './fleet';
import { snapDown, type MinerLimits } from './params';

/** A planned change of one miner's target, with why. */
export interface TargetChange {
  record: MinerRecord;
  targetW: number;
  reason: string;
}

export interface AllocationContext {
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

/** The grid of limits from the minimum to the maximum. */
function levels(limits: MinerLimits): number[] {
  const out: number[] = [];
  for (let w = limits.minW; w <= limits.maxW; w += limits.stepW) out.push(w);
  return out;
}

/**
 * Adds up to `amountW`: raises the running miners toward a common level, lowest first (a live limit change lands
 * in 10–30 s); then wakes sleeping miners that have been off for the minimum off time. Returns the W added.
 */
export function addLoad(ctx: AllocationContext, amountW: number, reason: string): number {
  const { limits } = ctx;
  let left = amountW;
  const running = ctx.ordered.filter((r) => free(r) && currentTargetW(ctx, r) > 0);
  const raiseTo = (level: number) => running.reduce((sum, r) => sum + Math.max(0, level - currentTargetW(ctx, r)), 0);
  let level = 0;
  for (const candidate of levels(limits)) if (raiseTo(candidate) <= left) level = candidate;
  for (const record of running) {
    const now = currentTargetW(ctx, record);
    if (now < level) {
      set(ctx, record, level, reason);
      left -= level - now;
    }
  }
  // What is left is less than one step for every miner at the level: one more step each, best first.
  for (const record of running) {
    if (left < limits.stepW) break;
    const now = currentTargetW(ctx, record);
    if (now === level && now + limits.stepW <= limits.maxW) {
      set(ctx, record, now + limits.stepW, reason);
      left -= limits.stepW;
    }
  }
  // Then sleeping miners wake, best first, each at its minimum: the surplus spreads over more miners, which
  // later raises fill.
  for (const record of ctx.ordered) {
    if (left < limits.minW) break;
    if (currentTargetW(ctx, record) !== 0 || !free(record) || ctx.nowMs - record.offSinceMs < ctx.minOffMs) continue;
    set(ctx, record, limits.minW, reason);
    left -= limits.minW;
  }
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
 * draws (rounded up onto the grid), a cold start that draws nothing yet is put back to sleep. No load steps.
 * Returns the target W removed.
 */
export function cancelPending(ctx: AllocationContext, amountW: number, reason: string, drawnW: (r: MinerRecord) => number): number {
  const { limits } = ctx;
  let left = amountW;
  const worstFirst = [...ctx.ordered].reverse().filter(free);
  for (const record of worstFirst) {
    if (left <= 0) break;
    const now = currentTargetW(ctx, record);
    const drawn = drawnW(record);
    if (now === 0 || drawn < limits.minW / 2) continue;
    const next = Math.max(ceilToGrid(Math.max(limits.minW, drawn), limits), now - left >= limits.minW ? snapDown(now - left, limits) : limits.minW);
    if (next < now) {
      set(ctx, record, next, reason);
      left -= now - next;
    }
  }
  for (const record of worstFirst) {
    if (left <= 0) break;
    const now = currentTargetW(ctx, record);
    if (now === 0 || drawnW(record) >= limits.minW / 2) continue;
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
  const { limits } = ctx;
  let left = amountW;
  const running = ctx.ordered.filter((r) => free(r) && currentTargetW(ctx, r) > 0);
  const lowerTo = (level: number) => running.reduce((sum, r) => sum + Math.max(0, currentTargetW(ctx, r) - level), 0);
  let level = limits.minW;
  for (const candidate of levels(limits)) if (lowerTo(candidate) >= left) level = candidate;
  // Lowering everyone above the level may take more than asked (a step across 180 miners is 18 kW): the
  // miners beyond what is needed keep one step more, worst first lowered.
  let spareSteps = Math.max(0, Math.floor((lowerTo(level) - left) / limits.stepW));
  for (let i = 0; i < running.length; i++) {
    const record = running[i]!;
    const now = currentTargetW(ctx, record);
    if (now <= level) continue;
    const keep = spareSteps > 0 && now >= level + limits.stepW ? level + limits.stepW : level;
    if (keep > level) spareSteps--;
    if (keep < now) {
      set(ctx, record, keep, reason);
      left -= now - keep;
    }
  }
  for (let i = running.length - 1; i >= 0 && left > 0; i--) {
    const record = running[i]!;
    const now = currentTargetW(ctx, record);
    if (now !== limits.minW || ctx.nowMs - record.onSinceMs < ctx.minOnMs) continue;
    set(ctx, record, 0, reason);
    left -= now;
  }
  return amountW - left;
}

function ceilToGrid(powerW: number, limits: MinerLimits): number {
  if (powerW <= limits.minW) return limits.minW;
  const steps = Math.ceil((powerW - limits.minW) / limits.stepW - 1e-9);
  return Math.min(limits.maxW, limits.minW + steps * limits.stepW);
}
