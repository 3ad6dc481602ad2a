// Pure configuration of `npm start`: flags and environment in, a StartConfig out, and from it the ports to
// claim, the environment the shipped flows read through `${...}`, and the embedded Node-RED settings.
import { parseArgs } from 'node:util';
import type { Clock } from '../lib/clock';

export class StartConfigError extends Error {
  readonly code = 'BAD_START_CONFIG';
  override readonly name = 'StartConfigError';
}

// Credentials in .flaregrid/flows_cred.json are encrypted with this key unless FLAREGRID_CREDENTIAL_SECRET is
// set. It is public (it is in this file), so it only suits the simulated plant on a developer's machine.
export const DEVELOPMENT_CREDENTIAL_SECRET = 'flaregrid-development-only-not-secret';

export type MqttConfig = { kind: 'embedded'; port: number } | { kind: 'external'; url: string };
/** A simulated participant's Lightning node cannot pay (its wallet is empty) from `fromMs` to `toMs` after the start, plant time. */
export interface WalletOutage {
  participant: string;
  fromMs: number;
  toMs: number;
}

export type PlantConfig =
  | { kind: 'simulated'; modbusPort: number; truthPort: number; seed: number; speedup: number; walletOutages: WalletOutage[] }
  | { kind: 'hardware'; modbusHost: string; modbusPort: number };

export interface StartConfig {
  help: boolean;
  host: string;
  /** Node-RED's userDir; undefined means .flaregrid/ at the package root. */
  userDir: string | undefined;
  /** Folder of flow files to deploy; undefined means flows/ at the package root. */
  flowsDir: string | undefined;
  /** deploy the reference flows again, backing up the user's (otherwise only the first start deploys them) */
  reset: boolean;
  editorPort: number;
  mqtt: MqttConfig;
  plant: PlantConfig;
  credentialSecret: string;
  usesDevelopmentSecret: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const START_HELP = `Usage: npm start -- [options]

Starts the FlareGrid microgrid on one machine: an MQTT broker, the plant simulator and Node-RED with the
FlareGrid nodes and the reference flows deployed. Ctrl-C stops everything.

Options (flag / environment variable, default):
  --host <addr>          FLAREGRID_HOST              127.0.0.1   address every server binds
  --port <n>             FLAREGRID_PORT              1880        Node-RED editor, admin API and dashboard
  --mqtt-port <n>        FLAREGRID_MQTT_PORT         1883        embedded MQTT broker
  --mqtt-url <url>       FLAREGRID_MQTT_URL          (none)      use this broker instead of the embedded one
  --modbus-port <n>      FLAREGRID_SIM_MODBUS_PORT   5020        simulator Modbus TCP gateway
  --truth-port <n>       FLAREGRID_SIM_TRUTH_PORT    5021        simulator ground-truth HTTP API
  --seed <n>             FLAREGRID_SIM_SEED          1           simulator random seed
  --speedup <x>          FLAREGRID_SIM_SPEEDUP       1           simulated seconds per wall-clock second
  --wallet-outage <p@a-b> FLAREGRID_SIM_WALLET_OUTAGE (none)     participant p's Lightning node cannot pay from minute
                                                                 a to minute b after the start (plant time), so its
                                                                 seller's gate cuts it off until it pays; several
                                                                 separated by commas, e.g. prosumer-2@20-26
  --no-sim               FLAREGRID_SIM=off                       no simulator: flows talk to real meters at
                         FLAREGRID_MODBUS_HOST and FLAREGRID_MODBUS_PORT (default 502)
  --user-dir <dir>       FLAREGRID_USER_DIR          .flaregrid  Node-RED user directory (flows, credentials)
  --flows-dir <dir>      FLAREGRID_FLOWS_DIR         flows       flow files (JSON arrays) deployed at start
  --reset                                                        deploy the reference flows again, after backing up
                                                                 yours as flows.backup-<time>.json (without it, only
                                                                 the first start deploys them)
  --help                 this text
  FLAREGRID_CREDENTIAL_SECRET   key for node credentials in .flaregrid/flows_cred.json; without it a
                                public development key is used, fit for the simulator only

Flows see FLAREGRID_MQTT_URL, FLAREGRID_MQTT_HOST, FLAREGRID_MQTT_PORT, FLAREGRID_MODBUS_HOST,
FLAREGRID_MODBUS_PORT and FLAREGRID_SIM_TRUTH_URL as \${...} environment variables; with the simulator also
FLAREGRID_MINER_HOST, FLAREGRID_MINER_<n>_PORT, FLAREGRID_MINER_<n>_REST_PORT (miner n's addresses) and
FLAREGRID_MARKET_REGISTRY_FILE (the simulated participants' keys for the matcher). Everything else about the
site is in the global environment of flows/00-site.json.`;

function port(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535) {
    throw new StartConfigError(`${source} must be a port number from 1 to 65535, not "${value}"`);
  }
  return n;
}

function positiveNumber(value: string, source: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new StartConfigError(`${source} must be a number greater than 0, not "${value}"`);
  }
  return n;
}

