import assert from 'node:assert/strict';
import { benchOrder, journalBench } from '../../../bench/suites/journal';
import { canonicalJson } from '../../../lib/canonical-json';

describe('journal benchmark', () => {
  it('returns both figures in the runner\'s shape after a short bounded run, with records of about 300 bytes', async () => {
    const bytes = Buffer.byteLength(canonicalJson(benchOrder(12_345)));
    assert.ok(bytes >= 270 && bytes <= 330, `${bytes} bytes`);
    const results = await journalBench({ records: 2_000, burst: 100, awaitedMs: 50 });
    assert.deepEqual(results.map((r) => [r.suite, r.metric, r.unit]), [
      ['journal', 'journalAppendsPerSec', 'appends/s'],
      ['journal', 'journalAwaitedAppendsPerSec', 'appends/s'],
    ]);
    for (const result of results) assert.ok(Number.isInteger(result.value) && result.value > 0, `${result.metric} ${result.value}`);
  });
});
