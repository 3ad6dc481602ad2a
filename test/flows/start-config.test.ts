import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEVELOPMENT_CREDENTIAL_SECRET,
  StartConfigError,
  flowEnv,
  parseStartConfig,
  portClaims,
  portInUseMessage,
  redSettings,
} from '../../scripts/start-config';
import { FlowFileError, dashboardPath, mergeFlowFiles, readFlowDir, writeFlowFile } from '../../scripts/start-flows';

function rejects(argv: string[], env: Record<string, string>, pattern: RegExp): void {
  assert.throws(() => parseStartConfig(argv, env), (err: unknown) => err instanceof StartConfigError && pattern.test(err.message));
}

describe('npm start configuration', () => {
  it('defaults to everything on 127.0.0.1 with the embedded broker and the simulator', () => {
    const config = parseStartConfig([], {});
    assert.deepEqual(config, {
      help: false,
      host: '127.0.0.1',
      userDir: undefined,
      flowsDir: undefined,
      reset: false,
      editorPort: 1880,
      mqtt: { kind: 'embedded', port: 1883 },
      plant: { kind: 'simulated', modbusPort: 5020, truthPort: 5021, seed: 1, speedup: 1, walletOutages: [] },
      credentialSecret: DEVELOPMENT_CREDENTIAL_SECRET,
      usesDevelopmentSecret: true,
    });
  });

  it('reads environment variables, and flags win over them', () => {
    const env = { FLAREGRID_PORT: '1990', FLAREGRID_MQTT_PORT: '1991', FLAREGRID_SIM_MODBUS_PORT: '1992', FLAREGRID_SIM_SPEEDUP: '60' };
    const fromEnv = parseStartConfig([], env);
    assert.equal(fromEnv.editorPort, 1990);
    assert.deepEqual(fromEnv.mqtt, { kind: 'embedded', port: 1991 });
    assert.deepEqual(fromEnv.plant, { kind: 'simulated', modbusPort: 1992, truthPort: 5021, seed: 1, speedup: 60, walletOutages: [] });
    const flagged = parseStartConfig(['--port', '2990', '--modbus-port=2992', '--seed', '7', '--host', '::1'], env);
    assert.equal(flagged.editorPort, 2990);
    assert.equal(flagged.host, '::1');
    assert.deepEqual(flagged.plant, { kind: 'simulated', modbusPort: 2992, truthPort: 5021, seed: 7, speedup: 60, walletOutages: [] });
  });

  it('reads wallet outages of simulated participants, in plant minutes after the start, and refuses a bad one', () => {
    const config = parseStartConfig(['--wallet-outage', 'prosumer-2@20-26,prosumer-4@1.5-3'], {});
    assert.deepEqual(config.plant.kind === 'simulated' && config.plant.walletOutages, [
      { participant: 'prosumer-2', fromMs: 1_200_000, toMs: 1_560_000 },
      { participant: 'prosumer-4', fromMs: 90_000, toMs: 180_000 },
    ]);
    assert.throws(() => parseStartConfig([], { FLAREGRID_SIM_WALLET_OUTAGE: 'prosumer-2@26-20' }), /FLAREGRID_SIM_WALLET_OUTAGE must be <participant>@<from minute>-<to minute>/);
  });

  it('uses an external broker instead of the embedded one when FLAREGRID_MQTT_URL is set', () => {
    const config = parseStartConfig([], { FLAREGRID_MQTT_URL: 'mqtts://broker.example:8884' });
    assert.deepEqual(config.mqtt, { kind: 'external', url: 'mqtts://broker.example:8884' });
    assert.deepEqual(portClaims(config).map((c) => c.flag), ['--port', '--modbus-port', '--truth-port']);
  });

  it('points at real meters when the simulator is off', () => {
    const off = parseStartConfig([], { FLAREGRID_SIM: 'off', FLAREGRID_MODBUS_HOST: '10.0.0.5' });
    assert.deepEqual(off.plant, { kind: 'hardware', modbusHost: '10.0.0.5', modbusPort: 502 });
    const flag = parseStartConfig(['--no-sim'], { FLAREGRID_MODBUS_HOST: 'gw', FLAREGRID_MODBUS_PORT: '1502' });
    assert.deepEqual(flag.plant, { kind: 'hardware', modbusHost: 'gw', modbusPort: 1502 });
    assert.deepEqual(portClaims(flag).map((c) => c.flag), ['--port', '--mqtt-port']);
    rejects(['--no-sim'], {}, /FLAREGRID_MODBUS_HOST/);
  });

  it('answers --help even when another setting is wrong', () => {
    assert.equal(parseStartConfig(['--help'], { FLAREGRID_PORT: 'nope' }).help, true);
    assert.equal(parseStartConfig(['-h'], {}).help, true);
  });

  it('takes the credential secret from FLAREGRID_CREDENTIAL_SECRET', () => {
    const config = parseStartConfig([], { FLAREGRID_CREDENTIAL_SECRET: 's3cret' });
    assert.equal(config.credentialSecret, 's3cret');
    assert.equal(config.usesDevelopmentSecret, false);
  });

  it('rejects bad values with a sentence naming the flag or variable', () => {
    rejects(['--port', '70000'], {}, /^--port must be a port number from 1 to 65535, not "70000"$/);
    rejects([], { FLAREGRID_MQTT_PORT: 'abc' }, /^FLAREGRID_MQTT_PORT must be a port number/);
    rejects(['--port', '0'], {}, /--port must be a port number/);
    rejects(['--speedup=-2'], {}, /^--speedup must be a number greater than 0/);
    rejects(['--seed', '1.5'], {}, /^--seed must be a whole number/);
    rejects([], { FLAREGRID_SIM: 'maybe' }, /^FLAREGRID_SIM must be "on" or "off"/);
    rejects([], { FLAREGRID_MQTT_URL: 'broker:1883x' }, /FLAREGRID_MQTT_URL must/);
    rejects(['--mqtt-url', 'http://x'], {}, /--mqtt-url must use mqtt:\/\//);
    rejects(['--bogus'], {}, /Unknown option '--bogus'/);
    rejects(['--host', ' '], {}, /^--host must be an address/);
    rejects(['extra'], {}, /positional argument/);
    assert.throws(() => portClaims(parseStartConfig(['--port', '1883'], {})), /--port and --mqtt-port are both 1883/);
  });

  it('says which flag and variable move a port that is taken', () => {
    const [editor] = portClaims(parseStartConfig([], {}));
    assert.equal(
      portInUseMessage(editor),
      'port 1880 is in use (is FlareGrid already running?); choose another with --port or FLAREGRID_PORT',
    );
  });

  it('gives the flows the broker and plant addresses of this run', () => {
    const config = parseStartConfig(['--mqtt-port', '1999'], {});
    assert.deepEqual(flowEnv(config, { modbusPort: 6020, truthUrl: 'http://127.0.0.1:6021/' }), {
      FLAREGRID_MQTT_URL: 'mqtt://127.0.0.1:1999',
      FLAREGRID_MQTT_HOST: '127.0.0.1',
      FLAREGRID_MQTT_PORT: '1999',
      FLAREGRID_MODBUS_HOST: '127.0.0.1',
      FLAREGRID_MODBUS_PORT: '6020',
      FLAREGRID_SIM_TRUTH_URL: 'http://127.0.0.1:6021/',
    });
    const external = parseStartConfig([], { FLAREGRID_MQTT_URL: 'mqtts://[::1]', FLAREGRID_SIM: 'off', FLAREGRID_MODBUS_HOST: 'gw' });
    assert.deepEqual(flowEnv(external, undefined), {
      FLAREGRID_MQTT_URL: 'mqtts://[::1]',
      FLAREGRID_MQTT_HOST: '::1',
      FLAREGRID_MQTT_PORT: '8883',
      FLAREGRID_MODBUS_HOST: 'gw',
      FLAREGRID_MODBUS_PORT: '502',
    });
  });

  it('answers Node-RED first-run questions and loads this package from its root', () => {
    const settings = redSettings(parseStartConfig([], {}), { packageRoot: '/pkg', userDir: '/pkg/.flaregrid' });
    assert.deepEqual(settings.nodesDir, ['/pkg']);
    assert.equal(settings.userDir, '/pkg/.flaregrid');
    assert.equal(settings.flowFile, 'flows.json');
    assert.equal(settings.credentialSecret, DEVELOPMENT_CREDENTIAL_SECRET);
    assert.deepEqual(settings.telemetry, { enabled: false, updateNotification: false });
    assert.equal((settings.editorTheme as { tours: boolean }).tours, false);
    assert.equal((settings.logging as { console: { level: string } }).console.level, 'info');
  });
});

describe('npm start flow files', () => {
  const tab = { id: 't1', type: 'tab', label: 'Site' };
  const inject = { id: 'n1', type: 'inject', z: 't1' };

  it('concatenates flow files into one deployment', () => {
    const merged = mergeFlowFiles([
      { name: 'a.json', nodes: [tab, inject] },
      { name: 'b.json', nodes: [{ id: 'u1', type: 'ui-base', path: 'grid' }] },
    ]);
    assert.deepEqual(merged.map((n) => n.id), ['t1', 'n1', 'u1']);
    assert.equal(dashboardPath(merged), '/grid');
    assert.equal(dashboardPath([{ id: 'u', type: 'ui-base' }]), '/dashboard');
    assert.equal(dashboardPath([tab]), undefined);
  });

  it('refuses a node id used in two files and entries that are not nodes', () => {
    assert.throws(
      () => mergeFlowFiles([{ name: 'a.json', nodes: [tab] }, { name: 'b.json', nodes: [tab] }]),
      (err: unknown) => err instanceof FlowFileError && err.code === 'DUPLICATE_NODE_ID' && /t1 is in both a.json and b.json/.test(err.message),
    );
    assert.throws(() => mergeFlowFiles([{ name: 'c.json', nodes: { id: 'x' } }]), /c.json is not a flow export/);
    assert.throws(() => mergeFlowFiles([{ name: 'd.json', nodes: [{ type: 'inject' }] }]), /d.json holds an entry without/);
  });

  it('reads the JSON files of a folder in name order; deploys them on the first start only, or again with --reset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flaregrid-start-'));
    try {
      writeFileSync(join(dir, 'b.json'), JSON.stringify([inject]));
      writeFileSync(join(dir, 'a.json'), JSON.stringify([tab]));
      writeFileSync(join(dir, 'notes.txt'), 'not a flow');
      assert.deepEqual(readFlowDir(dir).map((f) => f.nodes), [[tab], [inject]]);
      assert.deepEqual(readFlowDir(join(dir, 'absent')), []);
      writeFileSync(join(dir, 'broken.json'), '[');
      assert.throws(() => readFlowDir(dir), /broken.json is not valid JSON/);

      // The first start deploys the shipped flows; later starts keep what the user deployed.
      const userDir = join(dir, 'user');
      assert.deepEqual(writeFlowFile(userDir, 'flows.json', [tab]), { action: 'deployed' });
      writeFileSync(join(userDir, 'flows.json'), JSON.stringify([tab, inject]));
      writeFileSync(join(userDir, 'flows_cred.json'), '{"$":"x"}');
      assert.deepEqual(writeFlowFile(userDir, 'flows.json', [tab]), { action: 'kept' });
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), [tab, inject]);
      // --reset deploys them again, after backing up the user's flows and their credentials.
      const outcome = writeFlowFile(userDir, 'flows.json', [tab], { reset: true, stamp: 'T1' });
      assert.deepEqual(outcome, { action: 'reset', backups: [join(userDir, 'flows.backup-T1.json'), join(userDir, 'flows_cred.backup-T1.json')] });
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.backup-T1.json'), 'utf8')), [tab, inject]);
      assert.equal(readFileSync(join(userDir, 'flows_cred.backup-T1.json'), 'utf8'), '{"$":"x"}');
      assert.deepEqual(JSON.parse(readFileSync(join(userDir, 'flows.json'), 'utf8')), [tab]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
