// End to end: `npm start` as a newcomer runs it, on free ports, with a small flow that shows what the
// flows see through `${...}`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts } from '../support/ports';

const packageRoot = resolve(__dirname, '..', '..', '..');
const startScript = join(packageRoot, 'dist', 'scripts', 'start.js');

interface Started {
  child: ChildProcess;
  output: () => string;
}

// The developer's own FLAREGRID_* settings (an external broker, no simulator) must not change what is tested.
const inheritedEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FLAREGRID_')));

function start(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, [startScript, ...args], {
    cwd: packageRoot,
    env: { ...inheritedEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    const timer = setInterval(() => {
      const match = started.output().match(pattern);
      if (match) {
        clearInterval(timer);
        done(match);
      } else if (Date.now() > deadline || started.child.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`no ${pattern} in:\n${started.output()}`));
      }
    }, 50);
    const deadline = Date.now() + timeoutMs;
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`process ${child.pid} still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

/** An MQTT 3.1.1 CONNECT answered by a CONNACK with return code 0 shows the broker accepts clients. */
function mqttConnack(port: number): Promise<Buffer> {
  const connectPacket = Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 10, 0, 0]);
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(connectPacket));
    socket.once('data', (data) => {
      socket.destroy();
      done(data);
    });
    socket.once('error', fail);
  });
}

const probeFlow = [
  { id: 'fgstart.tab', type: 'tab', label: 'start test' },
  { id: 'fgstart.in', type: 'http in', z: 'fgstart.tab', url: '/flaregrid-env', method: 'get', wires: [['fgstart.set']] },
  {
    id: 'fgstart.set',
    type: 'change',
    z: 'fgstart.tab',
    rules: [
      { t: 'set', p: 'payload', pt: 'msg', to: '{}', tot: 'json' },
      { t: 'set', p: 'payload.modbusPort', pt: 'msg', to: '${FLAREGRID_MODBUS_PORT}', tot: 'str' },
      { t: 'set', p: 'payload.mqttUrl', pt: 'msg', to: '${FLAREGRID_MQTT_URL}', tot: 'str' },
      { t: 'set', p: 'payload.truthUrl', pt: 'msg', to: '${FLAREGRID_SIM_TRUTH_URL}', tot: 'str' },
    ],
    wires: [['fgstart.out']],
  },
  { id: 'fgstart.out', type: 'http response', z: 'fgstart.tab', wires: [] },
  { id: 'fgstart.ui', type: 'ui-base', name: 'FlareGrid', path: '/dashboard' },
];

describe('npm start', function () {
  this.timeout(90_000);
  let workDir: string;
  let first: Started | undefined;

  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'flaregrid-start-'));
    writeFileSync(join(workDir, 'probe.json'), JSON.stringify(probeFlow));
  });

  after(async () => {
    if (first && first.child.exitCode === null) {
      first.child.kill('SIGKILL');
      await exited(first.child, 5_000);
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it('brings up broker, simulator and Node-RED, refuses a second start, and stops on Ctrl-C', async () => {
    const [editorPort, mqttPort, modbusPort, truthPort] = await freePorts(4);
    const args = ['--port', `${editorPort}`, '--mqtt-port', `${mqttPort}`, '--modbus-port', `${modbusPort}`, '--truth-port', `${truthPort}`];
    const env = { FLAREGRID_USER_DIR: join(workDir, 'user'), FLAREGRID_FLOWS_DIR: workDir };
    const spawnedAt = Date.now();
    first = start(args, env);
    const editor = `http://127.0.0.1:${editorPort}`;
    // An editor tab left open from the last run asks for the page again and again while Node-RED starts.
    const statuses = new Set<number>();
    const knocking = setInterval(() => {
      fetch(`${editor}/`).then((r) => statuses.add(r.status), () => undefined);
    }, 50);
    const [readyLine] = await waitFor(first, /^.*\bready\b.*$/m, 60_000).finally(() => clearInterval(knocking));
    const readyMs = Date.now() - spawnedAt;
    assert.deepEqual([...statuses].filter((s) => s !== 200), [], 'the editor is not served before the runtime has started');
    assert.match(readyLine, new RegExp(`editor ${editor}/`));
    assert.match(readyLine, new RegExp(`dashboard ${editor}/dashboard`));
    const vmRssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${first.child.pid}/status`, 'utf8'))?.[1]);
    console.log(`      npm start: ready ${readyMs} ms after spawn, RSS ${(vmRssKb / 1024).toFixed(0)} MiB after ready`);

    assert.equal((await fetch(`${editor}/`)).status, 200);
    const flowsResponse = await fetch(`${editor}/flows`);
    assert.equal(flowsResponse.status, 200);
    const deployed = (await flowsResponse.json()) as { id: string }[];
    assert.deepEqual(deployed.map((n) => n.id).sort(), probeFlow.map((n) => n.id).sort());
    assert.equal((await fetch(`${editor}/dashboard/`)).status, 200);

    const seen = (await (await fetch(`${editor}/flaregrid-env`)).json()) as Record<string, string>;
    assert.equal(seen.modbusPort, `${modbusPort}`);
    assert.equal(seen.mqttUrl, `mqtt://127.0.0.1:${mqttPort}`);
    assert.match(seen.truthUrl, new RegExp(`^http://127\\.0\\.0\\.1:${truthPort}`));
    assert.equal((await fetch(seen.truthUrl)).status, 200);
    assert.deepEqual([...(await mqttConnack(mqttPort))], [0x20, 2, 0, 0]);

    const second = start(args, env);
    assert.equal(await exited(second.child, 20_000), 1);
    assert.match(
      second.output(),
      new RegExp(`port ${editorPort} is in use \\(is FlareGrid already running\\?\\); choose another with --port or FLAREGRID_PORT`),
    );
    assert.doesNotMatch(second.output(), /^\s+at /m, 'no stack trace');
    assert.equal((await fetch(`${editor}/`)).status, 200, 'the first instance is unharmed');

    first.child.kill('SIGINT');
    assert.equal(await exited(first.child, 10_000), 0);
    // A clean start and stop on a fresh user dir: nothing for a newcomer to worry about.
    assert.doesNotMatch(first.output(), /\[(error|warn)\]/, first.output());
    await assert.rejects(fetch(`${editor}/`), 'the editor port is closed');
    await assert.rejects(mqttConnack(mqttPort), 'the broker port is closed');
  });

  it("keeps the user's deployed flows across a restart, and deploys the shipped ones again with --reset", async () => {
    const [editorPort, mqttPort, modbusPort, truthPort] = await freePorts(4);
    const args = ['--port', `${editorPort}`, '--mqtt-port', `${mqttPort}`, '--modbus-port', `${modbusPort}`, '--truth-port', `${truthPort}`];
    const userDir = join(workDir, 'user-restart');
    const env = { FLAREGRID_USER_DIR: userDir, FLAREGRID_FLOWS_DIR: workDir };
    const editor = `http://127.0.0.1:${editorPort}`;
    const run = async (extra: string[]): Promise<{ ids: string[]; output: string }> => {
      const started = start([...args, ...extra], env);
      try {
        await waitFor(started, /\bready\b/, 60_000);
        const ids = ((await (await fetch(`${editor}/flows`)).json()) as { id: string }[]).map((n) => n.id).sort();
        if (extra.length === 0 && ids.includes('fgstart.in')) {
          // The user deploys their own work: one tab with a comment, in place of the shipped flows.
          const mine = [{ id: 'mine.tab', type: 'tab', label: 'my work' }, { id: 'mine.note', type: 'comment', z: 'mine.tab', name: 'keep me', x: 100, y: 100, wires: [] }];
          const deploy = await fetch(`${editor}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' }, body: JSON.stringify(mine) });
          assert.ok(deploy.ok, `deploy answered ${deploy.status}`);
        }
        started.child.kill('SIGINT');
        assert.equal(await exited(started.child, 10_000), 0);
        return { ids, output: started.output() };
      } finally {
        if (started.child.exitCode === null) started.child.kill('SIGKILL');
      }
    };
    const shipped = probeFlow.map((n) => n.id).sort();
    const firstRun = await run([]);
    assert.deepEqual(firstRun.ids, shipped, 'the first start deploys the shipped flows');
    assert.match(firstRun.output, /deployed the reference flows/);
    const secondRun = await run([]);
    assert.deepEqual(secondRun.ids, ['mine.note', 'mine.tab'], "a restart runs the user's flows");
    assert.match(secondRun.output, /running your deployed flows/);
    const reset = await run(['--reset']);
    assert.deepEqual(reset.ids, shipped, '--reset deploys the shipped flows again');
    const backup = /backed up in (\S+flows\.backup-[^,\s]+\.json)/.exec(reset.output)?.[1];
    assert.ok(backup, reset.output);
    assert.deepEqual((JSON.parse(readFileSync(backup, 'utf8')) as { id: string }[]).map((n) => n.id).sort(), ['mine.note', 'mine.tab']);
  });
});
