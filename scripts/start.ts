// `npm start`: the embedded default of docs/architecture.md. One process on 127.0.0.1 runs an MQTT broker, the plant
// simulator and Node-RED with this package and the reference flows, until Ctrl-C or SIGTERM.
import { join, resolve } from 'node:path';
import {
  START_HELP,
  StartConfigError,
  flowEnv,
  minerFleetEnv,
  parseStartConfig,
  portClaims,
  redSettings,
  urlHost,
  type PortClaim,
  type StartConfig,
} from './start-config';
import { FlowFileError, dashboardPath, mergeFlowFiles, readFlowDir, writeFlowFile } from './start-flows';
import { ensureCredentialFile } from './start-credentials';
import { PortInUseError, assertPortsFree } from './start-ports';
import { startBroker } from './start-broker';
import { startRed } from './start-red';
import { ScaledClock, wallClock, type Clock } from '../lib/clock';
import { fleetOf, startPlant, type RunningPlant } from '../sim';

const packageRoot = resolve(__dirname, '..', '..');
const FLOW_FILE = 'flows.json';

type Stop = () => Promise<void>;

/** What has started, stopped again in reverse order; a part that starts after shutdown began stops at once. */
class Lifecycle {
  private readonly parts: { name: string; stop: Stop }[] = [];
  stopping = false;

  async add(name: string, stop: Stop): Promise<void> {
    this.parts.push({ name, stop });
    if (this.stopping) await this.stopAll();
  }

  async stopAll(): Promise<boolean> {
    this.stopping = true;
    let clean = true;
    for (let part = this.parts.pop(); part; part = this.parts.pop()) {
      try {
        await part.stop();
      } catch (err) {
        clean = false;
        console.error(`FlareGrid: stopping the ${part.name} failed: ${(err as Error).message}`);
      }
    }
    return clean;
  }
}

/** The simulator's EADDRINUSE names its port as a `port` field or, failing that, in its message. */
function simulatorClaim(err: unknown, claims: readonly PortClaim[]): PortClaim | undefined {
  const { code, port, message } = err as { code?: string; port?: number; message?: string };
  if (code !== 'EADDRINUSE') return undefined;
  const simulatorClaims = claims.filter((c) => c.flag === '--modbus-port' || c.flag === '--truth-port');
  return (
    simulatorClaims.find((c) => c.port === port) ??
    simulatorClaims.find((c) => new RegExp(`\\b${c.port}\\b`).test(message ?? '')) ??
    simulatorClaims[0]
  );
}

