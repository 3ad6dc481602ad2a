// Interop: the market over Debian's Mosquitto, a broker FlareGrid shares no code with (test/support/market-mqtt.ts
// runs the same exchange against Aedes in test/nodes): signed orders in over the core mqtt nodes, Trades and
// per-participant Rejects out, the book retained.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tradeOverBroker } from '../support/market-mqtt';
import { freePort } from '../support/ports';
import { DEBIAN_MOSQUITTO } from './needs';

async function listening(port: number, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
      setTimeout(() => socket.destroy(), 200).unref();
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('interop: the market over Mosquitto', function () {
  this.timeout(30000);
  let dir: string;
  let mosquitto: ChildProcess;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-mosquitto-'));
    port = await freePort();
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`);
    let output = '';
    mosquitto = spawn(DEBIAN_MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    mosquitto.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await listening(port, 10_000, () => output);
  });
  after(async () => {
    if (mosquitto.exitCode === null) {
      const exited = new Promise((resolve) => mosquitto.once('exit', resolve));
      mosquitto.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('trades signed orders and publishes Trades, per-participant Rejects and the retained book', () =>
    tradeOverBroker({ url: `mqtt://127.0.0.1:${port}`, port }));
});
