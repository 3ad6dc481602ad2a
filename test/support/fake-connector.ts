// A Connector that fails on command, for the tests of SharedConnection and of the nodes built on it. It counts
// what it was asked to do and which connections are still open, so that a test can assert that nothing leaked.

import type { ConnectAttempt, Connector } from '../../lib/connection/types';

export interface FakeConnection {
  readonly id: number;
  open: boolean;
}

/** a connect or disconnect the test finishes by hand */
export interface Held {
  resolve(): void;
  reject(err: Error): void;
  /** the attempt's abort signal (connect only) */
  readonly signal?: AbortSignal;
}

export class FakeConnector implements Connector<FakeConnection> {
  /** connect() calls */
  connects = 0;
  /** disconnect() calls */
  disconnects = 0;
  /** the attempt of every connect() call, in order */
  readonly attempts: ConnectAttempt[] = [];
  /** connect() calls that have not settled yet */
  pendingConnects = 0;
  private readonly open = new Map<FakeConnection, ConnectAttempt>();
  private failures: Error[] = [];
  private holdConnect = false;
  private holdDisconnect = false;
  private readonly heldConnects: Held[] = [];
  private readonly heldDisconnects: Held[] = [];
  private nextId = 1;

  /** connections that connected and were not disconnected */
  get live(): number {
    return this.open.size;
  }

  get liveConnections(): FakeConnection[] {
    return [...this.open.keys()];
  }

  /** The next n connects reject with `error`. */
  failNext(n = 1, error: Error = new Error('connection refused')): void {
    for (let i = 0; i < n; i++) this.failures.push(error);
  }

  /** The next connect waits until the test calls resolve() or reject() on what heldConnect() returns. */
  hangNextConnect(): void {
    this.holdConnect = true;
  }

  /** the oldest connect held by hangNextConnect() */
  heldConnect(): Held {
    const held = this.heldConnects.shift();
    if (!held) throw new Error('no connect is held');
    return held;
  }

  /** Every disconnect from now on hangs until releaseDisconnects(). */
  hangDisconnect(): void {
    this.holdDisconnect = true;
  }

  /** Lets the held disconnects finish (or fail with `error`), and the next ones run at once. */
  releaseDisconnects(error?: Error): void {
    this.holdDisconnect = false;
    for (const held of this.heldDisconnects.splice(0)) {
      if (error) held.reject(error);
      else held.resolve();
    }
  }

  /** Reports every live connection lost, as a dropped socket would. */
  dropConnection(err: Error = new Error('connection reset')): void {
    for (const [connection, attempt] of this.open) {
      connection.open = false;
      attempt.lost(err);
    }
  }

  connect(attempt: ConnectAttempt): Promise<FakeConnection> {
    this.connects += 1;
    this.attempts.push(attempt);
    this.pendingConnects += 1;
    const settle = <T>(promise: Promise<T>) => promise.finally(() => (this.pendingConnects -= 1));
    const failure = this.failures.shift();
    if (failure) return settle(Promise.reject(failure));
    const connection: FakeConnection = { id: this.nextId++, open: true };
    if (!this.holdConnect) {
      this.open.set(connection, attempt);
      return settle(Promise.resolve(connection));
    }
    this.holdConnect = false;
    return settle(
      new Promise<FakeConnection>((resolve, reject) => {
        this.heldConnects.push({
          signal: attempt.signal,
          resolve: () => {
            this.open.set(connection, attempt);
            resolve(connection);
          },
          reject,
        });
      }),
    );
  }

  disconnect(connection: FakeConnection): Promise<void> {
    this.disconnects += 1;
    const close = () => {
      connection.open = false;
      this.open.delete(connection);
    };
    if (!this.holdDisconnect) {
      close();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.heldDisconnects.push({
        resolve: () => {
          close();
          resolve();
        },
        reject,
      });
    });
  }
}
