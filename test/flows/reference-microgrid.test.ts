// The reference flows end to end, as `npm start` runs them with the simulator on one scaled clock, seen from
// outside over MQTT and the simulator's truth. The site is the reference one with three settings changed where
// an integrator changes them (flows/00-site.json): 5-minute market slots with a 1-minute gate, so that a few
// wall minutes at speed-up 4 hold several delivery slots, and meters read every 2 s. Prosumer 2's wallet is empty
// from plant minute 11 to 15: its seller's gate must cut it off, it must draw nothing, and once it pays again it
// must be restored.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { SITE_METERS } from '../../scripts/flows/meters';
import { referenceFlowsWith, startMicrogrid, treeRssKb, type Microgrid } from '../support/microgrid';
import { MqttRecorder, type Recorded } from '../support/mqtt-recorder';

const SPEEDUP = 4;
const SITE_CHANGES: Record<string, string> = { FLAREGRID_MARKET_SLOT_MIN: '5', FLAREGRID_MARKET_GATE_CLOSURE_S: '60', FLAREGRID_METER_POLL_S: '2' };
const DEFAULTER = 'prosumer-2';
const OUTAGE_MIN = [11, 15];
const wallMs = (plantMinutes: number) => (plantMinutes * 60_000) / SPEEDUP;

