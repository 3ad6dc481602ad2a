// One miner under control: it polls the miner, keeps its desired state (Reconciler), sends what the target
// needs through the link (MinerLink: timeouts, breaker, reconnect), learns the miner's timings
// (MinerCapability) and reports MinerTelemetry after every read. Reads and slow commands (limit rises, wakes)
// take turns on one lane; a shed (a sleep, or a lower limit) goes out at once on its own, never queued
// behind them.
import { TimerSet, type Clock } from '../clock';
import type { BackoffOptions } from '../connection/backoff';
import type { ConnectionState } from '../connection/types';
import type { MinerTelemetry, PowerTarget } from '../schemas/dispatch';
import { MinerError, asMinerError } from './errors';
import { MinerLink, type Linked } from './link';
import { Reconciler, type Action } from './reconciler';
import { buildTelemetry } from './telemetry';
import type { Credentials, Dialect, MinerAddress, MinerSample } from './types';

export interface MinerControllerOptions {
  address: MinerAddress;
  dialect: Dialect | 'auto';
  credentials: Credentials;
  site?: string;
  clock: Clock;
  pollIntervalMs: number;
  /** per-command timeout on the clock, ms */
  commandTimeoutMs: number;
  /** after this long without the target showing, the miner is reported suspect */
  confirmTimeoutMs: number;
  /** failures in a row that open the breaker */
  breakerFailures: number;
  /** nameplate draw for a firmware that does not report power, W */
  ratedPowerW: number;
  reconnectBackoff?: BackoffOptions;
  onTelemetry(telemetry: MinerTelemetry): void;
  /** a problem worth a log line: a target refused, the miner unreachable, a target not taken (once per episode) */
  onProblem(error: MinerError): void;
}

export class MinerController {
  readonly minerId: string;
  private readonly link: MinerLink;
  private readonly reconciler: Reconciler;
  private readonly timers: TimerSet;
  private sample: MinerSample | undefined;
  private online = false;
  private offlineReason: string | undefined;
  private lane: Promise<void> = Promise.resolve();
  private polling = false;
  private pending: PowerTarget | undefined;
  private wasSuspect = false;
  /** when the last wake went out; undefined once a sleep did */
  private wokeAtMs: number | undefined;
  private closed = false;
  private telemetryNow: MinerTelemetry;

  constructor(private readonly options: MinerControllerOptions) {
    this.minerId = options.address.minerId;
    this.timers = new TimerSet(options.clock);
    this.reconciler = new Reconciler({ confirmTimeoutMs: options.confirmTimeoutMs });
    this.link = new MinerLink({
      ctx: { address: options.address, credentials: options.credentials, clock: options.clock, timeoutMs: options.commandTimeoutMs },
      dialect: options.dialect,
      ratedPowerW: options.ratedPowerW,
      breakerFailures: options.breakerFailures,
      backoff: options.reconnectBackoff,
      onState: (state) => this.onLinkState(state),
    });
    this.telemetryNow = this.build();
  }

  start(): void {
    this.link.open();
    this.timers.setInterval(() => this.poll(), this.options.pollIntervalMs);
  }

  get telemetry(): MinerTelemetry {
    return this.telemetryNow;
  }

  get linkState(): ConnectionState {
    return this.link.connection.state;
  }

  /**
   * Takes a PowerTarget for this miner. Refuses at once (INVALID_TARGET) one outside the miner's limits; before
   * the limits are known it is held and checked when the miner answers. A lower target is shed at once.
   */
  apply(target: PowerTarget): void {
    const linked = this.link.current();
    if (!linked) {
      if (!Number.isInteger(target.targetW) || target.targetW < 0) throw new MinerError('INVALID_TARGET', `a target must be a whole number of W, 0 or more; got ${target.targetW}`);
      this.pending = target;
      return;
    }
    this.desire(linked, target);
    this.shedNow(linked);
    this.runOnLane(() => this.reconcile());
  }

  /** Sleeps the miner now, whatever else is under way; false for a miner whose firmware cannot be told to. */
  shed(reason: string): boolean {
    const nowMs = this.options.clock.nowMs();
    const target: PowerTarget = { minerId: this.minerId, targetW: 0, reason, ts: new Date(nowMs).toISOString() };
    const linked = this.link.current();
    if (!linked) {
      this.pending = target;
      return true;
    }
    if (!linked.driver.canControl) return false;
    this.desire(linked, target);
    this.shedNow(linked);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.cancelAll();
    await this.link.close();
  }

  private desire(linked: Linked, target: PowerTarget): void {
    if (!linked.driver.canControl) throw new MinerError('UNSUPPORTED', `${this.minerId}: its firmware (${linked.driver.dialect}) takes no power command; it is read only`);
    const commandW = linked.capability.commandFor(target.targetW);
    this.reconciler.desire({ commandW, targetW: target.targetW, reason: target.reason, sinceMs: this.options.clock.nowMs() });
  }

