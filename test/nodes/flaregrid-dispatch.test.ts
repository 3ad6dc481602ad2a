// flaregrid-dispatch on the real Node-RED runtime, on a fake clock: targets out of a balance, the fast shed, the
// fail-safe on silence, run-time overrides, economic offers, and every bad input refused with a status and no crash.
import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { isPowerTarget, type MinerTelemetry, type PowerTarget, type SiteBalance } from '../../lib/schemas';
import { FakeClock, settle } from '../support/fake-clock';

const dispatchNode = require('../../nodes/flaregrid-dispatch/flaregrid-dispatch');

interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

const START = Date.UTC(2026, 5, 1, 12, 0, 0);

function balance(clock: FakeClock, overrides: Partial<SiteBalance> = {}): SiteBalance {
  return {
    site: 'well-7', ts: new Date(clock.nowMs()).toISOString(), generationW: 100_000, firmDemandW: 80_000, minerW: 20_000,
    availableW: 600_000, reserveW: 30_000, surplusW: 490_000, imbalanceW: 0, busVoltageV: 378, quality: 'good', staleMeters: [], ...overrides,
  };
}

function telemetry(clock: FakeClock, minerId: string, powerW: number, overrides: Partial<MinerTelemetry> = {}): MinerTelemetry {
  const on = powerW > 100;
  return {
    minerId, site: 'well-7', ts: new Date(clock.nowMs()).toISOString(), state: on ? 'hashing' : 'sleeping', powerW, powerSource: 'measured',
    targetW: on ? powerW : 0, hashrateThs: on ? powerW / 17.5 : 0, quality: 'good', confirmed: true, ...overrides,
  };
}

const fleet = (clock: FakeClock, powers: number[]) => powers.map((w, i) => telemetry(clock, `m-${i + 1}`, w));

