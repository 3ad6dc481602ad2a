import assert from 'node:assert/strict';
import { MeterAllocator } from '../../../lib/payments/delivery';
import { reading, T0 } from './fixtures';

const MIN = 60_000;

describe('payments: energy delivered per trade from the buyer meter', () => {
  const window = (tradeId: string, start: number, end: number, quantityWh: number) => ({ tradeId, startMs: T0 + start * MIN, endMs: T0 + end * MIN, quantityWh });

  it('counts from the first reading, within the window, up to the quantity', () => {
    const meter = new MeterAllocator('meter-a');
    meter.addTrade(window('t1', 0, 15, 300));
    meter.admit(reading(1000, T0 - MIN));
    assert.deepEqual(meter.admit(reading(1100, T0 + MIN)).changed, ['t1']);
    meter.admit(reading(1250, T0 + 2 * MIN));
    assert.equal(meter.deliveredWh('t1'), 250);
    meter.admit(reading(1500, T0 + 3 * MIN));
    assert.equal(meter.deliveredWh('t1'), 300, 'capped at the quantity');
    meter.admit(reading(1600, T0 + 16 * MIN));
    assert.equal(meter.deliveredWh('t1'), 300, 'after the window');
  });

  it('shares an increase among overlapping trades in order of start, then id', () => {
    const meter = new MeterAllocator('meter-a', { counterWh: 0, tsMs: T0 });
    meter.addTrade(window('t-b', 0, 15, 100));
    meter.addTrade(window('t-a', 0, 15, 100));
    meter.addTrade(window('t-late', 5, 15, 100));
    meter.admit(reading(150, T0 + MIN));
    assert.deepEqual([meter.deliveredWh('t-a'), meter.deliveredWh('t-b'), meter.deliveredWh('t-late')], [100, 50, 0]);
    meter.admit(reading(400, T0 + 6 * MIN));
    assert.deepEqual([meter.deliveredWh('t-a'), meter.deliveredWh('t-b'), meter.deliveredWh('t-late')], [100, 100, 100]);
  });

  it('refuses another meter, a counter that goes backwards and a time that is not one; ignores an older reading', () => {
    const meter = new MeterAllocator('meter-a', { counterWh: 500, tsMs: T0 });
    meter.addTrade(window('t1', 0, 15, 1000));
    assert.throws(() => meter.admit(reading(600, T0 + MIN, { meterId: 'meter-b' })), { code: 'WRONG_METER' });
    assert.throws(() => meter.admit(reading(499, T0 + MIN)), { code: 'COUNTER_BACKWARDS', message: /500 Wh to 499 Wh/ });
    assert.throws(() => meter.admit(reading(600, T0 + MIN, { ts: 'soon' })), { code: 'BAD_READING' });
    assert.equal(meter.admit(reading(400, T0 - MIN)).stale, true);
    meter.admit(reading(520, T0 + MIN));
    assert.equal(meter.deliveredWh('t1'), 20);
  });
});
