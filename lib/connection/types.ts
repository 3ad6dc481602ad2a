// The vocabulary of a shared connection: what a connector supplies, what its users are told, its options.

import type { Clock } from '../clock';
import type { BackoffOptions } from './backoff';

/** What connect() gets for one attempt. */
export interface ConnectAttempt {
  /** Aborted when the attempt timed out or the connection was closed: the connector may stop dialling. */
  readonly signal: AbortSignal;
  /**
   * Reports that the connection this attempt produced broke (socket closed, stream ended, token refused). Calls
   * for a connection that is no longer the live one are ignored, so a connector may report freely.
   */
  lost(err: Error): void;
}

/**
 * Opens and closes one kind of connection. C may be a long-lived client (a gRPC channel, an MQTT client) or a
 * "session" that is only a login token or the result of a health probe; either way the SharedConnection owns
 * its lifetime.
 */
export interface Connector<C> {
  /** Opens a connection; rejects when it cannot. */
  connect(attempt: ConnectAttempt): Promise<C>;
  /** Releases a connection connect() produced; may be slow or hang, the SharedConnection bounds the wait. */
  disconnect(connection: C): Promise<void>;
}

/** The connection's state, pushed to every user on every change. */
export type ConnectionState =
  /** no user wants the connection (yet), or the last one left */
  | { readonly kind: 'disconnected'; readonly lastError?: string }
  /** a connect is under way; attempt 0 is the first try, n the n-th retry */
  | { readonly kind: 'connecting'; readonly attempt: number; readonly lastError?: string }
  | { readonly kind: 'connected' }
  /** the n-th retry starts in retryInMs, at retryAtMs on the connection's clock */
  | {
      readonly kind: 'retrying';
      readonly attempt: number;
      readonly retryInMs: number;
      readonly retryAtMs: number;
      readonly lastError: string;
    }
  /** close() was called: nothing will happen any more */
  | { readonly kind: 'closed'; readonly lastError?: string };

export type ConnectionStateKind = ConnectionState['kind'];

/** A user of a shared connection: a Node-RED node, through the adapter in nodes/shared/connection-node.ts. */
export interface ConnectionUser {
  onState(state: ConnectionState): void;
}

export type ConnectionErrorCode = 'OPTIONS' | 'CONNECT_TIMEOUT' | 'NOT_CONNECTED' | 'CLOSED';

export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectionError';
    this.code = code;
  }
}

export interface SharedConnectionOptions {
  clock: Clock;
  backoff?: BackoffOptions;
  /** a connect that has not settled by then counts as failed, and its late result is released; default 10 s */
  connectTimeoutMs?: number;
  /** how long a disconnect may take before it is given up on; bounds close() too; default 5 s */
  disconnectTimeoutMs?: number;
  /**
   * The retry count goes back to 0 once a connection has stayed up this long, not on every success: a server
   * that accepts and drops at once (a locked LND wallet, a refused token) keeps backing off instead of being
   * hammered at the shortest delay. Default 10 s.
   */
  stableAfterMs?: number;
  /** sees every state change before the users do (the adapter logs from it); not a user: it keeps nothing open */
  onState?: (state: ConnectionState) => void;
  /** failed disconnects and users that throw; silent once close() has settled */
  warn?: (text: string) => void;
}

export const CONNECTION_DEFAULTS = Object.freeze({ connectTimeoutMs: 10_000, disconnectTimeoutMs: 5_000, stableAfterMs: 10_000 });
