// Listening and closing for the simulator's TCP and HTTP faces, so each reports a taken port the same way and a
// stop never waits on a client that keeps its connection open.
import type { Server } from 'node:net';
import { listenError } from './errors';

/** Listens on host:port (0: one the OS picks) and resolves with the bound port; a failure names the face. */
export function listenFace(server: Server, face: string, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, face, host, port)));
    server.listen(port, host, () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : port);
    });
  });
}

/** Drops every open connection (a stalled one included), then closes the listening socket. */
export async function stopFace(server: Server | undefined, sockets: Set<{ destroy(): void }>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  if (!server?.listening) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
