// The link to one miner: a SharedConnection (lib/connection) whose "connection" is the firmware driver, made
// by finding the dialect (once), logging in where the firmware has sessions (Braiins token) and reading the
// power limits. Commands go through run(), which is the circuit breaker: `breakerFailures` failures in a row
// (timeouts, refusals, garbage, restarts) drop the link, and while it is down every command fails at once
// (BREAKER_OPEN) instead of waiting out another timeout; the SharedConnection's reconnect, with its bounded
// back-off, is the probe that closes the breaker again. No redeploy is needed for a miner to come back.
import { SharedConnection } from '../connection/shared-connection';
import type { BackoffOptions } from '../connection/backoff';
import type { ConnectionState } from '../connection/types';
import { MinerCapability } from './capability';
import { createDriver, detectDialect } from './detect';
import { MinerError, asMinerError } from './errors';
import type { Dialect, DriverContext, MinerDriver } from './types';

export interface Linked {
  readonly driver: MinerDriver;
  readonly capability: MinerCapability;
}

export interface MinerLinkOptions {
  ctx: DriverContext;
  /** 'auto' asks the miner which firmware it runs */
  dialect: Dialect | 'auto';
  /** nameplate draw, W, for a firmware that does not say (stock Antminer) */
  ratedPowerW: number;
  breakerFailures: number;
  backoff?: BackoffOptions;
  onState(state: ConnectionState): void;
  warn?(text: string): void;
}

export class MinerLink {
  readonly connection: SharedConnection<Linked>;
  private failures = 0;
  private readonly user: { onState(state: ConnectionState): void };
  /** the capability learned so far survives a reconnect (the lags it learned stay true) */
  private capability: MinerCapability | undefined;

  constructor(private readonly options: MinerLinkOptions) {
    const { ctx } = options;
    this.connection = new SharedConnection<Linked>(
      {
        connect: async () => {
          const dialect = options.dialect === 'auto' ? await detectDialect(ctx) : options.dialect;
          const driver = createDriver(dialect, ctx, options.ratedPowerW);
          try {
            await driver.open();
            const limits = await driver.limits();
            const same = this.capability && JSON.stringify(this.capability.limits) === JSON.stringify(limits);
            if (!same) this.capability = new MinerCapability(limits);
            return { driver, capability: this.capability! };
          } catch (err) {
            await driver.close();
            throw err;
          }
        },
        disconnect: (linked) => linked.driver.close(),
      },
      {
        clock: ctx.clock,
        backoff: { initialMs: 2000, maxMs: 60_000, ...options.backoff },
        // Detection, a login and the limits: a few commands, each with its own timeout.
        connectTimeoutMs: 4 * ctx.timeoutMs,
        warn: options.warn,
      },
    );
    this.user = { onState: (state) => options.onState(state) };
  }

  open(): void {
    this.connection.register(this.user);
  }

  current(): Linked | undefined {
    return this.connection.current();
  }

  /** Runs `work` on the live driver, counting failures toward the breaker. */
  async run<T>(work: (linked: Linked) => Promise<T>): Promise<T> {
    const linked = this.connection.current();
    if (!linked) {
      const state = this.connection.state;
      const why = 'lastError' in state && state.lastError ? `: ${state.lastError}` : '';
      throw new MinerError('BREAKER_OPEN', `the miner is not reachable${why}`);
    }
    try {
      const result = await work(linked);
      this.failures = 0;
      return result;
    } catch (err) {
      const error = asMinerError(err, `miner ${this.options.ctx.address.host}`);
      if (error.retryable && ++this.failures >= this.options.breakerFailures) {
        this.failures = 0;
        this.connection.invalidate(linked, error);
      }
      throw error;
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