function seed(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new StartConfigError(`${source} must be a whole number, not "${value}"`);
  }
  return n;
}

const OUTAGE = /^([A-Za-z0-9_.:-]{1,64})@(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/;

function walletOutages(value: string, source: string): WalletOutage[] {
  return value.split(',').map((part) => {
    const match = OUTAGE.exec(part.trim());
    const fromMin = Number(match?.[2]);
    const toMin = Number(match?.[3]);
    if (!match || !(toMin > fromMin)) {
      throw new StartConfigError(`${source} must be <participant>@<from minute>-<to minute> (to after from), e.g. prosumer-2@20-26, not "${part}"`);
    }
    return { participant: match[1], fromMs: fromMin * 60_000, toMs: toMin * 60_000 };
  });
}

function simEnabled(value: string | undefined): boolean {
  if (value === undefined || value === '') return true;
  const v = value.trim().toLowerCase();
  if (['on', '1', 'true', 'yes'].includes(v)) return true;
  if (['off', '0', 'false', 'no'].includes(v)) return false;
  throw new StartConfigError(`FLAREGRID_SIM must be "on" or "off", not "${value}"`);
}

function mqttUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StartConfigError(`${source} must be a URL such as mqtt://broker.example:1883, not "${value}"`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new StartConfigError(`${source} must use mqtt://, mqtts://, ws:// or wss://, not "${url.protocol}//"`);
  }
  return value;
}

/** Flags win over environment variables, which win over the defaults. */
export function parseStartConfig(argv: readonly string[], env: Env): StartConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      allowNegative: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        host: { type: 'string' },
        port: { type: 'string' },
        'mqtt-port': { type: 'string' },
        'mqtt-url': { type: 'string' },
        'modbus-port': { type: 'string' },
        'truth-port': { type: 'string' },
        seed: { type: 'string' },
        speedup: { type: 'string' },
        'wallet-outage': { type: 'string' },
        sim: { type: 'boolean' },
        'user-dir': { type: 'string' },
        'flows-dir': { type: 'string' },
        reset: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new StartConfigError((err as Error).message);
  }
  // Help answers even when some other setting is wrong.
  if (values.help === true) return { ...parseStartConfig([], {}), help: true };
  // A setting without a flag (flag null) comes from its environment variable only.
  const pick = (flag: string | null, envName: string): [string, string] | undefined => {
    const fromFlag = flag === null ? undefined : values[flag];
    if (typeof fromFlag === 'string') return [fromFlag, `--${flag}`];
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : [fromEnv, envName];
  };
  const read = <T>(flag: string | null, envName: string, fallback: T, parse: (v: string, source: string) => T): T => {
    const found = pick(flag, envName);
    return found ? parse(found[0], found[1]) : fallback;
  };

  const host = read('host', 'FLAREGRID_HOST', '127.0.0.1', (v, source) => {
    if (v.trim() === '') throw new StartConfigError(`${source} must be an address such as 127.0.0.1`);
    return v.trim();
  });
  const externalMqtt = pick('mqtt-url', 'FLAREGRID_MQTT_URL');
  const mqtt: MqttConfig = externalMqtt
    ? { kind: 'external', url: mqttUrl(externalMqtt[0], externalMqtt[1]) }
    : { kind: 'embedded', port: read('mqtt-port', 'FLAREGRID_MQTT_PORT', 1883, port) };

  const simulated = typeof values.sim === 'boolean' ? values.sim : simEnabled(env.FLAREGRID_SIM);
  let plant: PlantConfig;
  if (simulated) {
    plant = {
      kind: 'simulated',
      modbusPort: read('modbus-port', 'FLAREGRID_SIM_MODBUS_PORT', 5020, port),
      truthPort: read('truth-port', 'FLAREGRID_SIM_TRUTH_PORT', 5021, port),
      seed: read('seed', 'FLAREGRID_SIM_SEED', 1, seed),
      speedup: read('speedup', 'FLAREGRID_SIM_SPEEDUP', 1, positiveNumber),
      walletOutages: read('wallet-outage', 'FLAREGRID_SIM_WALLET_OUTAGE', [], walletOutages),
    };
  } else {
    const modbusHost = env.FLAREGRID_MODBUS_HOST?.trim();
    if (!modbusHost) {
      throw new StartConfigError('without the simulator, set FLAREGRID_MODBUS_HOST to the Modbus TCP gateway of the plant');
    }
    plant = { kind: 'hardware', modbusHost, modbusPort: read(null, 'FLAREGRID_MODBUS_PORT', 502, port) };
  }

  const secret = env.FLAREGRID_CREDENTIAL_SECRET;
  return {
    help: false,
    host,
    userDir: pick('user-dir', 'FLAREGRID_USER_DIR')?.[0],
    flowsDir: pick('flows-dir', 'FLAREGRID_FLOWS_DIR')?.[0],
    reset: values.reset === true,
    editorPort: read('port', 'FLAREGRID_PORT', 1880, port),
    mqtt,
    plant,
    credentialSecret: secret || DEVELOPMENT_CREDENTIAL_SECRET,
    usesDevelopmentSecret: !secret,
  };
}

