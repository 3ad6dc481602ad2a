// The parent side of test/support/red-child.ts: starts embedded Node-RED in a child process, kills it without
// warning (SIGKILL), or stops it, and keeps what it wrote to stderr for the failure message.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowNode } from '../../scripts/start-flows';

export interface RedProcessSpec {
  userDir: string;
  port: number;
  flows: FlowNode[];
  clockMs?: number;
}

export class RedProcess {
  private child: ChildProcess | undefined;
  stderr = '';

  constructor(private readonly spec: RedProcessSpec) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const specFile = join(this.spec.userDir, `red-child-${this.spec.port}.json`);
    writeFileSync(specFile, JSON.stringify(this.spec));
    const child = fork(join(__dirname, 'red-child.js'), [specFile], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start within ${timeoutMs} ms: ${this.stderr}`)), timeoutMs);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Node-RED exited (${code ?? signal}) before it started: ${this.stderr}`));
      });
    });
  }

  /** SIGKILL: no close handler runs, nothing is flushed. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: Node-RED stops its flows, running their close handlers, and exits. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