async function run(config: StartConfig, lifecycle: Lifecycle): Promise<void> {
  const userDir = resolve(config.userDir ?? join(packageRoot, '.flaregrid'));
  const flows = mergeFlowFiles(readFlowDir(resolve(config.flowsDir ?? join(packageRoot, 'flows'))));
  const claims = portClaims(config);
  const claimFor = (flag: string): PortClaim => claims.find((c) => c.flag === flag) as PortClaim;
  await assertPortsFree(config.host, claims);

  if (config.mqtt.kind === 'embedded') {
    const broker = await startBroker(config.host, claimFor('--mqtt-port'));
    await lifecycle.add('MQTT broker', () => broker.stop());
  }

  // One time line for the plant and every flaregrid node: at --speedup 60 a day of the microgrid runs in 24 minutes,
  // and the meters, the balance and the payment streams see the plant's time, not the wall's.
  let clock: Clock = wallClock;
  let simulator: RunningPlant | undefined;
  if (config.plant.kind === 'simulated' && !lifecycle.stopping) {
    const { modbusPort, truthPort, seed, speedup } = config.plant;
    if (speedup !== 1) clock = new ScaledClock({ speedup });
    try {
      // Three simulated miners (LuxOS, Braiins OS, stock Antminer) in the first container, on free ports.
      const fleet = { miners: fleetOf(3) };
      const plant = await startPlant({ host: config.host, modbusPort, truthPort, seed, clock, realtime: true, fleet });
      simulator = plant;
      await lifecycle.add('plant simulator', () => plant.stop());
    } catch (err) {
      const claim = simulatorClaim(err, claims);
      throw claim ? new PortInUseError(claim) : err;
    }
  }

  // Node-RED resolves `${...}` in flows from process.env when it starts the nodes.
  Object.assign(process.env, flowEnv(config, simulator));
  if (simulator?.fleet) Object.assign(process.env, minerFleetEnv(config.host, simulator.fleet.miners));
  const outcome = writeFlowFile(userDir, FLOW_FILE, flows, { reset: config.reset });
  ensureCredentialFile(userDir, FLOW_FILE, config.credentialSecret);
  const flowFile = join(userDir, FLOW_FILE);
  if (outcome.action === 'deployed') console.log(`FlareGrid: deployed the reference flows into ${flowFile}`);
  if (outcome.action === 'kept') console.log(`FlareGrid: running your deployed flows (${flowFile}); npm start -- --reset deploys the reference flows again`);
  if (outcome.action === 'reset') console.log(`FlareGrid: deployed the reference flows again; your flows are backed up in ${outcome.backups.join(', ')}`);
  if (config.usesDevelopmentSecret) {
    console.log('FlareGrid: credentials use the public development key; set FLAREGRID_CREDENTIAL_SECRET for real ones');
  }
  if (lifecycle.stopping) return;

  const red = await startRed(redSettings(config, { packageRoot, userDir, clock }), config.host, claimFor('--port'));
  await lifecycle.add('Node-RED', () => red.stop());
  if (lifecycle.stopping) return;

  const base = `http://${urlHost(config.host)}:${config.editorPort}`;
  const dashboard = dashboardPath(flows);
  const mqtt = process.env.FLAREGRID_MQTT_URL as string;
  console.log(`FlareGrid editor:    ${base}/`);
  if (dashboard) console.log(`FlareGrid dashboard: ${base}${dashboard}`);
  console.log(`FlareGrid MQTT:      ${mqtt}${config.mqtt.kind === 'embedded' ? ' (embedded broker)' : ''}`);
  if (simulator) {
    console.log(`FlareGrid plant:     simulated, Modbus TCP ${config.host}:${simulator.modbusPort}, truth ${simulator.truthUrl}`);
    const miners = simulator.fleet?.miners ?? [];
    console.log(`FlareGrid miners:    ${miners.map((m) => `${m.id} ${m.dialect} ${m.apiPort}${m.restPort ? `/${m.restPort}` : ''}`).join(', ')}`);
  } else {
    console.log(`FlareGrid plant:     Modbus TCP ${process.env.FLAREGRID_MODBUS_HOST}:${process.env.FLAREGRID_MODBUS_PORT}`);
  }
  console.log(`FlareGrid ready: editor ${base}/${dashboard ? `, dashboard ${base}${dashboard}` : ''} (Ctrl-C stops)`);
}

async function main(): Promise<void> {
  let config: StartConfig;
  try {
    config = parseStartConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof StartConfigError)) throw err;
    console.error(`flaregrid: ${err.message}; see npm start -- --help`);
    process.exitCode = 1;
    return;
  }
  if (config.help) {
    console.log(START_HELP);
    return;
  }

  const lifecycle = new Lifecycle();
  const shutdown = (signal: NodeJS.Signals): void => {
    if (lifecycle.stopping) {
      console.error(`FlareGrid: ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    console.log(`FlareGrid: ${signal}, stopping`);
    void lifecycle.stopAll().then((clean) => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      if (!clean) process.exitCode = 1;
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    await run(config, lifecycle);
  } catch (err) {
    const known = err instanceof PortInUseError || err instanceof FlowFileError || err instanceof StartConfigError;
    if (known || (err as { code?: string }).code === 'FLOWS_NOT_STARTED') {
      console.error(`flaregrid: ${(err as Error).message}`);
    } else {
      console.error('flaregrid: could not start:', err);
    }
    process.exitCode = 1;
    await lifecycle.stopAll();
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  }
}

void main();
