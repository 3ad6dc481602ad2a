// The package as the Flow Library and `npm install` deliver it: packed from a copy of the source tree without
// dist/ (as a fresh clone is), installed from the tarball into a fresh Node-RED user directory, and found there
// by Node-RED's own scan of <userDir>/node_modules, with every node the package declares loaded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_EDITOR_THEME } from '../../scripts/start-config';
import { ensureCredentialFile } from '../../scripts/start-credentials';
import { startRedProcess, type RedProcess } from '../support/red-process';

const ROOT = join(__dirname, '..', '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  overrides?: Record<string, string>;
  'node-red': { nodes: Record<string, string> };
};
const DECLARED_SETS = Object.keys(PKG['node-red'].nodes).sort();
// What a fresh clone has: everything but installed modules, build output and local state.
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', '.flaregrid']);

interface PackResult {
  filename: string;
  files: { path: string }[];
}

interface NodeSet {
  name: string;
  module: string;
  version: string;
  types: string[];
  enabled: boolean;
  local: boolean;
  /** why the set did not load, when it did not */
  err?: unknown;
}

/** npm itself, the one that runs this test when there is one, with a clean environment of its own. */
function npm(args: string[], cwd: string): Promise<string> {
  const execpath = process.env.npm_execpath;
  const [command, argv] = execpath && /\.c?js$/.test(execpath) ? [process.execPath, [execpath, ...args]] : ['npm', args];
  // The lifecycle variables of the npm that runs the tests (npm_config_*, npm_package_*) describe this project.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`npm ${args.join(' ')} exited with ${code}:\n${stderr}`))));
  });
}

describe('the published package, installed into a fresh Node-RED user directory', function () {
  this.timeout(240_000);
  let workDir: string;
  let tarball: string;
  let packedFiles: Set<string>;
  let userDir: string;
  let red: RedProcess | undefined;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'flaregrid-package-'));
    const clone = join(workDir, 'clone');
    mkdirSync(clone);
    for (const name of readdirSync(ROOT).filter((n) => !NOT_IN_A_CLONE.has(n))) {
      cpSync(join(ROOT, name), join(clone, name), { recursive: true });
    }
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
    const [packed] = JSON.parse(await npm(['pack', '--json', '--pack-destination', workDir], clone)) as PackResult[];
    tarball = join(workDir, packed.filename);
    packedFiles = new Set(packed.files.map((f) => f.path));
  });
  after(async () => {
    await red?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('carries the compiled nodes, their editor files and the examples', () => {
    for (const file of Object.values(PKG['node-red'].nodes)) {
      assert.ok(packedFiles.has(file), `${file} in the tarball`);
      assert.ok(packedFiles.has(file.replace(/\.js$/, '.html')), `the editor file beside ${file}`);
    }
    assert.ok([...packedFiles].some((p) => p.startsWith('examples/flaregrid-meter/')), 'the examples');
    assert.ok(![...packedFiles].some((p) => /^dist\/(test|sim|scripts|bench)\//.test(p)), 'no tests, simulator or scripts');
  });

  it('installs with npm and Node-RED finds every node it declares, none in error', async () => {
    userDir = join(workDir, 'user');
    mkdirSync(userDir);
    // The same overrides as ours: one of ln-service's pinned transitive versions is missing from the
    // registry mirror this project is tested against (not needed against the public registry).
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'flaregrid-install-test', version: '0.0.0', private: true, overrides: PKG.overrides }));
    await npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], userDir);

    // No nodesDir: Node-RED scans <userDir>/node_modules, as in a user's own installation.
    ensureCredentialFile(userDir, 'flows.json', 'flaregrid-install-test');
    red = await startRedProcess({
      httpAdminRoot: '/', httpNodeRoot: '/api', userDir, flowFile: 'flows.json', credentialSecret: 'flaregrid-install-test',
      telemetry: { enabled: false, updateNotification: false }, editorTheme: QUIET_EDITOR_THEME,
      logging: { console: { level: 'warn', metrics: false, audit: false } },
    });
    const get = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${red!.url}${path}`, { headers: { Accept: 'application/json' } });
      assert.equal(response.status, 200, `GET /${path}`);
      return (await response.json()) as T;
    };

    const module = await get<{ version: string; user: boolean; path: string }>(`nodes/${PKG.name}`);
    assert.equal(module.version, PKG.version);
    assert.equal(module.user, true, 'a module the user installed, as Manage palette lists it');
    assert.equal(realpathSync(module.path), realpathSync(join(userDir, 'node_modules', PKG.name)));

    const sets = await get<NodeSet[]>('nodes');
    const ours = sets.filter((s) => s.module === PKG.name);
    assert.deepEqual(ours.map((s) => s.name).sort(), DECLARED_SETS);
    for (const set of ours) {
      assert.equal(set.err, undefined, `${set.name}: ${JSON.stringify(set.err)}\n${red.output()}`);
      assert.ok(set.enabled && set.local, `${set.name} enabled, from the user dir`);
      assert.ok(set.types.includes(set.name), `${set.name} registers its node type (${set.types.join(', ')})`);
    }
    // The meter needs node-red-contrib-modbus, which comes with the package.
    const modbus = sets.filter((s) => s.module === 'node-red-contrib-modbus');
    assert.ok(modbus.some((s) => s.types.includes('modbus-flex-getter')), 'node-red-contrib-modbus is there');
    assert.deepEqual(modbus.filter((s) => s.err !== undefined).map((s) => `${s.name}: ${JSON.stringify(s.err)}`), []);
  });
});
