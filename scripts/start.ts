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
import { FlowFileError, dashboardPath, deployedFlows, mergeFlowFiles, readFlowDir, writeFlowFile } from './start-flows';
import { ensureCredentialFile, writeCredentialFile } from './start-credentials';
import { referenceCredentials } from './flows/credentials';
import { lightningEnv, scheduleWalletOutages, startSiteLightning } from './start-lightning';
import type { LightningNetwork } from '../sim/lnd';
import { PortInUseError, reservePorts } from './start-ports';
import { startBroker } from './start-broker';
import { startRed } from './start-red';
import { ScaledClock, wallClock, type Clock } from '../lib/clock';
import { startPlant, type RunningPlant } from '../sim';
import { simulatedSiteFleet } from './site-fleet';
import { prepareSiteParticipants, startSiteParticipants } from './start-participants';

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

/** "180 simulated: 88 LuxOS, 88 Braiins OS, 4 stock Antminer (FLAREGRID_MINER_<n>_PORT)" */
function minerSummary(miners: readonly { dialect: string }[]): string {
  const names: Record<string, string> = { luxos: 'LuxOS', braiins: 'Braiins OS', bmminer: 'stock Antminer' };
  const counts = new Map<string, number>();
  for (const m of miners) counts.set(m.dialect, (counts.get(m.dialect) ?? 0) + 1);
  const parts = [...counts].map(([dialect, count]) => `${count} ${names[dialect] ?? dialect}`);
  return `${miners.length} simulated: ${parts.join(', ')} (ports in FLAREGRID_MINER_<n>_PORT)`;
}

async function run(config: StartConfig, lifecycle: Lifecycle): Promise<void> {
  const userDir = resolve(config.userDir ?? join(packageRoot, '.flaregrid'));
  const flows = mergeFlowFiles(readFlowDir(resolve(config.flowsDir ?? join(packageRoot, 'flows'))));
  const claims = portClaims(config);
  const claimFor = (flag: string): PortClaim => claims.find((c) => c.flag === flag) as PortClaim;
  const reserved = await reservePorts(config.host, claims);
  await lifecycle.add('port reservations', () => reserved.releaseAll());

  if (config.mqtt.kind === 'embedded') {
    await reserved.release('--mqtt-port');
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
      // The reference site's 180 miners in four containers (scripts/site-fleet.ts), on free ports.
      const fleet = { miners: simulatedSiteFleet() };
      await reserved.release('--modbus-port');
      await reserved.release('--truth-port');
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
  // One Lightning node per participant; its socket and pubkey reach the flows through the environment.
  let lightning: LightningNetwork | undefined;
  if (simulator && !lifecycle.stopping) {
    const network = await startSiteLightning(userDir, config.host, clock);
    lightning = network;
    await lifecycle.add('Lightning network', () => network.stop());
    Object.assign(process.env, lightningEnv(network));
    if (config.plant.kind === 'simulated' && config.plant.walletOutages.length > 0) {
      const unknown = config.plant.walletOutages.filter((o) => !network.nodes.some((n) => n.alias === o.participant));
      if (unknown.length > 0) {
        throw new StartConfigError(`--wallet-outage names ${unknown.map((o) => o.participant).join(', ')}, not one of ${network.nodes.map((n) => n.alias).join(', ')}`);
      }
      const cancel = scheduleWalletOutages(network, config.plant.walletOutages, clock);
      await lifecycle.add('wallet outages', async () => cancel());
    }
  }
  const outcome = writeFlowFile(userDir, FLOW_FILE, flows, { reset: config.reset });
  // The simulated prosumers' market keys are made for this run; the matcher reads their registry at start. They
  // trade by the market rules of the flows Node-RED runs.
  const participants = lightning
    ? prepareSiteParticipants(userDir, deployedFlows(userDir, FLOW_FILE), Object.fromEntries(lightning.nodes.map((n) => [n.alias, n.pubkey])))
    : undefined;
  if (participants) process.env.FLAREGRID_MARKET_REGISTRY_FILE = participants.registryFile;
  // With the reference flows, their Lightning nodes' certificates and macaroons and the operator's key; the
  // credentials of flows the user deployed stay theirs.
  if (lightning && outcome.action !== 'kept') writeCredentialFile(userDir, FLOW_FILE, config.credentialSecret, referenceCredentials(lightning));
  else ensureCredentialFile(userDir, FLOW_FILE, config.credentialSecret);
  const flowFile = join(userDir, FLOW_FILE);
  if (outcome.action === 'deployed') console.log(`FlareGrid: deployed the reference flows into ${flowFile}`);
  if (outcome.action === 'kept') console.log(`FlareGrid: running your deployed flows (${flowFile}); npm start -- --reset deploys the reference flows again`);
  if (outcome.action === 'reset') console.log(`FlareGrid: deployed the reference flows again; your flows are backed up in ${outcome.backups.join(', ')}`);
  if (config.usesDevelopmentSecret) {
    console.log('FlareGrid: credentials use the public development key; set FLAREGRID_CREDENTIAL_SECRET for real ones');
  }
  if (lifecycle.stopping) return;

  await reserved.release('--port');
  const red = await startRed(redSettings(config, { packageRoot, userDir, clock }), config.host, claimFor('--port'));
  await lifecycle.add('Node-RED', () => red.stop());
  if (lifecycle.stopping) return;

  if (participants && simulator && config.plant.kind === 'simulated') {
    const trading = await startSiteParticipants(participants, { brokerUrl: process.env.FLAREGRID_MQTT_URL as string, clock, plant: simulator, seed: config.plant.seed });
    await lifecycle.add('simulated participants', () => trading.stop());
    if (lifecycle.stopping) return;
  }

  const base = `http://${urlHost(config.host)}:${config.editorPort}`;
  const dashboard = dashboardPath(flows);
  const mqtt = process.env.FLAREGRID_MQTT_URL as string;
  console.log(`FlareGrid editor:    ${base}/`);
  if (dashboard) console.log(`FlareGrid dashboard: ${base}${dashboard}`);
  console.log(`FlareGrid MQTT:      ${mqtt}${config.mqtt.kind === 'embedded' ? ' (embedded broker)' : ''}`);
  if (simulator) {
    console.log(`FlareGrid plant:     simulated, Modbus TCP ${config.host}:${simulator.modbusPort}, truth ${simulator.truthUrl}`);
    console.log(`FlareGrid miners:    ${minerSummary(simulator.fleet?.miners ?? [])}`);
    if (lightning) console.log(`FlareGrid Lightning: ${lightning.nodes.map((n) => `${n.alias} ${n.socket}`).join(', ')}`);
    if (participants) console.log(`FlareGrid market:    ${participants.specs.length} simulated participants (${participants.specs.map((p) => p.id).join(', ')}), registry ${participants.registryFile}`);
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