export interface PortClaim {
  port: number;
  flag: string;
  envName: string;
}

/** Every port this process will listen on, so that all can be checked before anything starts. */
export function portClaims(config: StartConfig): PortClaim[] {
  const claims: PortClaim[] = [{ port: config.editorPort, flag: '--port', envName: 'FLAREGRID_PORT' }];
  if (config.mqtt.kind === 'embedded') {
    claims.push({ port: config.mqtt.port, flag: '--mqtt-port', envName: 'FLAREGRID_MQTT_PORT' });
  }
  if (config.plant.kind === 'simulated') {
    claims.push({ port: config.plant.modbusPort, flag: '--modbus-port', envName: 'FLAREGRID_SIM_MODBUS_PORT' });
    claims.push({ port: config.plant.truthPort, flag: '--truth-port', envName: 'FLAREGRID_SIM_TRUTH_PORT' });
  }
  const seen = new Map<number, PortClaim>();
  for (const claim of claims) {
    const other = seen.get(claim.port);
    if (other) {
      throw new StartConfigError(`${other.flag} and ${claim.flag} are both ${claim.port}; give each its own port`);
    }
    seen.set(claim.port, claim);
  }
  return claims;
}

export function portInUseMessage(claim: PortClaim): string {
  return `port ${claim.port} is in use (is FlareGrid already running?); choose another with ${claim.flag} or ${claim.envName}`;
}

/** IPv6 literals need brackets inside a URL. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Where the running plant is, as the shipped flows read it through `${...}`. */
export function flowEnv(config: StartConfig, simulator: { modbusPort: number; truthUrl: string } | undefined): Record<string, string> {
  const mqttUrlValue = config.mqtt.kind === 'external' ? config.mqtt.url : `mqtt://${urlHost(config.host)}:${config.mqtt.port}`;
  const broker = new URL(mqttUrlValue);
  const defaultMqttPort = { 'mqtt:': '1883', 'mqtts:': '8883', 'ws:': '80', 'wss:': '443' }[broker.protocol] ?? '1883';
  const env: Record<string, string> = {
    FLAREGRID_MQTT_URL: mqttUrlValue,
    FLAREGRID_MQTT_HOST: broker.hostname.replace(/^\[(.*)\]$/, '$1'),
    FLAREGRID_MQTT_PORT: broker.port || defaultMqttPort,
  };
  if (config.plant.kind === 'hardware') {
    env.FLAREGRID_MODBUS_HOST = config.plant.modbusHost;
    env.FLAREGRID_MODBUS_PORT = String(config.plant.modbusPort);
  } else if (simulator) {
    env.FLAREGRID_MODBUS_HOST = config.host;
    env.FLAREGRID_MODBUS_PORT = String(simulator.modbusPort);
    env.FLAREGRID_SIM_TRUTH_URL = simulator.truthUrl;
  }
  return env;
}

/**
 * Where the simulated miners listen, as the shipped flows read it: FLAREGRID_MINER_HOST, and for miner n (from 1)
 * FLAREGRID_MINER_<n>_PORT (its 4028-style API) and, for Braiins OS, FLAREGRID_MINER_<n>_REST_PORT.
 */
export function minerFleetEnv(host: string, miners: readonly { apiPort: number; restPort?: number }[]): Record<string, string> {
  const env: Record<string, string> = { FLAREGRID_MINER_HOST: host };
  miners.forEach((miner, i) => {
    env[`FLAREGRID_MINER_${i + 1}_PORT`] = String(miner.apiPort);
    if (miner.restPort) env[`FLAREGRID_MINER_${i + 1}_REST_PORT`] = String(miner.restPort);
  });
  return env;
}

/**
 * No tours, no projects. Projects stay off because `enabled` is not set: `enabled: false` (or no `projects`
 * at all) makes Node-RED log "[warn] Projects disabled" at every start.
 */
export const QUIET_EDITOR_THEME = { tours: false, projects: {} };

/** Settings of the embedded Node-RED: the answers to its first-run questions are given here. */
export function redSettings(config: StartConfig, paths: { packageRoot: string; userDir: string; clock?: Clock }): Record<string, unknown> {
  return {
    // The clock the plant runs on (nodes/shared/clock.ts reads it), so that nodes and plant share one time line.
    ...(paths.clock ? { flaregrid: { clock: paths.clock } } : {}),
    uiHost: config.host,
    uiPort: config.editorPort,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    userDir: paths.userDir,
    flowFile: 'flows.json',
    credentialSecret: config.credentialSecret,
    // The package root has a `node-red` section, so the registry loads it as one module with its examples,
    // icons and locales. Other node modules (node-red-contrib-modbus, the dashboard) are found by the
    // registry's own walk up from @node-red/nodes to <root>/node_modules, so they are not listed here.
    nodesDir: [paths.packageRoot],
    // Meter energy totals and other node state outlive a restart in the userDir's context files.
    contextStorage: { default: { module: 'localfilesystem' }, memory: { module: 'memory' } },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: QUIET_EDITOR_THEME,
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
}
