// `npm run sim`: starts the plant and prints where each face listens; Ctrl-C stops it cleanly.
import { parseCli } from './cli-options';
import { SimError } from './errors';
import { startPlant } from './index';

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(`${cli.text}\n`);
    return 0;
  }
  const plant = await startPlant(cli.options);
  const host = cli.options.host ?? '127.0.0.1';
  process.stdout.write(
    [
      `FlareGrid plant simulator (seed ${cli.options.seed ?? 1}, speed-up ×${cli.options.speedup ?? 1})`,
      `  Modbus TCP   ${host}:${plant.modbusPort}  units: bus meter ${plant.units.busMeter}, miner feeder ${plant.units.minerFeeder}, ` +
        `gensets ${plant.units.gensets.join(',')}, prosumers ${plant.units.prosumers.join(',') || 'none'}`,
      `  ground truth ${plant.truthUrl}`,
      ...(plant.fleet?.miners ?? []).map(
        (m) => `  miner ${m.id.padEnd(8)} ${m.dialect.padEnd(8)} API ${host}:${m.apiPort}${m.restPort ? `  REST ${host}:${m.restPort}` : ''}  slot ${m.slotId}`,
      ),
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      plant.stop().then(resolve, resolve);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  process.stdout.write('stopped\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Usage errors exit 2, anything else 1; one line, no stack, for a person at a terminal.
    const usageError = err instanceof SimError && (err.code === 'ERR_USAGE' || err.code === 'ERR_OPTION');
    process.stderr.write(`flaregrid-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = usageError ? 2 : 1;
  },
);
