// The dispatch controller: SiteBalance and MinerTelemetry in, one PowerTarget per miner out, so that the miners
// take the surplus and nothing more. Asymmetric, because an island has no grid to absorb a mistake: load that the
// gas or the rating cannot carry is shed at once by sleeping miners (seconds), load is added only after a
// decaying hold-off, at a ramp, in steps. Time is the caller's: every input and decide() take `nowMs`.
import { isMeterReading, isSiteBalance, type PowerTarget } from '../../schemas';
import { DecayingTimer } from './decaying-timer';
import { DispatchError } from './errors';
import { fleetJoulesPerTh, miningValueMsatPerKwh, type SurplusOffer } from './economics';
import { admitTelemetry, adoptMiner, recordTelemetry, regrid, type MinerRecord } from './fleet';
import { describeGrid, isOnGrid } from './grid';
import { assess, type GensetState, type HeldBalance } from './assess';
import { AVAILABLE_SAMPLES, type AvailableSample } from './capacity';
import { DEFAULT_DISPATCH_PARAMS, minerLimitsOf, withParams, type DispatchParams, type MinerLimits } from './params';
import { planCycle, type CycleResult } from './plan';
import type { MeterReading, MinerTelemetry, SiteBalance } from '../../schemas';

export interface DispatchControllerOptions {
  site: string;
  params?: Readonly<Record<string, unknown>>;
  /** the fleet; when given, telemetry from any other miner is refused; when empty, miners are learned */
  miners?: readonly string[];
  /** fixed priorities by miner id (priorityMode fixed); unlisted miners have 0 */
  priorities?: ReadonlyMap<string, number>;
}

export interface TargetSummary {
  minerId: string;
  targetW: number;
  reason: string;
  suspect?: boolean;
}

export interface DispatchDecision {
  site: string;
  ts: string;
  mode: CycleResult['mode'];
  economic: boolean;
  /** why, one sentence per decision taken this cycle */
  reasons: string[];
  /** what more the miners may take after this decision (negative: over their budget), W */
  surplusW: number;
  budgetW: number;
  capW: number;
  floorW: number;
  reserveHeldW: number;
  onlineRatingW: number;
  totalTargetW: number;
  minerW: number;
  minersOn: number;
  minersSuspect: number;
  targets: TargetSummary[];
  /** the PowerTargets to send now: changed targets and repeats of unconfirmed ones */
  commands: PowerTarget[];
  offer?: SurplusOffer;
}

/** A repeat is sent when telemetry read this long after a command still disagrees with it. */
export const RESEND_AFTER_MS = 2000;

export class DispatchController {
  readonly site: string;
  private current: DispatchParams;
  private limitsValue: MinerLimits;
  private readonly fleet?: ReadonlySet<string>;
  private readonly priorities: ReadonlyMap<string, number>;
  private readonly records = new Map<string, MinerRecord>();
  private readonly gensets = new Map<string, GensetState>();
  private held?: HeldBalance;
  private readonly enableTimer = new DecayingTimer();
  private readonly disableTimer = new DecayingTimer();
  private lastAddMs = -Infinity;
  private lastDecideMs: number | undefined;
  private lastGood: CycleResult['lastGood'];
  private overCycles = 0;
  private recentAvailable: AvailableSample[] = [];

  constructor(options: DispatchControllerOptions) {
    this.site = options.site;
    this.current = withParams(DEFAULT_DISPATCH_PARAMS, options.params ?? {});
    this.limitsValue = minerLimitsOf(this.current);
    this.fleet = options.miners && options.miners.length > 0 ? new Set(options.miners) : undefined;
    this.priorities = options.priorities ?? new Map();
  }

  get params(): Readonly<DispatchParams> {
    return this.current;
  }

  get limits(): Readonly<MinerLimits> {
    return this.limitsValue;
  }

  get minerCount(): number {
    return this.records.size;
  }

  /** Applies run-time overrides (a dashboard slider), all or nothing. @throws DispatchError PARAM_INVALID */
  setParams(changes: Readonly<Record<string, unknown>>): DispatchParams {
    const next = withParams(this.current, changes);
    const limits = minerLimitsOf(next);
    for (const r of this.records.values()) {
      regrid(r, limits);
      if (r.pinnedW !== undefined && !isOnGrid(r.grid, r.pinnedW)) r.pinnedW = undefined;
    }
    this.current = next;
    this.limitsValue = limits;
    return next;
  }

