// Command-line and environment options of `npm run sim`; flags win over FLAREGRID_SIM_* variables.
import { parseArgs } from 'node:util';
import { SimError } from './errors';
import { PlantOptions } from './index';
import { fleetOf } from './miners';

interface OptionSpec {
  flag: string;
  env: string;
  help: string;
  kind: 'string' | 'int' | 'number' | 'boolean';
  apply: (options: PlantOptions, value: string | number | boolean, fleet: FleetFlags) => void;
}

/** --miners and --miner-port together make the fleet, in whichever order they are given. */
interface FleetFlags {
  miners?: number;
  minerPort?: number;
}

const SPECS: OptionSpec[] = [
  { flag: 'host', env: 'FLAREGRID_SIM_HOST', kind: 'string', help: 'address every face binds (default 127.0.0.1)', apply: (o, v) => (o.host = v as string) },
  { flag: 'modbus-port', env: 'FLAREGRID_SIM_MODBUS_PORT', kind: 'int', help: 'Modbus TCP gateway port, 0 = any free (default 5020)', apply: (o, v) => (o.modbusPort = v as number) },
  { flag: 'truth-port', env: 'FLAREGRID_SIM_TRUTH_PORT', kind: 'int', help: 'ground-truth HTTP port, 0 = any free (default 5021)', apply: (o, v) => (o.truthPort = v as number) },
  { flag: 'gensets', env: 'FLAREGRID_SIM_GENSETS', kind: 'int', help: 'number of 400 kWe gensets, unit ids 11… (default 2)', apply: (o, v) => (o.gensets = v as number) },
  { flag: 'genset-rating-kw', env: 'FLAREGRID_SIM_GENSET_RATING_KW', kind: 'number', help: 'prime rating of each genset, kW (default 400)', apply: (o, v) => (o.gensetRatingW = (v as number) * 1000) },
  { flag: 'prosumers', env: 'FLAREGRID_SIM_PROSUMERS', kind: 'int', help: 'number of prosumer meters, unit ids 21… (default 4)', apply: (o, v) => (o.prosumers = v as number) },
  { flag: 'miner-slots', env: 'FLAREGRID_SIM_MINER_SLOTS', kind: 'int', help: 'miner containers behind the SDM630 (default 4 × 157.5 kW)', apply: (o, v) => (o.minerSlots = v as number) },
  { flag: 'seed', env: 'FLAREGRID_SIM_SEED', kind: 'int', help: 'random seed; one seed replays one history (default 1)', apply: (o, v) => (o.seed = v as number) },
  { flag: 'speedup', env: 'FLAREGRID_SIM_SPEEDUP', kind: 'number', help: 'sim seconds per real second (default 1)', apply: (o, v) => (o.speedup = v as number) },
  { flag: 'start-time', env: 'FLAREGRID_SIM_START_TIME', kind: 'string', help: 'sim clock at start, ISO 8601 (default now)', apply: (o, v) => (o.startTime = v as string) },
  { flag: 'gas-flow-mcfd', env: 'FLAREGRID_SIM_GAS_FLOW_MCFD', kind: 'number', help: 'mean flare-gas flow, Mcf/day (default 150)', apply: (o, v) => (o.gas = { ...o.gas, meanFlowMcfd: v as number }) },
  { flag: 'heating-value', env: 'FLAREGRID_SIM_HEATING_VALUE', kind: 'number', help: 'gas heating value, BTU/scf (default 1200)', apply: (o, v) => (o.gas = { ...o.gas, heatingValueBtuPerScf: v as number }) },
  {
    flag: 'miners',
    env: 'FLAREGRID_SIM_MINERS',
    kind: 'int',
    help: 'simulated miners on loopback, LuxOS, Braiins OS and stock Antminer in turn (default 0)',
    apply: (_o, v, fleet) => (fleet.miners = v as number),
  },
  {
    flag: 'miner-port',
    env: 'FLAREGRID_SIM_MINER_PORT',
    kind: 'int',
    help: "first miner's API port; miner n listens on it + n - 1, Braiins REST + 1000 (default any free)",
    apply: (_o, v, fleet) => (fleet.minerPort = v as number),
  },
  { flag: 'part-load-curve', env: 'FLAREGRID_SIM_PART_LOAD_CURVE', kind: 'boolean', help: 'use the Cat G3516 part-load efficiency curve', apply: (o, v) => (o.partLoadCurve = v as boolean) },
];

export type CliResult = { help: true; text: string } | { help: false; options: PlantOptions };

/** Parses argv (without node and script) and env; throws SimError 'ERR_USAGE' with a one-line message. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(SPECS.map((s) => [s.flag, { type: s.kind === 'boolean' ? 'boolean' : 'string' }] as const)),
      },
    });
  } catch (err) {
    throw new SimError('ERR_USAGE', `${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { help: true, text: usage() };
  const options: PlantOptions = { modbusPort: 5020, truthPort: 5021 };
  const fleet: FleetFlags = {};
  for (const spec of SPECS) {
    const raw = values[spec.flag] ?? env[spec.env];
    if (raw === undefined || raw === '') continue;
    spec.apply(options, convert(spec, raw), fleet);
  }
  if (fleet.miners) options.fleet = { miners: fleetOf(fleet.miners, { basePort: fleet.minerPort }) };
  return { help: false, options };
}

function convert(spec: OptionSpec, raw: string | boolean): string | number | boolean {
  if (spec.kind === 'boolean') return raw === true || raw === 'true' || raw === '1';
  if (spec.kind === 'string') return String(raw);
  const value = Number(raw);
  const ok = spec.kind === 'int' ? Number.isInteger(value) && value >= 0 : Number.isFinite(value) && value > 0;
  if (!ok) {
    const want = spec.kind === 'int' ? 'a whole number ≥ 0' : 'a number > 0';
    throw new SimError('ERR_USAGE', `--${spec.flag} (or ${spec.env}) must be ${want}, got '${raw}'`);
  }
  return value;
}

export function usage(): string {
  const lines = SPECS.map((s) => {
    const flag = `  --${s.flag}${s.kind === 'boolean' ? '' : ' <value>'}`;
    return `${flag.padEnd(30)}${s.help}\n${''.padEnd(30)}env ${s.env}`;
  });
  return [
    'Usage: npm run sim -- [options]',
    '',
    'FlareGrid plant simulator: flare gas, gensets, 380 V DC bus, prosumers and miner slots behind one',
    'Modbus TCP gateway (unit 1 bus meter, 2 miner feeder, 11… gensets, 21… prosumers) and a read-only',
    'ground-truth endpoint (GET /truth, GET /health). Ctrl-C stops it.',
    '',
    'Options:',
    ...lines,
    `${'  --help, -h'.padEnd(30)}this text`,
  ].join('\n');
}
