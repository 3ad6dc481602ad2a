// Bounded exponential back-off with jitter, for reconnecting to LND, miner APIs and the market broker.
//
// Jitter is proportional: the delay of attempt n is drawn uniformly from [(1 - jitter) * ceiling, ceiling],
// where ceiling = min(maxMs, initialMs * factor^(n-1)). jitter 1 is "full jitter" (anywhere from 0 to the
// ceiling), 0.5 is "equal jitter" (at least half the ceiling). The default is equal jitter: full jitter spreads a
// herd of thousands of clients best, but a FlareGrid site has a handful of users per server, and a floor keeps a
// dead LND from being retried after near-zero delays while the "retrying in 5 s" a user reads stays about true.
// The delay never exceeds maxMs.

export class BackoffError extends Error {
  readonly code = 'BACKOFF_OPTIONS';
  override name = 'BackoffError';
}

export interface BackoffOptions {
  /** ceiling of the first retry, ms; default 1000 */
  initialMs?: number;
  /** no delay is longer than this, ms; default 30 000 */
  maxMs?: number;
  /** growth of the ceiling per attempt, at least 1; default 2 */
  factor?: number;
  /** share of the ceiling that is random, 0..1 (1 = full jitter, 0.5 = equal jitter); default 0.5 */
  jitter?: number;
  /** uniform in [0, 1); default Math.random. Tests pass a seeded source. */
  random?: () => number;
}

export const BACKOFF_DEFAULTS = Object.freeze({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.5 });

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private readonly random: () => number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? BACKOFF_DEFAULTS.initialMs;
    this.maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
    this.factor = options.factor ?? BACKOFF_DEFAULTS.factor;
    this.jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
    this.random = options.random ?? Math.random;
    if (!(Number.isFinite(this.initialMs) && this.initialMs > 0)) {
      throw new BackoffError(`initialMs must be a number above 0, got ${String(this.initialMs)}`);
    }
    if (!(Number.isFinite(this.maxMs) && this.maxMs >= this.initialMs)) {
      throw new BackoffError(`maxMs must be a number of at least initialMs (${this.initialMs}), got ${String(this.maxMs)}`);
    }
    if (!(Number.isFinite(this.factor) && this.factor >= 1)) {
      throw new BackoffError(`factor must be a number of at least 1, got ${String(this.factor)}`);
    }
    if (!(Number.isFinite(this.jitter) && this.jitter >= 0 && this.jitter <= 1)) {
      throw new BackoffError(`jitter must be a number from 0 to 1, got ${String(this.jitter)}`);
    }
  }

  /** retries counted since the last reset() */
  get attempt(): number {
    return this.attempts;
  }

  /** Counts one more attempt and returns its delay, ms. */
  next(): number {
    this.attempts += 1;
    return this.delayMs(this.attempts);
  }

  reset(): void {
    this.attempts = 0;
  }

  /** the ceiling of attempt n (1-based) before jitter, ms */
  ceilingMs(attempt: number): number {
    // factor ** large n is Infinity, which min() caps: no overflow after a week of failures.
    return Math.min(this.maxMs, this.initialMs * this.factor ** Math.max(0, attempt - 1));
  }

  /** A delay for attempt n (1-based), ms, in [(1 - jitter) * ceiling, ceiling]. */
  delayMs(attempt: number): number {
    const ceiling = this.ceilingMs(attempt);
    // Clamped so that a random source outside [0, 1) cannot break the bounds.
    const r = Math.min(Math.max(this.random(), 0), 1);
    return ceiling * (1 - this.jitter * r);
  }
}
