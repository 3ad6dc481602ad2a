// One Modbus TCP port that serves every device by unit id, as a serial gateway does in the field, on node:net.
//
// Each connection reassembles requests (sim/modbus/mbap.ts) and answers each one synchronously as it completes
// (sim/modbus/pdu.ts), so pipelined requests are answered in order without a timer or a queue. Framing faults
// close the connection; a unit id that is not on the bus gets no answer, as a missing RS-485 device gives none.
import { createServer, type Server, type Socket } from 'node:net';
import { listenFace } from '../listen';
import { mbapFrame, MbapReader } from './mbap';
import { respond, type ModbusUnit } from './pdu';

export class ModbusTcpServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** The port of the last start; 0 until the first. */
  port = 0;

  /** `units`: the devices by unit id (1 … 247); any other unit id is not answered. */
  constructor(
    private readonly units: ReadonlyMap<number, ModbusUnit>,
    private readonly host: string,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Open client connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Listens on `port` (0: the OS picks a free one); resolves to the port. Starting twice is a no-op. */
  async start(port: number): Promise<number> {
    if (this.server) return this.port;
    const server = createServer({ noDelay: true }, (socket) => this.serve(socket));
    const bound = await listenFace(server, 'Modbus', this.host, port);
    // After listening, a server error (none is expected on a bound socket) must not bring the plant down.
    server.on('error', () => undefined);
    this.server = server;
    this.port = bound;
    return this.port;
  }

  /** Closes the port and every client connection (clients see the device vanish). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = [new Promise<void>((resolve) => server.close(() => resolve()))];
    for (const socket of this.sockets) {
      // The server's close callback can run before its sockets' 'close' events: wait for those too.
      closed.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
      socket.destroy();
    }
    await Promise.all(closed);
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A client resetting its connection is routine for a server.
    socket.on('error', () => undefined);
    const reader = new MbapReader();
    const answer = (transactionId: number, unitId: number, pdu: Buffer): void => {
      const unit = this.units.get(unitId);
      if (unit) socket.write(mbapFrame(transactionId, unitId, respond(unit, pdu)));
    };
    socket.on('data', (chunk: Buffer) => {
      // One write syscall for all the answers to one chunk of pipelined requests.
      socket.cork();
      const fault = reader.feed(chunk, answer);
      socket.uncork();
      if (fault) {
        // The answers to the requests before the fault go out, then the connection closes, as a device's does.
        socket.pause();
        socket.end(() => socket.destroy());
      } else if (socket.writableNeedDrain) {
        // A client that sends without reading its answers is not read either, until it catches up.
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
  }
}
