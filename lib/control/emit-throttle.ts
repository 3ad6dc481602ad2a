// Decides when a state-keeping node emits: on change, but at most once per minimum interval (a change inside
// the interval is emitted at its end, never dropped, so the last word is always the newest state), and on a
// heartbeat so that a consumer sees the output is alive and sees readings age out even when nothing arrives.
// Time comes from the caller's Clock, so tests drive it with a fake clock.

import type { Clock, Timer } from '../clock';

export interface ThrottleSettings {
  /** at most one emission per this many ms */
  minIntervalMs: number;
  /** longest silence between emissions, ms */
  heartbeatMs: number;
}

/**
 * `emit` sends the current state and returns when that state will change by itself (for instance when a
 * reading turns stale by age), or undefined; the throttle then emits again at that moment instead of waiting
 * for the heartbeat.
 */
export type Emit = () => number | undefined;

export class EmitThrottle {
  private lastEmitMs: number | undefined;
  private timer: Timer | undefined;
  private timerAtMs: number | undefined;
  private stopped = false;

  constructor(
    private readonly emit: Emit,
    private readonly settings: ThrottleSettings,
    private readonly host: Clock,
  ) {}

  /** Arms the first heartbeat; nothing is emitted before a change or that heartbeat. */
  start(): void {
    this.scheduleAt(this.host.nowMs() + this.settings.heartbeatMs);
  }

  change(): void {
    if (this.stopped) return;
    const nowMs = this.host.nowMs();
    const earliestMs = this.lastEmitMs === undefined ? nowMs : this.lastEmitMs + this.settings.minIntervalMs;
    if (nowMs >= earliestMs) this.fire();
    else this.scheduleAt(earliestMs);
  }

  /** Clears the timer; later changes are ignored. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private fire(): void {
    this.clear();
    if (this.stopped) return;
    const nowMs = this.host.nowMs();
    this.lastEmitMs = nowMs;
    const wakeMs = this.emit();
    let nextMs = nowMs + this.settings.heartbeatMs;
    if (wakeMs !== undefined) nextMs = Math.min(nextMs, Math.max(wakeMs, nowMs + this.settings.minIntervalMs));
    this.scheduleAt(nextMs);
  }

  /** Keeps a single timer at the earliest deadline asked for. */
  private scheduleAt(atMs: number): void {
    if (this.stopped) return;
    if (this.timerAtMs !== undefined && this.timerAtMs <= atMs) return;
    this.clear();
    this.timerAtMs = atMs;
    this.timer = this.host.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = undefined;
      this.fire();
    }, Math.max(0, atMs - this.host.nowMs()));
  }

  private clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAtMs = undefined;
  }
}
