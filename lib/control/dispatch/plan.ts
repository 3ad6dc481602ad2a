// One dispatch cycle: from the assessment, the balance and the fleet to the target changes and their reasons.
//
// The order is the order of urgency:
//  1. load the gas or the rating cannot carry (measured) is shed at once by sleeping miners;
//  2. commitments that would not fit when they land (cold starts, raises) are cancelled, then trimmed;
//  3. a soft deficit (the reserve eaten, the gas still carrying the load) waits for the disable delay unless it
//     is larger than the immediate-deficit threshold, and never takes a genset below its soft minimum;
//  4. surplus beyond the hysteresis adds load after the enable delay (decaying), at most one step per step
//     interval, within the ramp; a genset below its hard minimum skips the delay.
// Fail-safe (stale or bad data, bus out of band) sheds toward the safe level, one step per cycle, adds nothing;
// steps.ts holds the sheds, this file the order and the adds.
import type { DecayingTimer } from './decaying-timer';
import { addLoad, currentTargetW, shedSoft, type AllocationContext, type TargetChange } from './allocate';
import { addOrder, isControllable, type MinerRecord } from './fleet';
import type { AvailableSample } from './capacity';
import { onlineRatingW, type Assessment, type DispatchMode, type GensetState, type HeldBalance } from './assess';
import type { DispatchParams, MinerLimits } from './params';
import { failSafe, kw, measure, shedOverCap, trimCommitments, type Cycle } from './steps';

/** An add fills to this share of the hysteresis below the budget: the dead band then lies mostly above the fill. */
export const FILL_BELOW_SHARE = 0.5;

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


export function planCycle(input: CycleInput): CycleResult {
  const { params: p, nowMs, assessment } = input;
  const confirmMs = p.confirmTimeoutS * 1000;
  const controllable = input.records.filter((r) => isControllable(r, nowMs, confirmMs));
  const ctx: AllocationContext = {
    limits: input.limits,
    nowMs,
    minOnMs: p.minOnS * 1000,
    minOffMs: p.minOffS * 1000,
    ordered: addOrder(controllable, p.priorityMode),
    changes: new Map(),
  };
  const ratingW = onlineRatingW(input.gensets, nowMs, p.staleAfterS * 1000, p.gensetRatingKw * 1000, p.gensetCount);
  const cycle: Cycle = {
    input,
    ctx,
    controllable,
    ratingW,
    hysteresisW: p.hysteresisKw * 1000,
    drawnW: (r: MinerRecord) => (nowMs - r.telemetry.arrivedMs <= confirmMs ? r.telemetry.powerW : r.targetW),
    committed: () => controllable.reduce((sum, r) => sum + currentTargetW(ctx, r), 0),
    result: {
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
    },
  };
  if (assessment.mode !== 'follow') return failSafe(cycle);

  const site = measure(cycle);
  const overCapW = shedOverCap(cycle, site);
  trimCommitments(cycle, site);
  const { result, committed, hysteresisW } = cycle;
  const balance = input.held!.balance;

  // The reserve: running miners that sleep in seconds are reserve; only what they cannot cover is kept free.
  const interruptibleW = controllable.filter((r) => currentTargetW(ctx, r) > 0).reduce((sum, r) => sum + cycle.drawnW(r), 0);
  const reserveHeldW = Math.max(0, p.reserveKw * 1000 - interruptibleW);
  const budgetW = site.headroomW - reserveHeldW;
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
  const belowFloor = committed() < hardFloorW && site.headroomW > committed();
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
