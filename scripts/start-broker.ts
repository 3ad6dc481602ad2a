// The embedded MQTT broker: Aedes in memory on a plain TCP listener.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import type { PortClaim } from './start-config';
import { closeServer, listen } from './start-ports';

export interface RunningBroker {
  stop(): Promise<void>;
}

export async function startBroker(host: string, claim: PortClaim): Promise<RunningBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  const closeBroker = (): Promise<void> => new Promise((resolve) => broker.close(() => resolve()));
  try {
    await listen(server, host, claim);
  } catch (err) {
    await closeBroker();
    throw err;
  }
  return {
    async stop() {
      // Closing the broker disconnects its clients, which lets the listener finish closing.
      await closeBroker();
      await closeServer(server);
    },
  };
}
