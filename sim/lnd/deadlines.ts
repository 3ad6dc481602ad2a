// Work due at a time on the network's clock (invoice expiry, hold-HTLC expiry, slowed HTLCs), behind one clock
// timer armed for the earliest: adding is O(1), and a firing scans once, so thousands of open invoices cost
// nothing until one is due.
import type { Clock, Timer } from '../../lib/clock';

const MAX_TIMER_MS = 2 ** 31 - 1;

export class Deadlines {
  private readonly due = new Map<string, { atMs: number; run: () => void }>();
  private timer: Timer | undefined;
  private armedFor = Infinity;
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `run` once at `atMs` (at once if that has passed); the same key replaces an earlier entry. */
  at(key: string, atMs: number, run: () => void): void {
    if (this.stopped) return;
    this.due.set(key, { atMs, run });
    if (atMs < this.armedFor) this.arm(atMs);
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.due.clear();
  }

  private arm(atMs: number): void {
    this.timer?.cancel();
    this.armedFor = atMs;
    // Node's timers hold at most 2^31 - 1 ms (a longer one fires at once); a far deadline is reached in steps
    const delayMs = Math.min(Math.max(0, atMs - this.clock.nowMs()), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => this.fire(), delayMs);
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.nowMs();
    const ready = [...this.due].filter(([, d]) => d.atMs <= now).sort((a, b) => a[1].atMs - b[1].atMs);
    for (const [key] of ready) this.due.delete(key);
    for (const [, d] of ready) d.run();
    let next = Infinity;
    for (const d of this.due.values()) next = Math.min(next, d.atMs);
    if (next < Infinity && !this.stopped) this.arm(next);
  }
}
