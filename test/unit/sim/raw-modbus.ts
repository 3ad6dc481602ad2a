// A raw-socket Modbus TCP client for the simulator's tests: it sends any bytes (valid or not) and parses the
// answers by hand from the MBAP layout (Modbus Messaging on TCP/IP Implementation Guide V1.0b §3.1.3), so the
// tests depend neither on a client library's leniency nor on sim/modbus/.
import { connect, type Socket } from 'node:net';

export interface Frame {
  transactionId: number;
  protocolId: number;
  length: number;
  unitId: number;
  pdu: Buffer;
}

/** One request ADU: MBAP header + PDU. */
export function adu(transactionId: number, unitId: number, pdu: readonly number[], protocolId = 0): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt16BE(transactionId, 0);
  header.writeUInt16BE(protocolId, 2);
  header.writeUInt16BE(pdu.length + 1, 4);
  header[6] = unitId;
  return Buffer.concat([header, Buffer.from(pdu)]);
}

/** The PDU of an FC 03/04 read. */
export function readPdu(functionCode: number, address: number, quantity: number): number[] {
  return [functionCode, address >> 8, address & 0xff, quantity >> 8, quantity & 0xff];
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RawModbus {
  private received = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  /** Every byte the server sent, in order. */
  bytesReceived = 0;
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.received = Buffer.concat([this.received, chunk]);
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawModbus> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawModbus(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer | readonly number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  /** The next complete frame; rejects if none is complete within `timeoutMs` or the connection closes. */
  async frame(timeoutMs = 1000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.take();
      if (frame) return frame;
      if (this.isClosed) throw new Error('the server closed the connection');
      if (!(await this.waitForData(deadline - Date.now()))) throw new Error(`no answer within ${timeoutMs} ms`);
    }
  }

  async frames(count: number, timeoutMs = 2000): Promise<Frame[]> {
    const out: Frame[] = [];
    while (out.length < count) out.push(await this.frame(timeoutMs));
    return out;
  }

  /** Resolves once `ms` pass with no byte from the server. */
  async silentFor(ms: number): Promise<void> {
    const before = this.bytesReceived;
    await delay(ms);
    if (this.bytesReceived !== before || this.received.length > 0) {
      throw new Error(`the server sent ${this.bytesReceived - before + this.received.length} unexpected bytes`);
    }
  }

  /** true if the server closes the connection within `ms`. */
  closesWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), delay(ms).then(() => false)]);
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private take(): Frame | undefined {
    if (this.received.length < 7) return undefined;
    const length = this.received.readUInt16BE(4);
    if (this.received.length < 6 + length) return undefined;
    const frame: Frame = {
      transactionId: this.received.readUInt16BE(0),
      protocolId: this.received.readUInt16BE(2),
      length,
      unitId: this.received[6]!,
      pdu: Buffer.from(this.received.subarray(7, 6 + length)),
    };
    this.received = this.received.subarray(6 + length);
    return frame;
  }

  private waitForData(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
}
