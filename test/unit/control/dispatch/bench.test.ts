import assert from 'node:assert/strict';
import { decisionsBench } from '../../../../bench/suites/dispatch';
import { suites } from '../../../../bench/suites/index';

describe('dispatch benchmark', () => {
  it('is registered, and returns decisions per second in the runner\'s shape after a short bounded run', () => {
    assert.ok(suites.some((s) => s.name === 'dispatch'));
    const result = decisionsBench(200);
    assert.deepEqual([result.suite, result.metric, result.unit], ['dispatch', 'decisionsPerSec', 'decisions/s']);
    assert.ok(Number.isInteger(result.value) && result.value > 0);
  });
});
