import { status } from '@grpc/grpc-js';

/**
 * An error a simulated LND answers with. LND returns most errors as plain Go errors, which grpc-go sends with
 * code UNKNOWN and the error text as details; the few it wraps in a gRPC status (NotFound, AlreadyExists, ...)
 * are made with the named helpers below, so that a client sees exactly what a real node would send.
 */
export class LndError extends Error {
  readonly code: string;

  constructor(
    readonly grpcCode: status,
    message: string,
  ) {
    super(message);
    this.name = 'LndError';
    this.code = status[grpcCode] ?? 'UNKNOWN';
  }
}

/** A plain Go error returned by an LND handler (code UNKNOWN). */
export const lndError = (message: string) => new LndError(status.UNKNOWN, message);
export const notFound = (message: string) => new LndError(status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new LndError(status.ALREADY_EXISTS, message);
