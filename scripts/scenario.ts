// `npm run scenario -- --hours 24 --seed N --json [--plot FILE.svg]`: a simulated day of the flare site of
// docs/dispatch.md in seconds of wall time, FlareGrid's dispatch against the naive baseline beside it.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { plotDay } from './scenario/plot';
import { DEFAULT_SCENARIO, runScenario, type DayFigures, type ScenarioOptions } from './scenario/run';

const USAGE = 'usage: npm run scenario -- [--hours 24] [--seed 1] [--miners 180] [--json] [--plot day.svg]';

function positive(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a ${integer ? 'whole ' : ''}number above 0, got '${text}'`);
  return n;
}

function table(figures: DayFigures & { baseline: DayFigures }): string {
  const rows = (Object.keys(figures.baseline) as (keyof DayFigures)[]).map((key) => {
    const show = (v: unknown) => (Array.isArray(v) ? v.join(' / ') : String(v));
    return `${key.padEnd(26)}${show(figures[key]).padStart(18)}${show(figures.baseline[key]).padStart(18)}`;
  });
  return [`${''.padEnd(26)}${'flaregrid'.padStart(18)}${'baseline'.padStart(18)}`, ...rows].join('\n');
}

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      hours: { type: 'string' },
      seed: { type: 'string' },
      miners: { type: 'string' },
      json: { type: 'boolean', default: false },
      plot: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const miners = positive('miners', values.miners, DEFAULT_SCENARIO.miners, true);
  const options: ScenarioOptions = {
    ...DEFAULT_SCENARIO,
    hours: positive('hours', values.hours, DEFAULT_SCENARIO.hours, false),
    seed: positive('seed', values.seed, DEFAULT_SCENARIO.seed, true),
    miners,
    // The operator's count comes from yesterday's gas, not from the size of the fleet.
    initiallyOn: Math.min(DEFAULT_SCENARIO.initiallyOn, miners),
  };
  const { result, flaregrid, baseline } = runScenario(options);
  if (values.plot) writeFileSync(values.plot, plotDay(options, flaregrid.series, baseline.series, result));
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`scenario: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exitCode = 2;
}