  /** @throws ContractError when it is not a SiteBalance; DispatchError INPUT_INVALID when it is another site's */
  onBalance(value: unknown, nowMs: number): SiteBalance {
    const balance = isSiteBalance.parse(value);
    if (balance.site !== this.site) throw new DispatchError('INPUT_INVALID', `SiteBalance is for site '${balance.site}'; this dispatch runs site '${this.site}'`);
    this.held = { balance, arrivedMs: nowMs };
    this.recentAvailable = [...this.recentAvailable.slice(-(AVAILABLE_SAMPLES - 1)), { atMs: nowMs, availableW: balance.availableW }];
    return balance;
  }

  /** The MinerTelemetry `value` checked for this fleet, not yet recorded. @throws ContractError, DispatchError UNKNOWN_MINER or INPUT_INVALID */
  checkTelemetry(value: unknown): MinerTelemetry {
    return admitTelemetry(value, this.fleet, this.limitsValue);
  }

  /** @throws ContractError, DispatchError UNKNOWN_MINER or INPUT_INVALID */
  onTelemetry(value: unknown, nowMs: number): MinerTelemetry {
    const telemetry = this.checkTelemetry(value);
    const record = this.records.get(telemetry.minerId);
    if (!record) this.records.set(telemetry.minerId, adoptMiner(telemetry, this.priorities.get(telemetry.minerId) ?? 0, nowMs, this.limitsValue));
    else recordTelemetry(record, telemetry, nowMs, this.limitsValue, this.current.confirmTimeoutS * 1000);
    return telemetry;
  }

  /** The genset MeterReading `value` checked, not yet recorded. @throws ContractError, DispatchError INPUT_INVALID */
  checkGensetReading(value: unknown): MeterReading {
    const reading = isMeterReading.parse(value);
    if (reading.role !== 'genset') throw new DispatchError('INPUT_INVALID', `meter ${reading.meterId} is a ${reading.role} meter; dispatch takes genset readings only`);
    return reading;
  }

  /** A genset's MeterReading: it is online while it generates or the gas gives it capacity. @throws ContractError, DispatchError */
  onGensetReading(value: unknown, nowMs: number): void {
    const reading = this.checkGensetReading(value);
    const online = reading.quality !== 'bad' && (reading.powerW > 0 || (reading.availablePowerW ?? 0) > 0);
    this.gensets.set(reading.meterId, { online, arrivedMs: nowMs });
  }

  /**
   * Pins one miner's target (an operator's override) or releases it with null. Safety sheds still sleep a
   * pinned miner. @throws DispatchError UNKNOWN_MINER, TARGET_INVALID
   */
  pin(minerId: unknown, targetW: unknown): void {
    const record = typeof minerId === 'string' ? this.records.get(minerId) : undefined;
    if (!record) throw new DispatchError('UNKNOWN_MINER', `no miner '${String(minerId)}' has reported to this dispatch; it cannot be pinned`);
    if (targetW === null) {
      record.pinnedW = undefined;
      return;
    }
    if (typeof targetW !== 'number' || !isOnGrid(record.grid, targetW)) {
      throw new DispatchError('TARGET_INVALID', `target for ${minerId} must be 0 or one of its limits (${describeGrid(record.grid)}), got ${JSON.stringify(targetW)}`);
    }
    record.pinnedW = targetW;
  }

  decide(nowMs: number): DispatchDecision {
    const p = this.current;
    const dtMs = Math.min(5 * p.cycleS * 1000, Math.max(0, nowMs - (this.lastDecideMs ?? nowMs - p.cycleS * 1000)));
    this.lastDecideMs = nowMs;
    const assessment = assess(this.held, nowMs, { staleMs: p.staleAfterS * 1000, busMinV: p.busMinV, busMaxV: p.busMaxV });
    const result = planCycle({
      params: p,
      limits: this.limitsValue,
      records: [...this.records.values()],
      gensets: this.gensets,
      held: this.held,
      assessment,
      nowMs,
      dtMs,
      enableTimer: this.enableTimer,
      disableTimer: this.disableTimer,
      lastAddMs: this.lastAddMs,
      lastGood: this.lastGood,
      overCycles: this.overCycles,
      recentAvailable: this.recentAvailable,
    });
    this.lastAddMs = result.lastAddMs;
    this.lastGood = result.lastGood;
    this.overCycles = result.overCycles;
    return this.publish(result, nowMs);
  }

