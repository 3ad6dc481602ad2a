// `npm run scenario`: the closed loop of lib's dispatch and the plant physics on the day's own time line, against
// the naive baseline, as JSON and as a plot. A short day keeps the test quick; the 24 h figures are in docs/dispatch.md.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daySchedule } from '../../../scripts/scenario/schedule';
import { DEFAULT_SCENARIO, runScenario } from '../../../scripts/scenario/run';

const FIELDS = [
  'utilizationPct', 'flaredScf', 'co2eKg', 'gensetTrips', 'gensetBelow30PctSeconds', 'gensetBelow50PctSeconds', 'busExcursions',
  'busExcursionSeconds', 'minerSwitchesPerHour', 'minerEnergyWh', 'prosumerEnergyWh', 'minedThs', 'miningRevenueSat',
];
const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'scenario.js');

describe('the closed-loop scenario', function () {
  this.timeout(120_000);

  it('draws one day of events per seed, none overlapping: 4 slugs, 2 dips, 1 shut-in and 30 s of silent genset meters', () => {
    const start = Date.parse(DEFAULT_SCENARIO.startTime);
    const day = daySchedule(3, start, 86_400_000);
    const count = (kind: string) => day.filter((e) => e.kind === kind).length;
    assert.deepEqual([count('slug'), count('dip'), count('shut-in'), count('stale-data')], [4, 2, 1, 1]);
    for (let i = 1; i < day.length; i++) assert.ok(day[i]!.startMs >= day[i - 1]!.endMs, 'no overlap');
    assert.equal(day.find((e) => e.kind === 'stale-data')!.endMs - day.find((e) => e.kind === 'stale-data')!.startMs, 30_000);
    assert.deepEqual(daySchedule(3, start, 86_400_000), day, 'one seed, one day');
    assert.notDeepEqual(daySchedule(4, start, 86_400_000), day);
  });

  it('runs two hours for both controllers with every figure, the same for the same seed, FlareGrid ahead of the baseline', () => {
    const options = { ...DEFAULT_SCENARIO, hours: 2, seed: 2 };
    const { result, flaregrid } = runScenario(options);
    for (const field of FIELDS) {
      assert.ok(field in result && field in result.baseline, field);
    }
    assert.equal(result.gensetBelow30PctSeconds.length, 2);
    assert.ok(result.utilizationPct > 90 && result.utilizationPct <= 100, `${result.utilizationPct}%`);
    assert.equal(result.gensetTrips, 0);
    assert.equal(result.busExcursions, 0);
    assert.ok(result.utilizationPct > result.baseline.utilizationPct);
    assert.ok(result.flaredScf < result.baseline.flaredScf);
    assert.ok(result.minerSwitchesPerHour < result.baseline.minerSwitchesPerHour);
    // Revenue is the hashes mined at the hashprice: TH × sat/TH/day ÷ 86,400 s.
    assert.equal(result.miningRevenueSat, Math.round((result.minedThs * 44) / 86_400));
    assert.equal(flaregrid.series.length, 120, 'a point a minute');
    assert.deepEqual(runScenario(options).result, result);
  });

  it('the command prints one JSON object with the baseline beside it, and writes the plot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flaregrid-scenario-'));
    try {
      const plot = join(dir, 'day.svg');
      const out = execFileSync(process.execPath, [SCRIPT, '--hours', '0.5', '--seed', '5', '--json', '--plot', plot], { encoding: 'utf8' });
      const result = JSON.parse(out) as Record<string, unknown> & { baseline: Record<string, unknown> };
      assert.deepEqual([result.seed, result.hours], [5, 0.5]);
      for (const field of FIELDS) assert.ok(field in result.baseline, field);
      const svg = readFileSync(plot, 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.equal((svg.match(/<path /g) ?? []).length, 12, 'six series on each side');
      assert.match(svg, /Naive baseline/);
      assert.throws(() => execFileSync(process.execPath, [SCRIPT, '--hours=-1'], { encoding: 'utf8', stdio: 'pipe' }), /--hours must be a number above 0, got '-1'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
