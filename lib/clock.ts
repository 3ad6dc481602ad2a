// The one clock of FlareGrid. Every node and every library object that needs "now" or a timer takes a Clock,
// so that the embedded microgrid can run on a scaled clock shared with the plant simulator (a day in minutes,
// coherently: the meter's counter plausibility, the balance's staleness, payment streams and dispatch all see
// the plant's time), and tests can run on a fake clock. This file is the only place in lib/ and nodes/ that
// touches Date.now and the global timers (an eslint rule keeps it so).

/** A pending timer; cancel() is idempotent. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** ms since the epoch on this clock's time line */
  nowMs(): number;
  /** Runs `callback` once, after `delayMs` of this clock's time. */
  setTimeout(callback: () => void, delayMs: number): Timer;
  /** Runs `callback` every `periodMs` of this clock's time until cancelled. */
  setInterval(callback: () => void, periodMs: number): Timer;
}

/** Wall time; the default everywhere. */
export const wallClock: Clock = Object.freeze({
  nowMs: () => Date.now(),
  setTimeout(callback: () => void, delayMs: number): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(callback: () => void, periodMs: number): Timer {
    const handle = setInterval(callback, Math.max(1, periodMs));
    return { cancel: () => clearInterval(handle) };
  },
});

export class ClockError extends Error {
  readonly code = 'CLOCK_SETTINGS';
  override name = 'ClockError';
}

export interface ScaledClockOptions {
  /** clock ms per base ms; 60 runs an hour in a minute */
  speedup: number;
  /** the clock's time when it is created, ms since the epoch; default the base clock's now */
  startMs?: number;
  /** the clock it runs on; default wall time */
  base?: Clock;
}

/**
 * Time that runs `speedup` times faster than its base clock, from `startMs`. Timers wait 1/speedup of their
 * delay on the base clock, so a 1 s poll at speed-up 60 fires every 16.7 ms of wall time.
 */
export class ScaledClock implements Clock {
  readonly speedup: number;
  readonly base: Clock;
  private readonly baseStartMs: number;
  private readonly startMs: number;

  constructor(options: ScaledClockOptions) {
    if (!(Number.isFinite(options.speedup) && options.speedup > 0)) {
      throw new ClockError(`speed-up must be a number above 0, got ${String(options.speedup)}`);
    }
    this.speedup = options.speedup;
    this.base = options.base ?? wallClock;
    this.baseStartMs = this.base.nowMs();
    this.startMs = options.startMs ?? this.baseStartMs;
  }

  nowMs(): number {
    return this.startMs + (this.base.nowMs() - this.baseStartMs) * this.speedup;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.base.setTimeout(callback, delayMs / this.speedup);
  }

  setInterval(callback: () => void, periodMs: number): Timer {
    return this.base.setInterval(callback, periodMs / this.speedup);
  }
}

/**
 * Clock ms per wall ms: a ScaledClock's speed-up, 1 for wall time. For waits that are about the wall, not the
 * plant (a TCP connect after a deploy takes the same wall time at any speed-up).
 */
export function clockRate(clock: Clock): number {
  return clock instanceof ScaledClock ? clock.speedup * clockRate(clock.base) : 1;
}

/**
 * Timers a component started, cancelled together when it closes: a node's close handler calls cancelAll()
 * and cannot forget one.
 */
export class TimerSet {
  private readonly timers = new Set<Timer>();

  constructor(private readonly clock: Clock) {}

  setTimeout(callback: () => void, delayMs: number): Timer {
    const timer: Timer = this.track(this.clock.setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs));
    return timer;
  }

  setInterval(callback: () => void, periodMs: number): Timer {
    return this.track(this.clock.setInterval(callback, periodMs));
  }

  get size(): number {
    return this.timers.size;
  }

  cancelAll(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private track(inner: Timer): Timer {
    const timer: Timer = {
      cancel: () => {
        inner.cancel();
        this.timers.delete(timer);
      },
    };
    this.timers.add(timer);
    return timer;
  }
}
