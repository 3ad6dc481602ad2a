// Node-RED in a child process for the tests that need a whole runtime (the editor, an installed package): its
// settings, registry and log stay out of the mocha process, where node-red-node-test-helper runs the node
// tests. Its output is kept for failure messages rather than printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { QUIET_EDITOR_THEME } from '../../scripts/start-config';
import { ensureCredentialFile } from '../../scripts/start-credentials';
import { writeFlowFile, type FlowNode } from '../../scripts/start-flows';
import { freePort } from './ports';
import { READY_LINE } from './red-child';

const CHILD = join(__dirname, 'red-child.js');
const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
const CREDENTIAL_SECRET = 'flaregrid-test-red';

/** Settings of a Node-RED with this package (as npm start loads it) in `userDir`, which starts with `flows`. */
export function packageRedSettings(userDir: string, flows: readonly FlowNode[]): Record<string, unknown> {
  writeFlowFile(userDir, 'flows.json', flows);
  ensureCredentialFile(userDir, 'flows.json', CREDENTIAL_SECRET);
  return {
    httpAdminRoot: '/', httpNodeRoot: '/api', userDir, flowFile: 'flows.json', credentialSecret: CREDENTIAL_SECRET,
    nodesDir: [PACKAGE_ROOT], telemetry: { enabled: false, updateNotification: false }, editorTheme: QUIET_EDITOR_THEME,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
}

export interface RedProcess {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  /** everything the runtime printed so far */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: a crash; no close handler runs */
  kill(): Promise<void>;
}

export interface RedProcessOptions {
  /** environment beyond the mocha process's own, e.g. what `${...}` in a flow reads */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** the flaregrid clock stands still at this time (ms since the epoch); its timers run on the wall clock */
  stillClockMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

export async function startRedProcess(settings: Record<string, unknown>, options: RedProcessOptions = {}): Promise<RedProcess> {
  const port = await freePort();
  const clockArg = options.stillClockMs === undefined ? [] : [String(options.stillClockMs)];
  const child = spawn(process.execPath, [CHILD, JSON.stringify(settings), String(port), ...clockArg], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited(child);
  };
  const stop = (): Promise<void> => signal('SIGTERM');
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string): void => {
      clearInterval(poll);
      reject(new Error(`Node-RED ${why}:\n${text}`));
    };
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      if (text.includes(READY_LINE)) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) fail(`exited with ${child.exitCode} before it was ready`);
      else if (Date.now() > deadline) fail(`was not ready within ${timeoutMs} ms`);
    }, 50);
  }).catch(async (err: Error) => {
    await stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${port}/`, port, output: () => text, stop, kill: () => signal('SIGKILL') };
}