  /** A shed goes out now, beside whatever holds the lane. */
  private shedNow(linked: Linked): void {
    const action = this.reconciler.shedAction();
    if (!action) return;
    void this.execute(linked, action, true);
  }

  private poll(): void {
    if (this.polling || this.closed) return;
    this.polling = true;
    this.runOnLane(async () => {
      try {
        const sample = await this.link.run((linked) => linked.driver.read());
        const nowMs = this.options.clock.nowMs();
        this.sample = sample;
        this.online = true;
        const linked = this.link.current();
        linked?.capability.observe(nowMs, sample.powerW);
        this.reconciler.observe({ mining: sample.mining, powerLimitW: sample.powerLimitW }, nowMs);
        await this.reconcile();
      } catch (err) {
        this.readFailed(asMinerError(err, this.minerId));
      } finally {
        this.polling = false;
        this.report();
      }
    });
  }

  private async reconcile(): Promise<void> {
    const linked = this.link.current();
    const action = linked ? this.reconciler.next(this.options.clock.nowMs()) : undefined;
    if (linked && action) await this.execute(linked, action, false);
  }

  private async execute(linked: Linked, action: Action, fast: boolean): Promise<void> {
    const nowMs = this.options.clock.nowMs();
    const fromW = this.sample?.powerW ?? 0;
    try {
      let appliedW: number | undefined;
      await this.link.run(async (l) => {
        if (action.kind === 'sleep') await l.driver.sleep();
        else if (action.kind === 'wake') await l.driver.wake();
        else appliedW = await l.driver.setPowerLimit(action.watts);
      });
      const toW = action.kind === 'sleep' ? 0 : action.kind === 'limit' ? (appliedW ?? action.watts) : (this.reconciler.state.desired?.commandW ?? fromW);
      linked.capability.commanded(action.kind, nowMs, fromW, toW);
      if (action.kind !== 'limit') this.wokeAtMs = action.kind === 'wake' ? nowMs : undefined;
      this.reconciler.sent(action, this.options.clock.nowMs(), appliedW, fast);
    } catch (err) {
      const error = asMinerError(err, this.minerId);
      this.reconciler.failed(action, this.options.clock.nowMs(), error, fast);
      if (!error.retryable) this.options.onProblem(new MinerError(error.code, `${this.minerId}: ${action.kind} failed: ${error.message}`, { cause: error }));
    }
  }

  private readFailed(error: MinerError): void {
    if (error.code === 'BREAKER_OPEN' || !this.link.current()) {
      this.online = false;
      this.offlineReason = error.message;
    } else if (!error.retryable) {
      this.options.onProblem(new MinerError(error.code, `${this.minerId}: ${error.message}`, { cause: error }));
    }
  }

  private onLinkState(state: ConnectionState): void {
    if (state.kind === 'connected') {
      this.offlineReason = undefined;
      const linked = this.link.current();
      const pending = this.pending;
      this.pending = undefined;
      if (linked && pending) {
        try {
          this.desire(linked, pending);
        } catch (err) {
          this.options.onProblem(asMinerError(err, this.minerId));
        }
      }
      this.poll();
      return;
    }
    if (state.kind === 'retrying') {
      const wasOnline = this.online;
      this.online = false;
      this.offlineReason = state.lastError;
      if (wasOnline || state.attempt === 1) {
        this.options.onProblem(new MinerError('BREAKER_OPEN', `${this.minerId} is offline (${state.lastError}); retrying in ${Math.round(state.retryInMs / 1000)} s`));
      }
      this.report();
    }
  }

  /** Work on the slow lane; it never rejects, so one failure cannot stall the lane or go unhandled. */
  private runOnLane(work: () => Promise<void>): void {
    this.lane = this.lane.then(() => work().catch((err: unknown) => this.options.onProblem(asMinerError(err, this.minerId))));
  }

  private report(): void {
    if (this.closed) return;
    this.telemetryNow = this.build();
    const suspect = this.reconciler.state.suspect;
    if (suspect && !this.wasSuspect) this.options.onProblem(new MinerError('TIMEOUT', `${this.minerId}: ${this.reconciler.state.problem ?? 'target not confirmed'}`));
    this.wasSuspect = suspect;
    this.options.onTelemetry(this.telemetryNow);
  }

  private build(): MinerTelemetry {
    const linked = this.link.current();
    const capability = linked?.capability.snapshot();
    const nowMs = this.options.clock.nowMs();
    return buildTelemetry({
      minerId: this.minerId,
      site: this.options.site,
      nowMs,
      online: this.online && linked !== undefined,
      offlineReason: this.offlineReason,
      sample: this.sample,
      reconciler: this.reconciler.state,
      capability,
      controllable: linked?.driver.canControl ?? false,
      ratedPowerW: this.options.ratedPowerW,
      warmingUp: this.wokeAtMs !== undefined && capability !== undefined && nowMs - this.wokeAtMs < 2 * capability.wakeS * 1000,
    });
  }
}
