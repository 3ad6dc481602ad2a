// `npm run bench [-- --suite NAME]`: runs the registered suites, prints the results as JSON and writes them
// to bench/results.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { suites } from './suites/index';
import { BenchResult } from './types';

/** dist/bench/run.js → <repo>/bench/results.json */
const RESULTS_PATH = join(__dirname, '..', '..', 'bench', 'results.json');

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { suite: { type: 'string', multiple: true } } });
  const wanted = values.suite ?? suites.map((s) => s.name);
  const unknown = wanted.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
  const results: BenchResult[] = [];
  for (const suite of suites.filter((s) => wanted.includes(s.name))) results.push(...(await suite.run()));
  const json = JSON.stringify(results, null, 2);
  writeFileSync(RESULTS_PATH, `${json}\n`);
  process.stdout.write(`${json}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
