// One dispatch cycle: from the assessment, the balance and the fleet to the target changes and their reasons.
//
// The order is the order of urgency:
//  1. load the gas or the rating cannot carry (measured) is shed at once by sleeping miners;
//  2. commitments that would not fit when they land (cold starts, raises) are cancelled, then trimmed;
//  3. a soft deficit (the reserve eaten, the gas still carrying the load) waits for the disable delay unless it
//     is larger than the immediate-deficit threshold, and never takes a genset below its soft minimum;
//  4. surplus beyond the hysteresis adds load after the enable delay (decaying), at most one step per step
//     interval, within the ramp; a genset below its hard minimum skips the delay.
// Fail-safe (stale or bad data, bus out of band) sheds toward the safe level, one step per cycle, adds nothing.
import type { DecayingTimer } from './decaying-timer';
import { addLoad, cancelPending, currentTargetW, shedFast, shedSoft, type AllocationContext, type TargetChange } from './allocate';
import { addOrder, expectedDrawW, isControllable, type MinerRecord } from './fleet';
import { LEAD_S, plannedAvailableW, type AvailableSample } from './capacity';
import { onlineRatingW, type Assessment, type DispatchMode, type GensetState, type HeldBalance } from './assess';
import type { DispatchParams, MinerLimits } from './params';

/**
 * The most the smoothed capacity may exceed the latest balance's availableW, as a share of the online rating:
 * about four standard deviations of 0.5% meter noise on two 400 kW sets.
 */
export const NOISE_ALLOWANCE_SHARE = 0.01;
/** An add fills to this share of the hysteresis below the budget: the dead band then lies mostly above the fill. */
export const FILL_BELOW_SHARE = 0.5;
/** Load over the cap by no more than the hysteresis is shed fast only after this many cycles in a row. */
export const OVER_CYCLES_FOR_FAST_SHED = 3;

export interface LastGood {
  firmDemandW: number;
  headroomW: number;
}

export interface CycleInput {
  params: Readonly<DispatchParams>;
  limits: MinerLimits;
  records: MinerRecord[];
  gensets: ReadonlyMap<string, GensetState>;
  held: HeldBalance | undefined;
  assessment: Assessment;
  nowMs: number;
  dtMs: number;
  enableTimer: DecayingTimer;
  disableTimer: DecayingTimer;
  lastAddMs: number;
  lastGood: LastGood | undefined;
  /** cycles in a row with load over the cap */
  overCycles: number;
  /** availableW of the last few balances, oldest first */
  recentAvailable: readonly AvailableSample[];
}

export interface CycleResult {
  mode: DispatchMode;
  reasons: string[];
  changes: Map<string, TargetChange>;
  surplusW: number;
  budgetW: number;
  capW: number;
  floorW: number;
  reserveHeldW: number;
  onlineRatingW: number;
  lastAddMs: number;
  lastGood: LastGood | undefined;
  overCycles: number;
}

const kw = (w: number) => `${(w / 1000).toFixed(1)} kW`;

