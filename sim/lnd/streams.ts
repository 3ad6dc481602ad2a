// A server stream as the RPC handlers use it, and every stream a node has open, so that a test can make them
// go silent (a half-open link: nothing arrives, nothing errors) or drop them (UNAVAILABLE), as the faults of
// real links do.
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { LndError } from './errors';

export class StreamSink {
  silent = false;
  private closed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly call: ServerWritableStream<unknown, unknown>,
    private readonly registry: StreamRegistry,
  ) {
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
  }

  send(message: unknown): void {
    if (!this.closed && !this.silent) this.call.write(message);
  }

  /** Ends the stream with status OK (after the handler's last message). */
  end(): void {
    if (this.closed) return;
    this.close();
    if (!this.silent) this.call.end();
  }

  /** Ends the stream with an error status. */
  fail(err: LndError | { grpcCode: status; message: string }): void {
    if (this.closed) return;
    this.close();
    this.call.emit('error', { code: err.grpcCode, details: err.message });
  }

  /** Runs `cleanup` once, when the stream ends for any reason (the client cancels, the handler ends it). */
  onClose(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.cleanups.push(cleanup);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.registry.forget(this);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

export class StreamRegistry {
  private readonly open = new Set<StreamSink>();
  stalled = false;

  add(call: ServerWritableStream<unknown, unknown>): StreamSink {
    const sink = new StreamSink(call, this);
    sink.silent = this.stalled;
    this.open.add(sink);
    return sink;
  }

  forget(sink: StreamSink): void {
    this.open.delete(sink);
  }

  /** Every open stream goes silent now; streams opened while `stalled` is set start silent. */
  stall(on: boolean): void {
    this.stalled = on;
    if (on) for (const sink of this.open) sink.silent = true;
  }

  /** Ends every open stream with UNAVAILABLE, as a dropped connection does. */
  dropAll(details = 'Connection dropped'): void {
    for (const sink of [...this.open]) sink.fail({ grpcCode: status.UNAVAILABLE, message: details });
  }

  get size(): number {
    return this.open.size;
  }
}
