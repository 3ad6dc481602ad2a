// Everything a broker carries under a topic filter, as an outside observer of the microgrid sees it: each message
// JSON-decoded with its topic and arrival time.
import mqtt, { type MqttClient } from 'mqtt';

export interface Recorded {
  topic: string;
  payload: any;
  atMs: number;
}

export class MqttRecorder {
  readonly messages: Recorded[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(payload.toString());
      } catch {
        decoded = payload.toString();
      }
      this.messages.push({ topic, payload: decoded, atMs: Date.now() });
    });
  }

  static async start(url: string, filter = 'flaregrid/#'): Promise<MqttRecorder> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 500 });
    const recorder = new MqttRecorder(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return recorder;
  }

  on(pattern: RegExp): Recorded[] {
    return this.messages.filter((m) => pattern.test(m.topic));
  }

  latest(pattern: RegExp): Recorded | undefined {
    return this.on(pattern).at(-1);
  }

  /** Waits until `test` holds, checking every 200 ms; throws with `what` after `timeoutMs`. */
  async until(test: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`within ${timeoutMs} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  stop(): Promise<void> {
    return this.client.endAsync();
  }
}
