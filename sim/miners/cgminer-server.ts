// The CGMiner-style API socket (TCP 4028 on a real miner): one request per connection, the JSON reply followed by
// a NUL byte (api.c send_result sends strlen+1 bytes), then the server closes. cgminer takes the request from a
// single recv(); this server is kinder to a client whose request arrives in pieces: a request that starts with
// '{' is complete when it parses as JSON, when the client half-closes, or after REQUEST_IDLE_MS without more
// bytes (then it is answered as cgminer would, "Invalid JSON"); a plain-text "cmd|param" request is complete
// with its first segment. Wire faults (sim/miners/faults.ts) change what the reply looks like.
import { createServer, type Server, type Socket } from 'node:net';
import { listenFace, stopFace } from '../listen';
import { GARBAGE_BYTES, replyPlan, type MinerFault } from './faults';

const MAX_REQUEST_BYTES = 64 * 1024;
/** wall ms a partial JSON request may wait for its next piece */
const REQUEST_IDLE_MS = 250;

export class CgminerServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly answer: (request: string) => string,
    private readonly faults: () => ReadonlySet<MinerFault>,
    private readonly face = 'miner API',
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(port: number): Promise<void> {
    if (this.server?.listening) return;
    // Half-open allowed: a client that shuts its side after the request still gets the whole reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.boundPort = await listenFace(server, this.face, this.host, port);
    this.server = server;
  }

  /** Stops listening and drops every open connection (a stalled one included). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await stopFace(server, this.sockets);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let received = Buffer.alloc(0);
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      this.reply(socket, received.toString('utf8'));
    };
    socket.on('close', () => clearTimeout(idle));
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      received = Buffer.concat([received, chunk]);
      clearTimeout(idle);
      if (received.length > MAX_REQUEST_BYTES || isComplete(received)) finish();
      else idle = setTimeout(finish, REQUEST_IDLE_MS);
    });
    socket.on('end', finish);
  }

  private reply(socket: Socket, request: string): void {
    const plan = replyPlan(this.faults());
    if (plan === 'stall') return;
    if (plan === 'drop') {
      socket.destroy();
      return;
    }
    if (plan === 'garbage') {
      socket.end(GARBAGE_BYTES);
      return;
    }
    const bytes = Buffer.from(`${this.answer(request)}\0`, 'utf8');
    if (plan === 'truncate') {
      socket.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    if (plan === 'split') {
      writeInPieces(socket, bytes, 3);
      return;
    }
    socket.end(bytes);
  }
}

function isComplete(received: Buffer): boolean {
  const text = received.toString('utf8').replace(/\0+$/, '').trim();
  if (!text.startsWith('{')) return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Each piece on its own turn of the event loop, so that the client sees separate segments on loopback. */
function writeInPieces(socket: Socket, bytes: Buffer, pieces: number): void {
  const size = Math.ceil(bytes.length / pieces);
  const next = (offset: number) => {
    if (socket.destroyed) return;
    const end = Math.min(bytes.length, offset + size);
    if (end >= bytes.length) {
      socket.end(bytes.subarray(offset));
      return;
    }
    socket.write(bytes.subarray(offset, end), () => setTimeout(() => next(end), 5));
  };
  next(0);
}
