// Port checks and listening that turn EADDRINUSE into one clear sentence instead of a stack trace.
import { createServer, type Server } from 'node:net';
import { portInUseMessage, type PortClaim } from './start-config';

export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  override readonly name = 'PortInUseError';
  constructor(readonly claim: PortClaim) {
    super(portInUseMessage(claim));
  }
}

function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** Resolves when `server` listens on host:port; a taken port rejects with PortInUseError. */
export function listen(server: Pick<Server, 'listen' | 'once' | 'off'>, host: string, claim: PortClaim): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(isAddressInUse(err) ? new PortInUseError(claim) : err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(claim.port, host);
  });
}

export function closeServer(server: Pick<Server, 'close'>): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

/** The ports npm start was given, held open until the part that owns each listens on it. */
export interface PortReservation {
  /** Frees the port of `flag` for its owner to listen on; the port stays free once released. */
  release(flag: string): Promise<void>;
  releaseAll(): Promise<void>;
}

/**
 * Binds every claimed port at once, so a second start fails before it has started anything, and keeps them bound:
 * the simulator's miners and Lightning nodes listen on ports the OS picks, and one of those could otherwise land
 * on a port given for the editor or the broker before that part has started.
 */
export async function reservePorts(host: string, claims: readonly PortClaim[]): Promise<PortReservation> {
  const held = new Map<string, Server>();
  const releaseAll = async (): Promise<void> => {
    const servers = [...held.values()];
    held.clear();
    await Promise.all(servers.map(closeServer));
  };
  try {
    for (const claim of claims) {
      // A client that knocks early (an editor tab left open) is hung up on, so that closing is never held up.
      const probe = createServer((socket) => socket.destroy());
      await listen(probe, host, claim);
      held.set(claim.flag, probe);
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }
  return {
    async release(flag) {
      const server = held.get(flag);
      held.delete(flag);
      if (server) await closeServer(server);
    },
    releaseAll,
  };
}
