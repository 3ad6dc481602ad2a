import assert from 'node:assert/strict';
import { decodeBench } from '../../../bench/suites/metering-decode';

describe('metering decode benchmark', () => {
  it('returns the figure in the runner\'s shape after a short bounded run', async () => {
    const result = await decodeBench({ durationMs: 50 });
    assert.equal(result.suite, 'metering');
    assert.equal(result.metric, 'decodeBlocksPerSec');
    assert.equal(result.unit, 'blocks/s');
    assert.ok(Number.isInteger(result.value) && result.value > 0);
  });
});
