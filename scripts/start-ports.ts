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

/** Binds and releases every port first, so a second start fails before it has started anything. */
export async function assertPortsFree(host: string, claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    const probe = createServer();
    await listen(probe, host, claim);
    await closeServer(probe);
  }
}
