import type { NodeDone, NodeMessage, NodeSend, RuntimeNode } from './red';

/**
 * Wraps an async input handler so that a rejection reaches `done(err)`: the runtime only catches
 * synchronous throws, and a lost rejection would hide the error from Catch nodes.
 */
export function asyncInput(
  handler: (msg: NodeMessage, send: NodeSend) => Promise<void> | void,
): (msg: NodeMessage, send: NodeSend, done: NodeDone) => void {
  return (msg, send, done) => {
    let pending: Promise<void> | void;
    try {
      pending = handler(msg, send);
    } catch (err) {
      done(asError(err));
      return;
    }
    Promise.resolve(pending).then(() => done(), (err: unknown) => done(asError(err)));
  };
}

/**
 * A node whose settings cannot be built: a red status saying so, the reason in the log, and every message refused
 * with it through done(err), so that a Catch node sees it instead of the message vanishing.
 */
export function refuseUnconfigured(node: RuntimeNode, type: string, statusText: string, err: unknown, logPrefix?: string): void {
  const message = asError(err).message;
  node.status({ fill: 'red', shape: 'ring', text: statusText });
  node.error(logPrefix ? `${logPrefix}: ${message}` : message);
  node.on('input', (_msg: NodeMessage, _send: NodeSend, done: NodeDone) => done(new Error(`${type} is not configured: ${message}`)));
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Reads a positive finite number from an edit-dialog field, which Node-RED stores as a string. */
export function positiveNumber(value: unknown, fieldLabel: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${fieldLabel} must be a number above 0, got '${String(value)}'`);
  }
  return n;
}

export function nonNegativeNumber(value: unknown, fieldLabel: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${fieldLabel} must be a number of 0 or more, got '${String(value)}'`);
  }
  return n;
}
