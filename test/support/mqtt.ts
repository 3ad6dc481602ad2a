// A real MQTT broker for tests (Aedes in this process, on a free loopback port) and participants as mqtt.js
// clients that collect what they receive.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

export interface TestBroker {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startTestBroker(port = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `mqtt://127.0.0.1:${bound}`,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  payload: any;
  retain: boolean;
}

/** An mqtt.js client that keeps every message it receives, JSON-decoded. */
export class TestClient {
  readonly received: Received[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      this.received.push({ topic, payload: value, retain: packet.retain });
    });
  }

  static async connect(url: string, clientId: string): Promise<TestClient> {
    const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 200 });
    return new TestClient(client);
  }

  async subscribe(...topics: string[]): Promise<void> {
    await this.client.subscribeAsync(topics, { qos: 1 });
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.client.publishAsync(topic, typeof message === 'string' ? message : JSON.stringify(message), { qos: 1 });
  }

  on(topic: string): Received[] {
    return this.received.filter((r) => r.topic === topic);
  }

  /** Resolves once `condition` holds, checking as messages arrive. */
  async until(condition: (received: Received[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${this.received.length} messages: ${this.received.slice(-3).map((r) => r.topic).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}
