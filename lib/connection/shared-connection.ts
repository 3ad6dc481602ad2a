// One connection shared by every node that uses it (an LND node, a miner API, the market's broker), after the
// pattern of Node-RED's MQTT broker config node: users register and deregister, the first one in connects, the
// last one out disconnects, and every state change reaches every user. Unlike the broker node it owns its
// reconnects (bounded, jittered back-off) and bounds every wait, so a close never outlives Node-RED's close
// timeout. No Node-RED here: nodes/shared/connection-node.ts adapts it.

import { TimerSet, type Clock, type Timer } from '../clock';
import { Backoff } from './backoff';
import { CONNECTION_DEFAULTS, ConnectionError, type ConnectionState, type ConnectionUser, type Connector, type SharedConnectionOptions } from './types';

interface Attempt {
  readonly id: number;
  readonly controller: AbortController;
  timeout?: Timer;
  /** lost() was called before connect() resolved */
  lostError?: Error;
}

interface Waiter<C> {
  resolve(connection: C): void;
  reject(err: Error): void;
  timer?: Timer;
}

export class SharedConnection<C> {
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly connectTimeoutMs: number;
  private readonly disconnectTimeoutMs: number;
  private readonly stableAfterMs: number;
  /** retry, stability, connect-timeout and waiter timers: all cancelled by close() */
  private readonly timers: TimerSet;
  private readonly users = new Set<ConnectionUser>();
  private readonly waiters = new Set<Waiter<C>>();
  /** disconnects under way, each bounded by disconnectTimeoutMs */
  private readonly releases = new Set<Promise<void>>();
  private stateNow: ConnectionState = Object.freeze({ kind: 'disconnected' });
  private live: { readonly id: number; readonly connection: C } | undefined;
  private attempt: Attempt | undefined;
  private retryTimer: Timer | undefined;
  private stableTimer: Timer | undefined;
  private nextAttemptId = 1;
  private lastError: string | undefined;
  private closing: Promise<void> | undefined;
  private settled = false;

  constructor(
    private readonly connector: Connector<C>,
    private readonly options: SharedConnectionOptions,
  ) {
    this.clock = options.clock;
    this.backoff = new Backoff(options.backoff);
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs, 'connectTimeoutMs');
    this.disconnectTimeoutMs = positive(options.disconnectTimeoutMs ?? CONNECTION_DEFAULTS.disconnectTimeoutMs, 'disconnectTimeoutMs');
    this.stableAfterMs = positive(options.stableAfterMs ?? CONNECTION_DEFAULTS.stableAfterMs, 'stableAfterMs');
    this.timers = new TimerSet(this.clock);
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** the live connection, if there is one now */
  current(): C | undefined {
    return this.live?.connection;
  }

  /** Adds a user and tells it the current state at once; the first user starts connecting. */
  register(user: ConnectionUser): void {
    if (this.closing) {
      this.tell(user, this.stateNow);
      return;
    }
    this.users.add(user);
    const before = this.stateNow;
    this.ensureConnecting();
    if (this.stateNow === before) this.tell(user, before);
  }

  /**
   * Removes a user. When it was the last, the retry is cancelled and the connection released; the promise
   * settles when that release has finished or been given up on (disconnectTimeoutMs).
   */
  deregister(user: ConnectionUser): Promise<void> {
    if (!this.users.delete(user) || this.users.size > 0 || this.closing) return Promise.resolve();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.stableTimer?.cancel();
    this.backoff.reset();
    const live = this.live;
    this.live = undefined;
    // A connect under way finishes on its own and is released then, because nobody wants it.
    if (!this.attempt) this.setState({ kind: 'disconnected', lastError: this.lastError });
    return live ? this.release(live.connection) : Promise.resolve();
  }

