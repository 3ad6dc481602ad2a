import assert from 'node:assert/strict';
import { MinerCapability } from '../../../lib/miners/capability';

describe('miner capability: limits and learned timings', () => {
  const stepped = () => new MinerCapability({ minW: 1400, maxW: 3500, stepW: 100 });

  it('takes a target down to the step, and refuses one outside the range or not a whole W', () => {
    const c = stepped();
    assert.deepEqual([0, 1400, 2468, 3500].map((w) => c.commandFor(w)), [0, 1400, 2400, 3500]);
    for (const bad of [-1, 700, 1399, 3501, 2000.5, Number.NaN]) assert.throws(() => c.commandFor(bad), { code: 'INVALID_TARGET' });
  });

  it('takes a target to the highest level at or under it (LuxOS profiles)', () => {
    const c = new MinerCapability({ minW: 1500, maxW: 3500, stepW: 500, levelsW: [1500, 2500, 3500] });
    assert.deepEqual([1500, 2499, 2500, 3400].map((w) => c.commandFor(w)), [1500, 1500, 2500, 2500]);
  });

  it('learns the command-to-power lag and the ramp from what the miner did', () => {
    const c = stepped();
    assert.deepEqual([c.snapshot().lagS, c.snapshot().wakeS, c.snapshot().sleepS], [20, 90, 2]);
    c.commanded('limit', 0, 3500, 2000);
    c.observe(5000, 3000);
    c.observe(12_000, 2010);
    const s = c.snapshot();
    assert.equal(s.lagS, 17.6, '20 s + 0.3 × (12 s − 20 s)');
    assert.equal(s.observations, 1);
    assert.ok(s.rampWPerS > 105 && s.rampWPerS < 125, `${s.rampWPerS} W/s`);
    c.observe(20_000, 2000);
    assert.equal(c.snapshot().observations, 1, 'one observation per command');
  });
});
