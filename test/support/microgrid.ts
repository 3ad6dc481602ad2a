// The whole microgrid as `npm start` runs it (broker, simulator, Node-RED with the reference flows), in a child
// process on free ports and a fresh user directory, for the tests that look at it from outside: over MQTT, the
// simulator's truth, the admin API, the editor and the dashboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts } from './ports';

const PACKAGE_ROOT = resolve(__dirname, '..', '..', '..');
const START = join(PACKAGE_ROOT, 'dist', 'scripts', 'start.js');

/**
 * The reference flows with site settings changed in 00-site.json's global environment, as an integrator changes
 * them, in a fresh directory for FLAREGRID_FLOWS_DIR; the caller removes it.
 */
export function referenceFlowsWith(changes: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flaregrid-reference-flows-'));
  for (const name of readdirSync(join(PACKAGE_ROOT, 'flows')).filter((n) => n.endsWith('.json'))) {
    const nodes = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'flows', name), 'utf8')) as { type: string; env?: { name: string; value: string }[] }[];
    for (const entry of nodes.find((n) => n.type === 'global-config')?.env ?? []) if (entry.name in changes) entry.value = changes[entry.name]!;
    writeFileSync(join(dir, name), JSON.stringify(nodes));
  }
  return dir;
}

export interface Microgrid {
  editorUrl: string;
  dashboardUrl: string;
  mqttUrl: string;
  truthUrl: string;
  pid: number;
  /** ms from spawn to the ready line */
  readyMs: number;
  output(): string;
  /** what the simulator knows (GET /truth) */
  truth(): Promise<any>;
  stop(): Promise<void>;
}

export interface MicrogridOptions {
  speedup?: number;
  seed?: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

export async function startMicrogrid(options: MicrogridOptions = {}): Promise<Microgrid> {
  const [editorPort, mqttPort, modbusPort, truthPort] = await freePorts(4);
  const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-microgrid-'));
  // The developer's own FLAREGRID_* settings must not change what is tested.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FLAREGRID_')));
  const args = ['--port', `${editorPort}`, '--mqtt-port', `${mqttPort}`, '--modbus-port', `${modbusPort}`, '--truth-port', `${truthPort}`];
  if (options.speedup) args.push('--speedup', String(options.speedup));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [START, ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...inherited, FLAREGRID_USER_DIR: userDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited(child);
    clearTimeout(killer);
    rmSync(userDir, { recursive: true, force: true });
  };
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  try {
    await new Promise<void>((done, fail) => {
      const poll = setInterval(() => {
        if (/FlareGrid ready:/.test(text)) {
          clearInterval(poll);
          done();
        } else if (child.exitCode !== null || Date.now() - spawnedAt > timeoutMs) {
          clearInterval(poll);
          fail(new Error(`npm start was not ready within ${timeoutMs} ms:\n${text}`));
        }
      }, 50);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const editorUrl = `http://127.0.0.1:${editorPort}`;
  const truthUrl = `http://127.0.0.1:${truthPort}/truth`;
  return {
    editorUrl,
    dashboardUrl: `${editorUrl}/dashboard`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    truthUrl,
    pid: child.pid!,
    readyMs: Date.now() - spawnedAt,
    output: () => text,
    truth: async () => (await fetch(truthUrl)).json(),
    stop,
  };
}

/** Resident memory of a process and all its descendants, kB (Linux /proc). */
export function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while the list was read
    }
  }
  let total = 0;
  const visit = (p: number): void => {
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return;
    }
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return total;
}
