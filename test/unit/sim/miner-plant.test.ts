import assert from 'node:assert/strict';
import { fleetOf, startPlant, type RunningPlant } from '../../../sim';
import { parseCli } from '../../../sim/cli-options';
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

  it('npm run sim -- --miners 3 --miner-port 4100: miners on ports 4100 … with the dialects in turn', () => {
    const cli = parseCli(['--miner-port', '4100'], { FLAREGRID_SIM_MINERS: '3' });
    assert.equal(cli.help, false);
    const miners = cli.help ? [] : (cli.options.fleet?.miners ?? []);
    assert.deepEqual(
      miners.map((m) => [m.id, m.dialect, m.apiPort, m.restPort]),
      [
        ['miner-1', 'luxos', 4100, 5100],
        ['miner-2', 'braiins', 4101, 5101],
        ['miner-3', 'bmminer', 4102, 5102],
      ],
    );
  });

  it('refuses two miners with one id, an unknown dialect, and a fleet without a clock', async () => {
    await assert.rejects(startMinerFleet({ now: () => NOON, miners: [{ id: 'a', dialect: 'luxos' }, { id: 'a', dialect: 'luxos' }] }), { code: 'ERR_OPTION' });
    await assert.rejects(startMinerFleet({ now: () => NOON, miners: [{ id: 'a', dialect: 'whatsminer' as 'luxos' }] }), { code: 'ERR_OPTION' });
    await assert.rejects(startMinerFleet({ miners: [] }), { code: 'ERR_OPTION' });
  });
});
