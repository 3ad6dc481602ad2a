// A Clock that moves only when a test moves it. Timers fire in due order, each with the clock set to its due
// time, so a test of an hour of polling runs in milliseconds and is the same every run.

import type { Clock, Timer } from '../../lib/clock';

interface Pending {
  id: number;
  dueMs: number;
  periodMs: number | undefined;
  callback: () => void;
}

export class FakeClock implements Clock {
  private now: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs: number | string = Date.UTC(2026, 11, 1, 6, 0, 0)) {
    this.now = typeof startMs === 'string' ? Date.parse(startMs) : startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.schedule(callback, Math.max(0, delayMs), undefined);
  }

  setInterval(callback: () => void, periodMs: number): Timer {
    return this.schedule(callback, Math.max(1, periodMs), Math.max(1, periodMs));
  }

  /** timers waiting to fire */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, synchronously. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) this.fire(next);
    this.now = target;
  }

  /** Moves time forward to `atMs`, as advance() does. */
  advanceTo(atMs: number): void {
    this.advance(atMs - this.now);
  }

  /**
   * Moves time forward by `ms` in steps of at most `stepMs`, letting the event loop run after every timer and
   * every step, so that Node-RED (which delivers messages asynchronously) and promises keep up with the clock.
   */
  async advanceAsync(ms: number, stepMs = 100): Promise<void> {
    const target = this.now + ms;
    while (this.now < target) {
      const stepTarget = Math.min(target, this.now + stepMs);
      for (let next = this.nextDue(stepTarget); next; next = this.nextDue(stepTarget)) {
        this.fire(next);
        await settle();
      }
      this.now = stepTarget;
      await settle();
    }
  }

  private schedule(callback: () => void, delayMs: number, periodMs: number | undefined): Timer {
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.now + delayMs, periodMs, callback });
    return { cancel: () => void this.pending.delete(id) };
  }

  private nextDue(limitMs: number): Pending | undefined {
    let first: Pending | undefined;
    for (const timer of this.pending.values()) {
      if (timer.dueMs > limitMs) continue;
      if (!first || timer.dueMs < first.dueMs || (timer.dueMs === first.dueMs && timer.id < first.id)) first = timer;
    }
    return first;
  }

  private fire(timer: Pending): void {
    this.now = Math.max(this.now, timer.dueMs);
    if (timer.periodMs === undefined) this.pending.delete(timer.id);
    else timer.dueMs += timer.periodMs;
    timer.callback();
  }
}

/** Lets pending I/O callbacks, immediates and promise jobs run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
