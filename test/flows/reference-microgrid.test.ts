// The reference flows end to end, as `npm start` runs them with the simulator on one scaled clock: a few minutes of
// wall time cover half an hour of the plant. Seen from outside, over MQTT and the simulator's truth: every meter
// is read and the balance matches the plant, and the log stays free of errors and warnings.

import assert from 'node:assert/strict';
import { SITE_METERS } from '../../scripts/flows/meters';
import { startMicrogrid, treeRssKb, type Microgrid } from '../support/microgrid';
import { MqttRecorder } from '../support/mqtt-recorder';

const SPEEDUP = 5;
/** plant time the test runs for, ms */
const PLANT_RUN_MS = 15 * 60_000;

describe('the reference microgrid end to end (npm start, speed-up 5)', function () {
  this.timeout(PLANT_RUN_MS / SPEEDUP + 180_000);
  let grid: Microgrid;
  let mqtt: MqttRecorder;

  before(async () => {
    grid = await startMicrogrid({ speedup: SPEEDUP, seed: 3 });
    mqtt = await MqttRecorder.start(grid.mqttUrl);
    console.log(`      npm start ready ${grid.readyMs} ms after spawn`);
  });
  after(async () => {
    await mqtt?.stop();
    await grid?.stop();
  });

  it('reads every meter of the site and keeps a balance that matches the plant', async () => {
    await mqtt.until(() => SITE_METERS.every((m) => mqtt.latest(new RegExp(`/meters/${m.meterId}$`))?.payload.quality === 'good'), 'a good reading from every meter', 30_000);
    await mqtt.until(() => mqtt.latest(/\/balance$/)?.payload.quality === 'good', 'a good balance', 30_000);
    const truth = await grid.truth();
    const balance = mqtt.latest(/\/balance$/)!.payload;
    assert.deepEqual(balance.staleMeters, []);
    const near = (actual: number, expected: number, share: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= share * Math.abs(expected) + 2000, `${what}: ${actual} against the plant's ${expected}`);
    near(balance.availableW, truth.bus.availableW, 0.05, 'gas-limited capacity');
    near(balance.generationW, truth.bus.generationW, 0.1, 'generation');
    near(balance.busVoltageV, truth.bus.voltageV, 0.01, 'bus voltage');
    console.log(`      RSS of the npm start process tree: ${(treeRssKb(grid.pid) / 1024).toFixed(0)} MiB`);
  });

  it('keeps the log free of errors and warnings', () => {
    assert.doesNotMatch(grid.output(), /\[(error|warn)\]/, grid.output());
  });
});
