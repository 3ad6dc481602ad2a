// Free loopback ports for tests that start a server whose port must be known before it starts (a child process,
// a server that cannot listen on port 0). All are held open together so that they are distinct.

import { createServer, type AddressInfo, type Server } from 'node:net';

export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}