  private publish(result: CycleResult, nowMs: number): DispatchDecision {
    const ts = new Date(nowMs).toISOString();
    const commands: PowerTarget[] = [];
    for (const change of result.changes.values()) {
      const r = change.record;
      if (r.targetW === 0 && change.targetW > 0) r.onSinceMs = nowMs;
      if (r.targetW > 0 && change.targetW === 0) r.offSinceMs = nowMs;
      r.targetW = change.targetW;
      r.commandedAtMs = nowMs;
      r.lastSentMs = nowMs;
      r.acting = false;
      r.notActingSinceMs = nowMs;
      commands.push({ minerId: r.id, targetW: r.targetW, reason: change.reason, ts, site: this.site });
    }
    const p = this.current;
    for (const r of this.records.values()) {
      if (result.changes.has(r.id) || r.acting || !Number.isFinite(r.commandedAtMs)) continue;
      if (nowMs - r.notActingSinceMs > p.confirmTimeoutS * 1000 && !r.suspect) {
        r.suspect = true;
        result.reasons.push(`${r.id} did not act on ${r.targetW} W within ${p.confirmTimeoutS} s: left out as suspect`);
      }
      const repeatMs = r.suspect ? p.confirmTimeoutS * 1000 : RESEND_AFTER_MS;
      if (r.telemetry.arrivedMs - r.lastSentMs >= RESEND_AFTER_MS && nowMs - r.lastSentMs >= repeatMs) {
        r.lastSentMs = nowMs;
        commands.push({ minerId: r.id, targetW: r.targetW, reason: `repeat: telemetry does not show ${r.targetW} W yet`, ts, site: this.site });
      }
    }
    const targets: TargetSummary[] = [];
    let totalTargetW = 0;
    let minersOn = 0;
    let minersSuspect = 0;
    for (const r of this.records.values()) {
      totalTargetW += r.targetW;
      if (r.targetW > 0) minersOn++;
      if (r.suspect) minersSuspect++;
      const reason = result.changes.get(r.id)?.reason ?? (r.pinnedW !== undefined ? 'pinned by the operator' : 'unchanged');
      targets.push(r.suspect ? { minerId: r.id, targetW: r.targetW, reason, suspect: true } : { minerId: r.id, targetW: r.targetW, reason });
    }
    const decision: DispatchDecision = {
      site: this.site,
      ts,
      mode: result.mode,
      economic: false,
      reasons: result.reasons,
      surplusW: Math.round(result.surplusW),
      budgetW: Math.round(result.budgetW),
      capW: Math.round(result.capW),
      floorW: Math.round(result.floorW),
      reserveHeldW: Math.round(result.reserveHeldW),
      onlineRatingW: Math.round(result.onlineRatingW),
      totalTargetW,
      minerW: Math.round(this.held?.balance.minerW ?? 0),
      minersOn,
      minersSuspect,
      targets,
      commands,
    };
    const offer = this.offer(decision, result);
    if (offer) {
      decision.economic = true;
      decision.offer = offer;
    }
    return decision;
  }

  private offer(decision: DispatchDecision, result: CycleResult): SurplusOffer | undefined {
    const p = this.current;
    if (!p.economicMode || result.mode !== 'follow') return undefined;
    const hashing = [...this.records.values()].filter((r) => r.telemetry.state === 'hashing').map((r) => r.telemetry);
    const floorPriceMsatPerKwh = miningValueMsatPerKwh(p.hashpriceSatPerThDay, fleetJoulesPerTh(hashing));
    if (p.marketPriceMsatPerKwh <= floorPriceMsatPerKwh || decision.totalTargetW <= 0) return undefined;
    return {
      site: this.site,
      ts: decision.ts,
      offerW: decision.totalTargetW,
      floorPriceMsatPerKwh,
      marketPriceMsatPerKwh: p.marketPriceMsatPerKwh,
      reason: `the market bids ${p.marketPriceMsatPerKwh} msat/kWh, mining earns ${floorPriceMsatPerKwh}: surplus offered first, mined until sold`,
    };
  }
}