  /**
   * The live connection, or the next one. Rejects with NOT_CONNECTED after timeoutMs (no timeout: waits), and
   * with CLOSED on close(). Waiting does not make a connection: only registered users do.
   */
  whenConnected(timeoutMs?: number): Promise<C> {
    if (this.live) return Promise.resolve(this.live.connection);
    if (this.closing) return Promise.reject(new ConnectionError('CLOSED', 'the connection is closed'));
    return new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = this.timers.setTimeout(() => {
          this.waiters.delete(waiter);
          const reason = this.lastError === undefined ? '' : ` (${this.lastError})`;
          reject(new ConnectionError('NOT_CONNECTED', `not connected within ${timeoutMs} ms${reason}`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  /** A user found the connection broken (a request got "unauthorized", a stream ended): reconnect. */
  invalidate(connection: C, err: Error): void {
    if (this.live?.connection === connection) this.onLost(this.live.id, err);
  }

  /**
   * Cancels every timer, releases the connection and tells the users `closed`. Settles once every release has
   * finished or been given up on, so within disconnectTimeoutMs however the connector behaves. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    let finish!: () => void;
    this.closing = new Promise<void>((resolve) => (finish = resolve));
    this.timers.cancelAll();
    this.retryTimer = undefined;
    this.stableTimer = undefined;
    if (this.attempt) {
      this.attempt.controller.abort(new ConnectionError('CLOSED', 'the connection was closed while connecting'));
      this.attempt = undefined;
    }
    const live = this.live;
    this.live = undefined;
    if (live) void this.release(live.connection);
    this.setState({ kind: 'closed', lastError: this.lastError });
    this.users.clear();
    for (const waiter of this.waiters) waiter.reject(new ConnectionError('CLOSED', 'the connection was closed'));
    this.waiters.clear();
    void Promise.all(this.releases).then(() => {
      this.settled = true;
      finish();
    });
    return this.closing;
  }

  private ensureConnecting(): void {
    if (this.closing || this.users.size === 0 || this.live || this.attempt || this.retryTimer) return;
    void this.connectOnce();
  }

  private async connectOnce(): Promise<void> {
    const attempt: Attempt = { id: this.nextAttemptId++, controller: new AbortController() };
    this.attempt = attempt;
    this.setState({ kind: 'connecting', attempt: this.backoff.attempt, lastError: this.lastError });
    // The previous connection is released (or given up on) first, so that two never overlap: a broker would
    // kick the older client with the same id, LND would count two channels.
    if (this.releases.size > 0) await Promise.all(this.releases);
    if (this.attempt !== attempt) return;
    if (this.users.size === 0) {
      this.attempt = undefined;
      this.setState({ kind: 'disconnected', lastError: this.lastError });
      return;
    }
    attempt.timeout = this.timers.setTimeout(() => this.onConnectTimeout(attempt), this.connectTimeoutMs);
    let connection: C;
    try {
      connection = await this.connector.connect({
        signal: attempt.controller.signal,
        lost: (err) => this.onLost(attempt.id, err),
      });
    } catch (err) {
      if (this.attempt !== attempt) return;
      this.endAttempt(attempt);
      this.failed(asError(err));
      return;
    }
    this.onConnected(attempt, connection);
  }

  private onConnected(attempt: Attempt, connection: C): void {
    // Abandoned (timed out, closed): nobody holds this connection, so it is released at once.
    if (this.attempt !== attempt) {
      void this.release(connection);
      return;
    }
    this.endAttempt(attempt);
    if (attempt.lostError) {
      void this.release(connection);
      this.failed(attempt.lostError);
      return;
    }
    if (this.users.size === 0) {
      void this.release(connection);
      this.setState({ kind: 'disconnected', lastError: this.lastError });
      return;
    }
    this.live = { id: attempt.id, connection };
    this.lastError = undefined;
    this.stableTimer = this.timers.setTimeout(() => this.backoff.reset(), this.stableAfterMs);
    this.setState({ kind: 'connected' });
    for (const waiter of this.waiters) {
      waiter.timer?.cancel();
      waiter.resolve(connection);
    }
    this.waiters.clear();
  }

  private onConnectTimeout(attempt: Attempt): void {
    if (this.attempt !== attempt) return;
    const err = new ConnectionError('CONNECT_TIMEOUT', `no connection within ${this.connectTimeoutMs} ms`);
    attempt.controller.abort(err);
    this.attempt = undefined;
    this.failed(err);
  }

  private onLost(attemptId: number, err: Error): void {
    if (this.live?.id === attemptId) {
      const { connection } = this.live;
      this.live = undefined;
      this.stableTimer?.cancel();
      void this.release(connection);
      this.failed(err);
    } else if (this.attempt?.id === attemptId) {
      this.attempt.lostError ??= err;
    }
  }

  private endAttempt(attempt: Attempt): void {
    attempt.timeout?.cancel();
    this.attempt = undefined;
  }

  /** A connect failed or a connection was lost: retry after the next back-off delay, if anyone still wants it. */
  private failed(err: Error): void {
    this.lastError = err.message;
    if (this.users.size === 0) {
      this.backoff.reset();
      this.setState({ kind: 'disconnected', lastError: this.lastError });
      return;
    }
    const retryInMs = this.backoff.next();
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureConnecting();
    }, retryInMs);
    this.setState({
      kind: 'retrying',
      attempt: this.backoff.attempt,
      retryInMs,
      retryAtMs: this.clock.nowMs() + retryInMs,
      lastError: this.lastError,
    });
  }

  /** Disconnects, bounded by disconnectTimeoutMs; never rejects. */
  private release(connection: C): Promise<void> {
    let disconnecting: Promise<void>;
    try {
      disconnecting = Promise.resolve(this.connector.disconnect(connection));
    } catch (err) {
      disconnecting = Promise.reject(asError(err));
    }
    const released = new Promise<void>((resolve) => {
      const deadline = this.clock.setTimeout(() => {
        this.warn(`gave up waiting for a disconnect after ${this.disconnectTimeoutMs} ms`);
        resolve();
      }, this.disconnectTimeoutMs);
      disconnecting
        .catch((err: unknown) => this.warn(`disconnect failed: ${asError(err).message}`))
        .finally(() => {
          deadline.cancel();
          resolve();
        });
    });
    this.releases.add(released);
    void released.then(() => this.releases.delete(released));
    return released;
  }

  private setState(state: ConnectionState): void {
    this.stateNow = Object.freeze(state);
    this.options.onState?.(this.stateNow);
    for (const user of this.users) this.tell(user, this.stateNow);
  }

  private tell(user: ConnectionUser, state: ConnectionState): void {
    try {
      user.onState(state);
    } catch (err) {
      this.warn(`a connection user failed on state '${state.kind}': ${asError(err).message}`);
    }
  }

  private warn(text: string): void {
    if (!this.settled) this.options.warn?.(text);
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ConnectionError('OPTIONS', `${name} must be a number above 0, got ${String(value)}`);
  return value;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
