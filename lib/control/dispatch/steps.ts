// The sheds of a dispatch cycle (plan.ts runs them in order): what the site can carry, load over it shed at once,
// commitments over it trimmed, and the fail-safe.
import { cancelPending, currentTargetW, shedFast, shedSoft, type AllocationContext } from './allocate';
import { LEAD_S, plannedAvailableW, type PlannedCapacity } from './capacity';
import { expectedDrawW, type MinerRecord } from './fleet';
import type { CycleInput, CycleResult } from './plan';

/**
 * The most the smoothed capacity may exceed the latest balance's availableW, as a share of the online rating:
 * about four standard deviations of 0.5% meter noise on two 400 kW sets.
 */
export const NOISE_ALLOWANCE_SHARE = 0.01;
/** Load over the cap by no more than the hysteresis is shed fast only after this many cycles in a row. */
export const OVER_CYCLES_FOR_FAST_SHED = 3;

export const kw = (w: number) => `${(w / 1000).toFixed(1)} kW`;

/** One cycle's working state, shared by its steps. */
export interface Cycle {
  input: CycleInput;
  ctx: AllocationContext;
  controllable: MinerRecord[];
  ratingW: number;
  hysteresisW: number;
  drawnW(r: MinerRecord): number;
  committed(): number;
  result: CycleResult;
}

/** What the site can carry now, from a balance the cycle trusts. */
export interface Measured {
  planned: PlannedCapacity;
  availableW: number;
  /** the gas-limited capacity, or the online rating's maximum load when lower: what the load must not exceed */
  capW: number;
  /** what the controllable miners may be committed to: the cap where it is heading, less firm and suspect draw */
  headroomW: number;
}

export function measure(cycle: Cycle): Measured {
  const { input, ratingW, controllable } = cycle;
  const p = input.params;
  const balance = input.held!.balance;
  const plannable = new Set(controllable);
  const suspectDrawW = input.records.filter((r) => !plannable.has(r)).reduce((sum, r) => sum + r.telemetry.powerW, 0);
  // Smoothing never plans with more than the latest balance says by over the meter-noise allowance.
  const planned = plannedAvailableW(input.recentAvailable, ratingW);
  const availableW = Math.min(planned.availableW, balance.availableW + NOISE_ALLOWANCE_SHARE * ratingW);
  const maxLoadW = (p.gensetMaxLoadPct / 100) * ratingW;
  const capW = Math.min(availableW, maxLoadW);
  // Targets are planned against the capacity where it is heading; sheds are measured against where it is.
  const headroomW = Math.min(planned.plannedW, availableW, maxLoadW) - balance.firmDemandW - suspectDrawW;
  cycle.result.capW = capW;
  cycle.result.lastGood = { firmDemandW: balance.firmDemandW, headroomW };
  return { planned, availableW, capW, headroomW };
}

/**
 * Step 1: load over the cap sleeps miners now. Meters under-read a bus that falls short (the loads get less than
 * they ask), so the miners' draw is taken from their telemetry, with sleeps since their last reading done. A small
 * excess the limit decreases in flight will cover is trimmed rather than slept. Returns the excess, W.
 */
export function shedOverCap(cycle: Cycle, site: Measured): number {
  const { input, ctx, drawnW, hysteresisW, controllable, result } = cycle;
  const p = input.params;
  const confirmMs = p.confirmTimeoutS * 1000;
  const balance = input.held!.balance;
  const demandW = balance.firmDemandW + input.records.reduce((sum, r) => sum + expectedDrawW(r, input.nowMs, confirmMs), 0);
  const overCapW = demandW - site.capW;
  const pendingDecreaseW = controllable.reduce((sum, r) => sum + Math.max(0, drawnW(r) - (currentTargetW(ctx, r) || drawnW(r))), 0);
  const uncoveredW = overCapW - pendingDecreaseW;
  result.overCycles = uncoveredW > 0 ? input.overCycles + 1 : 0;
  const what =
    site.capW < site.availableW
      ? `${p.gensetMaxLoadPct}% of the online rating`
      : site.planned.fallingWPerS > 0
        ? `the gas-limited capacity ${kw(LEAD_S * site.planned.fallingWPerS)} lower in ${LEAD_S} s`
        : 'the gas-limited capacity';
  if (overCapW > hysteresisW || (uncoveredW > 0 && result.overCycles >= OVER_CYCLES_FOR_FAST_SHED)) {
    const reason = `shed: load is ${kw(overCapW)} over ${what} (${kw(site.capW)})`;
    shedFast(ctx, overCapW + hysteresisW / 2, reason, drawnW);
    result.reasons.push(reason);
    result.overCycles = 0;
  } else if (uncoveredW > 0) {
    const reason = `trim: load is ${kw(overCapW)} over ${what}, within the hysteresis`;
    shedSoft(ctx, uncoveredW + hysteresisW / 2, reason);
    result.reasons.push(reason);
  }
  return overCapW;
}

/**
 * Step 2: commitments beyond the headroom (by more than half the hysteresis, so meter noise moves nothing) lower
 * limits toward a common level, then cancel cold starts that have not begun to draw; what neither can take (miners
 * at their minimum within their minimum on time) sleeps: the gas limit comes first.
 */
export function trimCommitments(cycle: Cycle, site: Measured): void {
  const { ctx, drawnW, hysteresisW, committed, result } = cycle;
  const overCommitW = committed() - site.headroomW;
  if (overCommitW <= hysteresisW / 2) return;
  const reason = `trim: targets are ${kw(overCommitW)} over what the gas carries`;
  const wantW = overCommitW + hysteresisW / 2;
  const loweredW = shedSoft(ctx, wantW, reason);
  if (loweredW < wantW) cancelPending(ctx, wantW - loweredW, reason, drawnW);
  if (committed() - site.headroomW > hysteresisW / 2) shedFast(ctx, committed() - site.headroomW, reason, (r) => currentTargetW(ctx, r));
  result.reasons.push(reason);
}

/**
 * Fail-safe and stop: no adds; what has not landed is cancelled, then miners sleep toward the safe level (site load
 * at failSafePct of the online rating, from the last good balance) one max step a cycle. A bus out of band with a
 * fresh balance still sheds load over the gas at once. No generation sleeps every miner.
 */
export function failSafe(cycle: Cycle): CycleResult {
  const { input, ctx, drawnW, committed, result, ratingW } = cycle;
  const { params: p, assessment } = input;
  input.enableTimer.clear();
  input.disableTimer.clear();
  if (assessment.mode === 'fail-safe' && assessment.trusted) shedOverCap(cycle, measure(cycle));
  const lastGood = result.lastGood;
  const safeW =
    assessment.mode === 'stopped' || !lastGood ? 0 : Math.max(0, Math.min((p.failSafePct / 100) * ratingW - lastGood.firmDemandW, lastGood.headroomW));
  result.budgetW = safeW;
  const excess = committed() - safeW;
  if (excess > 0) {
    const reason = assessment.mode === 'stopped' ? `stop: ${assessment.reason}` : `fail-safe: ${assessment.reason}; shed to ${kw(safeW)} and hold`;
    const cancelled = cancelPending(ctx, excess, reason, drawnW);
    const rest = excess - cancelled;
    if (rest > 0) shedFast(ctx, assessment.mode === 'stopped' ? Infinity : Math.min(rest, p.maxStepKw * 1000), reason, drawnW);
    result.reasons.push(reason);
  } else {
    result.reasons.push(`${assessment.mode}: ${assessment.reason}; holding ${kw(committed())}`);
  }
  result.surplusW = safeW - committed();
  return result;
}
