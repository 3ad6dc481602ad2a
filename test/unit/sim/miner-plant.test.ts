import assert from 'node:assert/strict';
import { fleetOf, startPlant, type RunningPlant } from '../../../sim';
import { startMinerFleet } from '../../../sim/miners';
import { command } from './raw-miner';

const NOON = Date.parse('2026-06-01T12:00:00Z');

describe('sim miners on the plant: each miner draws from its slot', () => {
  let plant: RunningPlant;

  afterEach(() => plant?.stop());

  it('the miner feeder (SDM630) shows what the simulated miners draw, and follows a curtail', async () => {
    plant = await startPlant({
      realtime: false,
      startTime: NOON,
      loadNoise: false,
      fleet: { miners: [...fleetOf(2, { dialects: ['luxos'] }), { id: 'big', dialect: 'luxos', slotId: 1 }] },
    });
    plant.advance(1000);
    const truth = plant.truth();
    assert.equal(truth.miners?.length, 3);
    const feeder = truth.devicesByName.minerFeeder as unknown as { powerW: number };
    assert.ok(Math.abs(feeder.powerW - 3 * 3500) < 1, `feeder ${feeder.powerW} W`);
    assert.deepEqual(plant.physics.miners.snapshot().slice(0, 2), [7000, 3500]);
    assert.throws(() => plant.setMinerSlotPowerW(0, 1000), { code: 'ERR_MINER_SLOT' });

    const port = plant.fleet!.miner('miner-1').apiPort;
    const sid = (await command(port, 'logon')).SESSION[0].SessionID as string;
    await command(port, 'curtail', `${sid},sleep`);
    plant.advance(2000);
    assert.equal(plant.physics.miners.get(0), 3500 + 15);
    plant.setMinerSlotPowerW(2, 1000);
    assert.equal(plant.physics.miners.get(2), 1000, 'a slot without miners is still set by hand');
  });

  it('refuses two miners with one id, an unknown dialect, and a fleet without a clock', async () => {
    await assert.rejects(startMinerFleet({ now: () => NOON, miners: [{ id: 'a', dialect: 'luxos' }, { id: 'a', dialect: 'luxos' }] }), { code: 'ERR_OPTION' });
    await assert.rejects(startMinerFleet({ now: () => NOON, miners: [{ id: 'a', dialect: 'whatsminer' as 'luxos' }] }), { code: 'ERR_OPTION' });
    await assert.rejects(startMinerFleet({ miners: [] }), { code: 'ERR_OPTION' });
  });
});