export function planCycle(input: CycleInput): CycleResult {
  const { params: p, limits, nowMs, assessment } = input;
  const confirmMs = p.confirmTimeoutS * 1000;
  const controllable = input.records.filter((r) => isControllable(r, nowMs, confirmMs));
  const ctx: AllocationContext = {
    limits,
    nowMs,
    minOnMs: p.minOnS * 1000,
    minOffMs: p.minOffS * 1000,
    ordered: addOrder(controllable, p.priorityMode),
    changes: new Map(),
  };
  const drawnW = (r: MinerRecord) => (nowMs - r.telemetry.arrivedMs <= confirmMs ? r.telemetry.powerW : r.targetW);
  const committed = () => controllable.reduce((sum, r) => sum + currentTargetW(ctx, r), 0);
  const ratingW = onlineRatingW(input.gensets, nowMs, p.staleAfterS * 1000, p.gensetRatingKw * 1000, p.gensetCount);
  const result: CycleResult = {
    mode: assessment.mode,
    reasons: [],
    changes: ctx.changes,
    surplusW: 0,
    budgetW: 0,
    capW: 0,
    floorW: (p.gensetMinLoadPct / 100) * ratingW,
    reserveHeldW: 0,
    onlineRatingW: ratingW,
    lastAddMs: input.lastAddMs,
    lastGood: input.lastGood,
    overCycles: 0,
  };

  if (assessment.mode === 'stopped' || assessment.mode === 'fail-safe') {
    input.enableTimer.clear();
    input.disableTimer.clear();
    const lastGood = input.lastGood;
    const safeW =
      assessment.mode === 'stopped' || !lastGood
        ? 0
        : Math.max(0, Math.min((p.failSafePct / 100) * ratingW - lastGood.firmDemandW, lastGood.headroomW));
    result.budgetW = safeW;
    const excess = committed() - safeW;
    if (excess > 0) {
      const reason = assessment.mode === 'stopped' ? `stop: ${assessment.reason}` : `fail-safe: ${assessment.reason}; shed to ${kw(safeW)} and hold`;
      // What has not landed goes first (no load step), then miners sleep, one step a cycle (no step past the limit).
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

  const balance = input.held!.balance;
  const plannable = new Set(controllable);
  const suspectDrawW = input.records.filter((r) => !plannable.has(r)).reduce((sum, r) => sum + r.telemetry.powerW, 0);
  // Smoothing never plans with more than the latest balance says by over the meter-noise allowance.
  const hysteresisW = p.hysteresisKw * 1000;
  const planned = plannedAvailableW(input.recentAvailable, ratingW);
  const availableW = Math.min(planned.availableW, balance.availableW + NOISE_ALLOWANCE_SHARE * ratingW);
  const maxLoadW = (p.gensetMaxLoadPct / 100) * ratingW;
  const capW = Math.min(availableW, maxLoadW);
  // Targets are planned against the capacity where it is heading; sheds are measured against where it is.
  const headroomW = Math.min(planned.plannedW, availableW, maxLoadW) - balance.firmDemandW - suspectDrawW;
  result.capW = capW;
  result.lastGood = { firmDemandW: balance.firmDemandW, headroomW };

  // 1. Load over the cap: sleep miners now. Meters under-read a bus that falls short (the loads get less than
  // they ask), so the miners' draw is taken from their telemetry, with sleeps since their last reading done.
  const demandW = balance.firmDemandW + input.records.reduce((sum, r) => sum + expectedDrawW(r, nowMs, confirmMs), 0);
  const overCapW = demandW - capW;
  // Limit decreases in flight land within the limit-change time; a small excess they cover is left to them.
  const pendingDecreaseW = controllable.reduce((sum, r) => sum + Math.max(0, drawnW(r) - (currentTargetW(ctx, r) || drawnW(r))), 0);
  const uncoveredW = overCapW - pendingDecreaseW;
  result.overCycles = uncoveredW > 0 ? input.overCycles + 1 : 0;
  const what =
    capW < availableW
      ? `${p.gensetMaxLoadPct}% of the online rating`
      : planned.fallingWPerS > 0
        ? `the gas-limited capacity ${kw(LEAD_S * planned.fallingWPerS)} lower in ${LEAD_S} s`
        : 'the gas-limited capacity';
  if (overCapW > hysteresisW || (uncoveredW > 0 && result.overCycles >= OVER_CYCLES_FOR_FAST_SHED)) {
    const reason = `shed: load is ${kw(overCapW)} over ${what} (${kw(capW)})`;
    shedFast(ctx, overCapW + hysteresisW / 2, reason, drawnW);
    result.reasons.push(reason);
    result.overCycles = 0;
  } else if (uncoveredW > 0) {
    const reason = `trim: load is ${kw(overCapW)} over ${what}, within the hysteresis`;
    shedSoft(ctx, uncoveredW + hysteresisW / 2, reason);
    result.reasons.push(reason);
  }

  // 2. Commitments beyond the headroom (by more than half the hysteresis, so meter noise moves nothing): lower
  // limits toward a common level, then cancel cold starts that have not begun to draw; what neither can take
  // (miners at their minimum within their minimum on time) sleeps: the gas limit comes first.
  const overCommitW = committed() - headroomW;
  if (overCommitW > hysteresisW / 2) {
    const reason = `trim: targets are ${kw(overCommitW)} over what the gas carries`;
    const wantW = overCommitW + hysteresisW / 2;
    const loweredW = shedSoft(ctx, wantW, reason);
    if (loweredW < wantW) cancelPending(ctx, wantW - loweredW, reason, drawnW);
    if (committed() - headroomW > hysteresisW / 2) shedFast(ctx, committed() - headroomW, reason, (r) => currentTargetW(ctx, r));
    result.reasons.push(reason);
  }

  // The reserve: running miners that sleep in seconds are reserve; only what they cannot cover is kept free.
  const interruptibleW = controllable.filter((r) => currentTargetW(ctx, r) > 0).reduce((sum, r) => sum + drawnW(r), 0);
  const reserveHeldW = Math.max(0, p.reserveKw * 1000 - interruptibleW);
  const budgetW = headroomW - reserveHeldW;
  const spareW = budgetW - committed();
  Object.assign(result, { reserveHeldW, budgetW });

  // 3. Soft deficit.
  const deficit = spareW < 0;
  const immediate = -spareW > p.deficitImmediateKw * 1000;
  const disableFired = input.disableTimer.update(deficit ? 'for' : spareW >= hysteresisW ? 'against' : 'hold', input.dtMs, p.disableDelayS * 1000, p.timerMode);
  if (deficit && (immediate || disableFired)) {
    const softFloorW = Math.max(0, (p.gensetSoftMinPct / 100) * ratingW - balance.firmDemandW);
    const amountW = Math.min(-spareW + hysteresisW / 2, p.maxStepKw * 1000, committed() - softFloorW);
    if (amountW > 0) {
      const reason = `shed: ${kw(-spareW)} into the ${kw(p.reserveKw * 1000)} reserve${immediate ? ', beyond the immediate threshold' : ` for ${p.disableDelayS} s`}`;
      shedSoft(ctx, amountW, reason);
      result.reasons.push(reason);
    }
  }

  // 4. Add.
  const hardFloorW = result.floorW - balance.firmDemandW;
  const belowFloor = committed() < hardFloorW && headroomW > committed();
  const enableFired = input.enableTimer.update(spareW >= hysteresisW ? 'for' : deficit ? 'against' : 'hold', input.dtMs, p.enableDelayS * 1000, p.timerMode);
  const paced = nowMs - input.lastAddMs >= p.stepIntervalS * 1000;
  if (paced && (enableFired || belowFloor) && overCapW <= 0) {
    const room = belowFloor && !enableFired ? Math.min(hardFloorW, budgetW) - committed() : spareW - FILL_BELOW_SHARE * hysteresisW;
    // The ramp allows what it would have added since the last step, counted over one step interval at most (or
    // one cycle, without an interval), so that a quiet hour does not save up into one large step.
    const rampW = p.rampUpKwPerS * Math.min(nowMs - input.lastAddMs, Math.max(p.stepIntervalS, p.cycleS) * 1000);
    const amountW = Math.min(room, p.maxStepKw * 1000, rampW);
    const reason = belowFloor && !enableFired ? `add: the gensets are below their ${p.gensetMinLoadPct}% minimum load` : `add: ${kw(spareW)} spare for ${p.enableDelayS} s`;
    if (amountW > 0 && addLoad(ctx, amountW, reason) > 0) {
      result.lastAddMs = nowMs;
      result.reasons.push(reason);
    }
  }
  result.surplusW = budgetW - committed();
  if (result.reasons.length === 0) {
    result.reasons.push(`follow: ${kw(spareW)} spare${balance.quality === 'suspect' ? ` (${assessment.reason})` : ''}`);
  }
  return result;
}
