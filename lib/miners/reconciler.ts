// The desired state of one miner and what to send to reach it. It holds the target (W, 0 = sleep), compares it
// with what each read shows (the limit the firmware holds, whether it hashes), and names the next command: the
// limit first (also while asleep, so a wake does not overshoot to the old limit), then a wake; or a sleep.
// A command that did not take is sent again after a back-off (per kind of command, so a wake that follows a
// limit change is not delayed); after confirmTimeoutMs without the target showing, the miner is `suspect`.
// A miner that drifts from a confirmed target (a reboot restored its old limit) is steered back. Pure: time
// comes in as nowMs.
import { Backoff, type BackoffOptions } from '../connection/backoff';
import type { CommandKind } from './capability';

export interface Desired {
  /** the limit to hold, W, already taken to the miner's step; 0 = sleep */
  commandW: number;
  /** the target as dispatch sent it, W */
  targetW: number;
  reason: string;
  sinceMs: number;
}

export interface Observation {
  mining: boolean;
  powerLimitW?: number;
}

export type Action = { kind: 'sleep' } | { kind: 'wake' } | { kind: 'limit'; watts: number };

export interface ReconcilerState {
  desired: Desired | undefined;
  confirmed: boolean;
  /** the target has not shown within confirmTimeoutMs */
  suspect: boolean;
  /** why it is suspect, or the last command's failure */
  problem: string | undefined;
  /** commands sent for this target */
  attempts: number;
}

export interface ReconcilerOptions {
  confirmTimeoutMs: number;
  /** spacing of re-sends of one command; default 2 s doubling to 60 s */
  backoff?: BackoffOptions;
}

export class Reconciler {
  private desiredNow: Desired | undefined;
  private last: Observation | undefined;
  /** the limit the firmware said it applied, which a read-back must show */
  private expectedLimitW: number | undefined;
  private readonly resend = new Map<CommandKind, { backoff: Backoff; notBeforeMs: number }>();
  private confirmedNow = false;
  private suspectNow = false;
  private problem: string | undefined;
  private attempts = 0;
  private inFlight = false;

  constructor(private readonly options: ReconcilerOptions) {}

  get state(): ReconcilerState {
    return { desired: this.desiredNow, confirmed: this.confirmedNow, suspect: this.suspectNow, problem: this.problem, attempts: this.attempts };
  }

  /** A new target. The same target again changes nothing (dispatch repeats itself). */
  desire(desired: Desired): void {
    const before = this.desiredNow;
    if (before && before.commandW === desired.commandW) {
      this.desiredNow = { ...before, targetW: desired.targetW, reason: desired.reason };
      return;
    }
    this.desiredNow = desired;
    this.expectedLimitW = desired.commandW > 0 ? desired.commandW : undefined;
    this.resend.clear();
    this.confirmedNow = false;
    this.suspectNow = false;
    this.problem = undefined;
    this.attempts = 0;
    if (this.last) this.observe(this.last, desired.sinceMs);
  }

  /** What a read showed at nowMs. */
  observe(observation: Observation, nowMs: number): void {
    this.last = observation;
    const d = this.desiredNow;
    if (!d) return;
    const took = this.took(d, observation);
    if (took) {
      this.confirmedNow = true;
      this.suspectNow = false;
      this.problem = undefined;
      this.resend.clear();
      return;
    }
    this.confirmedNow = false;
    if (nowMs - d.sinceMs >= this.options.confirmTimeoutMs && !this.suspectNow) {
      this.suspectNow = true;
      this.problem = `the miner has not shown ${describe(d)} ${Math.round((nowMs - d.sinceMs) / 1000)} s after it was asked${this.problem ? ` (${this.problem})` : ''}`;
    }
  }

  /** The shed to send at once for the current target, if it lowers the miner's draw; never waits for a slow command. */
  shedAction(): Action | undefined {
    const d = this.desiredNow;
    const seen = this.last;
    if (!d || this.confirmedNow) return undefined;
    if (d.commandW === 0) return seen && !seen.mining ? undefined : { kind: 'sleep' };
    const limitW = seen?.powerLimitW;
    return limitW !== undefined && seen?.mining && d.commandW < limitW ? { kind: 'limit', watts: d.commandW } : undefined;
  }

  /** The command to send now, if one is due; call sent() or failed() when it has been tried. */
  next(nowMs: number): Action | undefined {
    const d = this.desiredNow;
    const seen = this.last;
    if (!d || !seen || this.inFlight || this.confirmedNow) return undefined;
    let action: Action;
    if (d.commandW === 0) action = { kind: 'sleep' };
    else if (seen.powerLimitW !== undefined && seen.powerLimitW !== this.expectedLimitW) action = { kind: 'limit', watts: d.commandW };
    else if (seen.powerLimitW === undefined && !this.resend.has('limit')) action = { kind: 'limit', watts: d.commandW };
    else if (!seen.mining) action = { kind: 'wake' };
    else return undefined;
    const wait = this.resend.get(action.kind);
    if (wait && nowMs < wait.notBeforeMs) return undefined;
    this.inFlight = true;
    return action;
  }

  /**
   * The action went out; `appliedW` is the limit the firmware says it took (it may snap to its own step).
   * `fast`: it was a shed sent at once, outside next(), so a slow command may still be in flight.
   */
  sent(action: Action, nowMs: number, appliedW?: number, fast = false): void {
    if (!fast) this.inFlight = false;
    this.attempts++;
    if (action.kind === 'limit' && appliedW !== undefined) this.expectedLimitW = appliedW;
    this.schedule(action.kind, nowMs);
  }

  failed(action: Action, nowMs: number, err: Error, fast = false): void {
    if (!fast) this.inFlight = false;
    this.attempts++;
    this.problem = err.message;
    this.schedule(action.kind, nowMs);
  }

  private schedule(kind: CommandKind, nowMs: number): void {
    let entry = this.resend.get(kind);
    if (!entry) {
      entry = { backoff: new Backoff({ initialMs: 2000, maxMs: 60_000, jitter: 0, ...this.options.backoff }), notBeforeMs: nowMs };
      this.resend.set(kind, entry);
    }
    entry.notBeforeMs = nowMs + entry.backoff.next();
  }

  private took(d: Desired, seen: Observation): boolean {
    if (d.commandW === 0) return !seen.mining;
    const limitOk = seen.powerLimitW === undefined ? this.resend.has('limit') : seen.powerLimitW === this.expectedLimitW;
    return limitOk && seen.mining;
  }
}

function describe(d: Desired): string {
  return d.commandW === 0 ? 'sleep' : `a limit of ${d.commandW} W`;
}
