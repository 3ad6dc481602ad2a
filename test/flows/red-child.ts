// A Node-RED child process (red-child-main.ts) on the flows in a userDir, fed through POST /feed when its flows
// have that route; the payment tests kill it, restart it, and watch the simulator and the ledgers from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(__dirname, 'red-child-main.js');

export class RedChild {
  process!: ChildProcess;
  port = 0;
  exited!: Promise<NodeJS.Signals | null>;

  async start(userDir: string, env: Record<string, string> = {}): Promise<void> {
    this.process = spawn(process.execPath, [CHILD], { env: { ...process.env, FLAREGRID_USER_DIR: userDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.process.once('exit', (_code, signal) => resolve(signal)));
    let stderr = '';
    this.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      this.process.stdout!.on('data', (chunk) => {
        out += String(chunk);
        const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
      this.process.once('exit', () => reject(new Error(`the child exited before it was ready: ${stderr}`)));
    });
  }

  async feed(payload: unknown): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/feed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      return res.ok;
    } catch {
      return false; // killed meanwhile
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGTERM');
    await this.exited;
  }
}