async function load(clock: FakeClock, config: Record<string, unknown> = {}) {
  helper.settings({ flaregrid: { clock } });
  await helper.load(dispatchNode, [
    {
      id: 'dispatch', type: 'flaregrid-dispatch', site: 'well-7', miners: 'm-1..4', priorityMode: 'efficiency', timerMode: 'decay',
      economicMode: false, enableDelayS: 0, stepIntervalS: 0, minOffS: 0, reserveKw: 0, wires: [['targets'], ['summary'], ['offer']], ...config,
    },
    { id: 'targets', type: 'helper' },
    { id: 'summary', type: 'helper' },
    { id: 'offer', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]);
  const got = { targets: [] as { topic: string; payload: PowerTarget }[], summaries: [] as any[], offers: [] as any[], errors: [] as string[], statuses: [] as Status[] };
  helper.getNode('targets').on('input', (msg: { topic: string; payload: PowerTarget }) => got.targets.push(msg));
  helper.getNode('summary').on('input', (msg: { payload: unknown }) => got.summaries.push(msg.payload));
  helper.getNode('offer').on('input', (msg: { payload: unknown }) => got.offers.push(msg.payload));
  helper.getNode('caught').on('input', (msg: { error: { message: string } }) => got.errors.push(msg.error.message));
  helper.getNode('dispatch').on('call:status', (call: { args: [Status] }) => got.statuses.push(call.args[0]));
  const send = async (msg: Record<string, unknown>) => {
    helper.getNode('dispatch').receive(msg);
    await clock.advanceAsync(10, 10);
    await settle();
  };
  return { got, send };
}

describe('flaregrid-dispatch node', () => {
  let clock: FakeClock;
  beforeEach(() => (clock = new FakeClock(START)));
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
  });

  it('turns a surplus into PowerTargets (one message per miner, on its topic) with a summary and a green status', async () => {
    const { got, send } = await load(clock);
    await send({ payload: fleet(clock, [0, 0, 0, 0]) });
    await send({ payload: balance(clock, { firmDemandW: 80_000, availableW: 100_000, generationW: 80_000, minerW: 0 }) });
    // 100 kW − 80 kW firm = 20 kW for the miners, filled to 1.75 kW under it: 18.25 kW asked of four 3.5 kW miners
    // is more than they take, so all four wake (at their 1,400 W minimum) and are raised to their 3,500 W maximum.
    assert.equal(got.targets.length, 4);
    for (const { topic, payload } of got.targets) {
      assert.ok(isPowerTarget(payload), isPowerTarget.problems(payload).join('; '));
      assert.equal(topic, `flaregrid/well-7/miners/${payload.minerId}/target`);
      assert.equal(payload.targetW, 3500);
      assert.match(payload.reason, /^add: 20\.0 kW spare for 0 s$/);
    }
    const summary = got.summaries.at(-1);
    assert.deepEqual([summary.mode, summary.budgetW, summary.totalTargetW, summary.surplusW, summary.minersOn, summary.targets.length], ['follow', 20_000, 14_000, 6000, 4, 4]);
    assert.equal(summary.commands, undefined, 'the targets go out on output 1, not in the summary');
    const status = got.statuses.at(-1)!;
    assert.deepEqual([status.fill, status.shape], ['green', 'dot']);
    // The catalogue is not loaded by the test helper, so status words show as their keys.
    assert.equal(status.text, '20.0 kW ▸ 14.0 kW flaregrid-dispatch.status.follow');
  });

  it('sheds at once, in the same decision, when the load is over the gas-limited capacity', async () => {
    const { got, send } = await load(clock);
    await send({ payload: fleet(clock, [3500, 3500, 3500, 3500]) });
    // 80 kW firm + 14 kW of miners on 87 kW of gas: 7 kW over, beyond the 3.5 kW hysteresis.
    await send({ payload: balance(clock, { availableW: 87_000, generationW: 87_000, minerW: 7_000 }) });
    const sleeps = got.targets.filter((t) => t.payload.targetW === 0);
    assert.equal(sleeps.length, 3, '7 kW + 1.75 kW needs three 3.5 kW miners asleep');
    assert.match(sleeps[0]!.payload.reason, /^shed: load is 7\.0 kW over the gas-limited capacity/);
  });

  it('goes to the fail-safe when no balance arrives within Stale after, and holds', async () => {
    const { got, send } = await load(clock, { failSafePct: 50, gensetRatingKw: 100, gensetCount: 1 });
    await send({ payload: fleet(clock, [3500, 3500, 3500, 3500]) });
    await send({ payload: balance(clock, { availableW: 100_000, generationW: 94_000, firmDemandW: 30_000, minerW: 14_000 }) });
    assert.equal(got.summaries.at(-1).mode, 'follow');
    await clock.advanceAsync(6000, 500);
    const last = got.summaries.at(-1);
    assert.equal(last.mode, 'fail-safe');
    assert.match(last.reasons[0], /SiteBalance is \d+(\.\d)? s old; shed to 20\.0 kW and hold|holding/);
    assert.deepEqual(got.statuses.at(-1)!.fill, 'yellow');
    assert.match(got.statuses.at(-1)!.text ?? '', /status\.fail-safe$/);
  });

  it('takes parameter overrides from msg.params and from a slider topic, and refuses one out of range', async () => {
    const { got, send } = await load(clock);
    await send({ params: { reserveKw: 50, enableDelayS: 30 } });
    await send({ topic: 'hysteresisKw', payload: '2.5' });
    assert.deepEqual(got.errors, []);
    await send({ topic: 'maxStepKw', payload: -5 });
    assert.equal(got.errors.length, 1);
    assert.match(got.errors[0]!, /maxStepKw must be a number above 0 and at most 100000 kW, got -5/);
    await send({ params: { reserveKw: 60, busMinV: 400, busMaxV: 390 } });
    assert.match(got.errors[1]!, /busMinV \(400 V\) must be below busMaxV \(390 V\)/);
    assert.equal(got.statuses.at(-1)!.text, 'flaregrid-dispatch.status.invalidInput');
  });

  it('offers the miners\' power on output 3 in economic mode while the market bid beats mining', async () => {
    const { got, send } = await load(clock, { economicMode: true, hashpriceSatPerThDay: 44 });
    await send({ payload: fleet(clock, [3500, 3500, 3500, 3500]) });
    await send({ topic: 'marketPriceMsatPerKwh', payload: 150_000 });
    await send({ payload: balance(clock, { availableW: 100_000, generationW: 94_000, minerW: 14_000 }) });
    const offer = got.offers.at(-1);
    // 44 sat/TH/day at 17.5 J/TH: 44 × 57.14 / 24 × 1,000 = 104,761 msat/kWh.
    assert.deepEqual([offer.offerW, offer.floorPriceMsatPerKwh, offer.marketPriceMsatPerKwh], [14_000, 104_761, 150_000]);
    assert.equal(got.statuses.at(-1)!.fill, 'blue');
    await send({ topic: 'marketPriceMsatPerKwh', payload: 90_000 });
    const before = got.offers.length;
    await send({ payload: balance(clock, { availableW: 100_000, generationW: 94_000, minerW: 14_000 }) });
    assert.equal(got.offers.length, before, 'no offer once mining pays more');
  });

  for (const [what, msg, says] of [
    ['telemetry of a miner outside the fleet', { payload: { minerId: 'm-9', ts: '2026-06-01T12:00:00Z', state: 'hashing', powerW: 3500, powerSource: 'measured', targetW: 3500, hashrateThs: 200, quality: 'good' } }, /m-9 is not in this dispatch's fleet/],
    ['a SiteBalance without availableW', { payload: { site: 'well-7', ts: '2026-06-01T12:00:00Z', generationW: 1, firmDemandW: 1, minerW: 0, reserveW: 0, surplusW: 0, imbalanceW: 0, quality: 'good', staleMeters: [] } }, /missing the required property 'availableW'/],
    ['a pin for an unknown miner', { topic: 'pin', payload: { minerId: 'm-7', targetW: 2000 } }, /no miner 'm-7' has reported/],
    ['a negative pin', { topic: 'pin', payload: { minerId: 'm-1', targetW: -100 } }, /target for m-1 must be 0 or one of its limits \(1400 … 3500 W in 100 W steps\), got -100/],
    ['a fractional-watt pin', { topic: 'pin', payload: { minerId: 'm-1', targetW: 1400.5 } }, /got 1400\.5/],
    ['an absurd pin', { topic: 'pin', payload: { minerId: 'm-1', targetW: 1e9 } }, /got 1000000000/],
    ['telemetry with an absurd power', { payload: { minerId: 'm-2', ts: '2026-06-01T12:00:00Z', state: 'hashing', powerW: 5e6, powerSource: 'measured', targetW: 3500, hashrateThs: 200, quality: 'good' } }, /m-2 reports 5000000 W/],
    ['a payload of nothing dispatch knows', { payload: { hello: 1 } }, /not a SiteBalance, MinerTelemetry/],
  ] as const) {
    it(`refuses ${what} with an error and a status, sends no target, and keeps running`, async () => {
      const { got, send } = await load(clock);
      await send({ payload: fleet(clock, [3500, 0, 0, 0]) });
      await send(msg as Record<string, unknown>);
      assert.equal(got.errors.length, 1, got.errors.join(' | '));
      assert.match(got.errors[0]!, says);
      assert.equal(got.targets.length, 0);
      assert.equal(got.statuses.at(-1)!.text, 'flaregrid-dispatch.status.invalidInput');
      await send({ payload: balance(clock, { availableW: 100_000, generationW: 84_000, minerW: 3_500 }) });
      assert.equal(got.summaries.at(-1).mode, 'follow', 'still deciding after the refusal');
    });
  }

  it('shows a config error for a bad dialog and refuses input with the reason', async () => {
    const { got, send } = await load(clock, { site: 'well/7' });
    const node = helper.getNode('dispatch');
    const statuses = node.status.getCalls().filter((call: { thisValue: unknown }) => call.thisValue === node);
    assert.deepEqual(statuses.at(-1).args[0], { fill: 'red', shape: 'ring', text: 'flaregrid-dispatch.status.configError' });
    await send({ payload: balance(clock) });
    assert.match(got.errors[0]!, /flaregrid-dispatch is not configured: Site must be 1 to 64 letters/);
  });

  it('releases its cycle timer on close', async () => {
    await load(clock);
    assert.ok(clock.pendingCount >= 1);
    await helper.unload();
    assert.equal(clock.pendingCount, 0);
  });
});