describe('the reference microgrid end to end (npm start, speed-up 4)', function () {
  this.timeout(wallMs(30) + 120_000);
  let flowsDir: string;
  let grid: Microgrid;
  let mqtt: MqttRecorder;
  const trades = () => mqtt.on(/\/trades$/).map((m) => m.payload);
  const receipts = () => mqtt.on(/\/receipts\//).map((m) => m.payload);

  before(async () => {
    flowsDir = referenceFlowsWith(SITE_CHANGES);
    grid = await startMicrogrid({
      speedup: SPEEDUP,
      seed: 3,
      env: { FLAREGRID_FLOWS_DIR: flowsDir, FLAREGRID_SIM_WALLET_OUTAGE: `${DEFAULTER}@${OUTAGE_MIN[0]}-${OUTAGE_MIN[1]}` },
    });
    mqtt = await MqttRecorder.start(grid.mqttUrl);
    console.log(`      npm start ready ${grid.readyMs} ms after spawn`);
  });
  after(async () => {
    await mqtt?.stop();
    await grid?.stop();
    rmSync(flowsDir, { recursive: true, force: true });
  });

  it('reads every meter of the site and keeps a balance that matches the plant', async () => {
    await mqtt.until(() => SITE_METERS.every((m) => mqtt.latest(new RegExp(`/meters/${m.meterId}$`))?.payload.quality === 'good'), 'a good reading from every meter', 30_000);
    await mqtt.until(() => mqtt.latest(/\/balance$/)?.payload.quality === 'good', 'a good balance', 30_000);
    // The gensets ramp onto the load after the start; the balance is a poll behind the plant, so it is compared
    // once the plant has settled (two balances a poll apart agree).
    const near = (actual: number, expected: number, share: number) => Math.abs(actual - expected) <= share * Math.abs(expected) + 2000;
    let balance: any;
    let truth: any;
    await mqtt.until(() => {
      void grid.truth().then((t) => (truth = t));
      balance = mqtt.latest(/\/balance$/)!.payload;
      return truth !== undefined && near(balance.generationW, truth.bus.generationW, 0.05);
    }, 'a balance whose generation is the plant\'s', 60_000);
    assert.deepEqual(balance.staleMeters, []);
    assert.ok(near(balance.availableW, truth.bus.availableW, 0.05), `gas-limited capacity ${balance.availableW} against the plant's ${truth.bus.availableW}`);
    assert.ok(near(balance.busVoltageV, truth.bus.voltageV, 0.01), `bus voltage ${balance.busVoltageV} against the plant's ${truth.bus.voltageV}`);
  });

  it('has the miners take the surplus: they draw what the gas can carry beyond the firm load, and no more', async () => {
    // Dispatch adds load after its enable delay, at its ramp, waking miners (1-2 minutes each): a few plant minutes.
    const spare = (t: any) => t.bus.availableW - (t.bus.demandW - t.bus.minerW);
    let truth: any;
    const deadline = Date.now() + wallMs(15);
    for (;;) {
      truth = await grid.truth();
      const gap = spare(truth) - truth.bus.minerW;
      if ((gap >= 0 && gap <= 120_000) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const gap = spare(truth) - truth.bus.minerW;
    assert.ok(gap >= 0 && gap <= 120_000, `the miners draw ${Math.round(truth.bus.minerW / 1000)} kW of the ${Math.round(spare(truth) / 1000)} kW the gas carries beyond the firm load`);
    const gensets = Object.values(truth.devicesByName).filter((d: any) => d.role === 'genset') as any[];
    assert.deepEqual(gensets.map((g) => g.tripCount), gensets.map(() => 0), 'no genset tripped');
    const utilisation = truth.gas.burnedScf / truth.gas.suppliedScf;
    console.log(`      miners ${Math.round(truth.bus.minerW / 1000)} kW of ${Math.round(spare(truth) / 1000)} kW spare at ${truth.simTime}; gas used ${(utilisation * 100).toFixed(1)}% since the start`);
  });

  it('trades: the prosumers buy from the operator on the market', async () => {
    // prosumer-1 (a camp) and prosumer-2 (pumps) draw at any hour; the others may export at midday, and then do not buy.
    await mqtt.until(() => ['prosumer-1', 'prosumer-2'].every((b) => trades().some((t) => t.buyer === b)), 'trades of prosumer-1 and prosumer-2', wallMs(12));
    for (const trade of trades()) {
      assert.equal(trade.seller, 'operator');
      assert.ok(trade.quantityWh > 0 && trade.priceMsatPerKwh >= 70_000, JSON.stringify(trade));
    }
  });

  it("streams payments that match each trade's energy × price to the msat", async () => {
    await mqtt.until(() => receipts().filter((r) => r.issuer === 'payer' && r.amountMsat > 0).length >= 5, 'five payments', wallMs(10));
    const byTrade = new Map(trades().map((t) => [t.id, t]));
    const paid = receipts().filter((r) => r.issuer === 'payer' && r.amountMsat > 0);
    assert.ok(paid.length >= 5, `${paid.length} payments`);
    for (const r of paid) {
      const trade = byTrade.get(r.tradeId);
      assert.ok(trade, `receipt for a known trade ${r.tradeId}`);
      const price = trade.priceMsatPerKwh + (trade.feeMsatPerKwh ?? 0);
      assert.equal(r.totalMsat, Math.floor((r.energyWh * price) / 1000), `${r.tradeId} #${r.seq}: ${r.energyWh} Wh at ${price} msat/kWh`);
      assert.ok(r.energyWh <= trade.quantityWh);
    }
  });

  it(`cuts ${DEFAULTER} off while its wallet is empty, so it draws nothing, and restores it once it pays`, async () => {
    const supplyClosed = async () => (await grid.truth()).devicesByName[DEFAULTER.replace('-', '')].supplyClosed as boolean;
    const drawW = async () => (await grid.truth()).devicesByName[DEFAULTER.replace('-', '')].powerW as number;
    const deadline = Date.now() + wallMs(OUTAGE_MIN[1] + 2);
    while ((await supplyClosed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await supplyClosed(), false, `${DEFAULTER}'s contactor opened during the outage`);
    assert.equal(await drawW(), 0, 'a cut-off prosumer draws nothing');
    const reading = mqtt.latest(new RegExp(`/meters/${DEFAULTER}$`));
    await mqtt.until(() => (mqtt.latest(new RegExp(`/meters/${DEFAULTER}$`)) as Recorded).atMs > (reading?.atMs ?? 0) + 1000, 'a later reading', 10_000);
    assert.equal(mqtt.latest(new RegExp(`/meters/${DEFAULTER}$`))!.payload.powerW, 0, 'its meter reads 0 W');
    const restoredBy = Date.now() + wallMs(8);
    while (!(await supplyClosed()) && Date.now() < restoredBy) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await supplyClosed(), true, `${DEFAULTER} restored after it paid`);
    console.log(`      RSS of the npm start process tree: ${(treeRssKb(grid.pid) / 1024).toFixed(0)} MiB`);
  });

  it('keeps the log free of errors and warnings', () => {
    assert.doesNotMatch(grid.output(), /\[(error|warn)\]/, grid.output());
  });
});
