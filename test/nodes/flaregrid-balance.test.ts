import assert from 'node:assert/strict';
import { isSiteBalance } from '../../lib/schemas';
import helper from 'node-red-node-test-helper';
import type { MeterReading, SiteBalance } from '../../lib/schemas/contracts';

const balanceNode = require('../../nodes/flaregrid-balance/flaregrid-balance');

interface Received {
  atMs: number;
  payload: SiteBalance & { qualityReason?: string };
}

function reading(meterId: string, role: MeterReading['role'], powerW: number, extra: Partial<MeterReading> = {}): MeterReading {
  return {
    site: 'well-7',
    meterId,
    role,
    powerW,
    ts: new Date().toISOString(),
    energyInWh: 0,
    energyOutWh: 0,
    quality: 'good',
    ...extra,
  };
}

const site = (): MeterReading[] => [
  reading('genset-1', 'genset', 300_000, { availablePowerW: 400_000 }),
  reading('bus-1', 'bus', 300_000, { voltageV: 380.4 }),
  reading('prosumer-a', 'prosumer', -45_000),
  reading('prosumer-b', 'prosumer', 5_000),
  reading('miners', 'miner', -259_000),
];

function flow(config: Record<string, unknown> = {}) {
  return [
    {
      id: 'balance',
      type: 'flaregrid-balance',
      site: 'well-7',
      reserveKw: 20,
      reservePct: 5,
      staleAfterS: 5,
      imbalanceKw: 2,
      imbalancePct: 3,
      minIntervalS: 0.2,
      heartbeatS: 60,
      expectedMeters: '',
      wires: [['out']],
      ...config,
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

async function load(config: Record<string, unknown> = {}) {
  await helper.load(balanceNode, flow(config));
  const received: Received[] = [];
  const out = helper.getNode('out');
  out.on('input', (msg: { topic: string; payload: Received['payload'] }) => {
    out.lastTopic = msg.topic;
    received.push({ atMs: Date.now(), payload: msg.payload });
  });
  const statuses: { fill?: string; shape?: string; text?: string }[] = [];
  helper.getNode('balance').on('call:status', (call: { args: [{ fill?: string; shape?: string; text?: string }] }) => statuses.push(call.args[0]));
  return { node: helper.getNode('balance'), received, statuses };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the node');
    await sleep(5);
  }
}

describe('flaregrid-balance node', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('turns an array of readings into one balance with the right figures and a green status', async () => {
    const { node, received, statuses } = await load();
    node.receive({ payload: site() });
    await until(() => received.length === 1 && statuses.length > 0);
    assert.ok(isSiteBalance(received[0].payload), isSiteBalance.problems(received[0].payload).join('; '));
    assert.equal(helper.getNode('out').lastTopic, 'flaregrid/well-7/balance');
    const { ts, ...figures } = received[0].payload;
    assert.ok(Math.abs(Date.parse(ts) - Date.now()) < 1000);
    assert.deepEqual(figures, {
      site: 'well-7',
      generationW: 300_000,
      // -(-45 000 + 5 000)
      firmDemandW: 40_000,
      minerW: 259_000,
      availableW: 400_000,
      // max(20 kW, 5% of 400 kW)
      reserveW: 20_000,
      // 400 000 - 40 000 - 20 000
      surplusW: 340_000,
      busVoltageV: 380.4,
      quality: 'good',
      staleMeters: [],
      // 300 000 - 45 000 + 5 000 - 259 000
      imbalanceW: 1_000,
    });
    const status = statuses.at(-1)!;
    assert.equal(status.fill, 'green');
    assert.equal(status.shape, 'dot');
    assert.match(status.text ?? '', /340\.0 kW$/);
  });

  it('sends a change inside the minimum interval at its end, with the newest figures', async () => {
    const { node, received } = await load({ minIntervalS: 0.3 });
    node.receive({ payload: site() });
    await until(() => received.length === 1);
    node.receive({ payload: reading('miners', 'miner', -250_000) });
    await sleep(20);
    node.receive({ payload: reading('miners', 'miner', -240_000) });
    await sleep(100);
    assert.equal(received.length, 1, 'nothing more inside the interval');
    await until(() => received.length === 2);
    assert.equal(received[1].payload.minerW, 240_000);
    assert.ok(received[1].atMs - received[0].atMs >= 290, `second balance after ${received[1].atMs - received[0].atMs} ms`);
    await sleep(300);
    assert.equal(received.length, 2, 'a burst is sent once');
  });

  it('beats on the heartbeat without readings, as a stale balance with no genset', async () => {
    const { received, statuses } = await load({ heartbeatS: 0.1 });
    await until(() => received.length >= 2);
    assert.ok(received[1].atMs - received[0].atMs >= 90);
    assert.equal(received[0].payload.quality, 'stale');
    assert.match(received[0].payload.qualityReason ?? '', /no genset reading/);
    assert.equal(statuses.at(-1)?.fill, 'red');
    assert.equal(statuses.at(-1)?.shape, 'ring');
  });

  it('marks the balance stale when the genset meter falls silent, and names the genset in the status', async () => {
    const { node, received, statuses } = await load({ staleAfterS: 0.3, minIntervalS: 0.01 });
    node.receive({ payload: site() });
    await sleep(350);
    node.receive({ payload: site().filter((r) => r.role !== 'genset').map((r) => ({ ...r, ts: new Date().toISOString() })) });
    await until(() => received.some((r) => r.payload.staleMeters.join() === 'genset-1'));
    const last = received.at(-1)!.payload;
    assert.equal(last.quality, 'stale');
    const status = statuses.at(-1)!;
    assert.equal(status.fill, 'red');
    assert.equal(status.shape, 'ring');
    assert.match(status.text ?? '', /genset-1$/);
  });

  it('sends again when a fresh reading ages out, long before the heartbeat', async () => {
    const { node, received } = await load({ staleAfterS: 0.3, minIntervalS: 0.05, heartbeatS: 60 });
    const sentAtMs = Date.now();
    node.receive({ payload: site() });
    await until(() => received.some((r) => r.payload.quality === 'stale'));
    assert.equal(received[0].payload.quality, 'good');
    const stale = received.find((r) => r.payload.quality === 'stale')!;
    const afterMs = stale.atMs - sentAtMs;
    assert.ok(afterMs >= 290 && afterMs < 1000, `stale balance after ${afterMs} ms`);
    assert.deepEqual(stale.payload.staleMeters, ['bus-1', 'genset-1', 'miners', 'prosumer-a', 'prosumer-b']);
  });

  it('shows an imbalance as a suspect balance with a yellow ring', async () => {
    const { node, received, statuses } = await load();
    node.receive({ payload: site().filter((r) => r.meterId !== 'miners') });
    await until(() => received.length === 1 && statuses.length > 0);
    assert.equal(received[0].payload.quality, 'suspect');
    assert.equal(received[0].payload.imbalanceW, 260_000);
    const status = statuses.at(-1)!;
    assert.equal(status.fill, 'yellow');
    assert.equal(status.shape, 'ring');
    // the helper's RED._ returns the catalogue key, so only the figure is compared
    assert.match(status.text ?? '', /imbalance 260\.0 kW$/);
  });

  it('refuses a payload that is not a MeterReading: the Catch node gets the sentence, the status turns yellow', async () => {
    const { node, received, statuses } = await load();
    const caught: { error: { message: string; source: { id: string } } }[] = [];
    helper.getNode('caught').on('input', (msg: (typeof caught)[number]) => caught.push(msg));
    node.receive({ payload: { ...reading('genset-1', 'genset', 1), role: 'generator' } });
    await until(() => caught.length === 1 && statuses.length > 0);
    assert.match(caught[0].error.message, /MeterReading: role must be one of genset, bus, load, prosumer, miner, battery, got "generator"/);
    assert.equal(caught[0].error.source.id, 'balance');
    assert.equal(statuses.at(-1)?.fill, 'yellow');
    assert.equal(statuses.at(-1)?.shape, 'ring');

    const { powerW: _powerW, ...withoutPower } = reading('x', 'load', 0);
    node.receive({ payload: [site()[0], withoutPower] });
    await until(() => caught.length === 2);
    assert.match(caught[1].error.message, /^ContractError: Reading 1 of the array: MeterReading: the MeterReading is missing the required property 'powerW'$/);
    await sleep(50);
    assert.equal(received.length, 0, 'an array with a broken reading changes nothing');
  });

  it("refuses another site's reading with the reason, and counts a reading without a site for its own, warning once", async () => {
    const { node, received } = await load();
    const caught: { error: { message: string } }[] = [];
    helper.getNode('caught').on('input', (msg: (typeof caught)[number]) => caught.push(msg));
    node.receive({ payload: reading('genset-1', 'genset', 1, { site: 'well-9' }) });
    await until(() => caught.length === 1);
    assert.match(caught[0].error.message, /meter genset-1 reads for site 'well-9'; this balance is site 'well-7'/);
    const legacy = site().map(({ site: _site, ...r }) => r);
    node.receive({ payload: legacy });
    node.receive({ payload: legacy });
    await until(() => received.length >= 1);
    assert.equal(received.at(-1)!.payload.generationW, 300_000);
    const warnings = helper.log().args.map((a: [{ level: number; msg: unknown }]) => a[0]).filter((e: { level: number; msg: unknown }) => e.level === 30 && /without a site/.test(String(e.msg)));
    assert.equal(warnings.length, 5, 'one warning per meter, not per reading');
  });

  it('refuses every message with the reason when its configuration is invalid', async () => {
    const { node } = await load({ reservePct: 150 });
    const caught: { error: { message: string } }[] = [];
    helper.getNode('caught').on('input', (msg: (typeof caught)[number]) => caught.push(msg));
    node.receive({ payload: site() });
    await until(() => caught.length === 1);
    assert.match(caught[0].error.message, /Reserve \(%\) must be a percentage from 0 to 100, got '150'/);
  });

  it('clears its timers on close: neither a pending change nor a heartbeat is sent afterwards', async () => {
    const { node, received } = await load({ minIntervalS: 0.1, heartbeatS: 0.15 });
    const sentAfterClose: unknown[] = [];
    node.receive({ payload: site() });
    await until(() => received.length === 1);
    node.receive({ payload: reading('miners', 'miner', -200_000) });
    await sleep(10);
    await helper.unload();
    node.send = (msg: unknown) => sentAfterClose.push(msg);
    await sleep(400);
    assert.deepEqual(sentAfterClose, []);
    assert.equal(received.length, 1);
  });
});

/** Runs an example flow whose injects stand in for the meters, and resolves with the first balance that heard them all. */
async function balanceOfExample(example: Record<string, unknown>[]): Promise<SiteBalance> {
  // the debug nodes become helper nodes so the test can read what they would show
  const flowNodes = example.map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper', wires: [] } : n));
  const core = ['20-inject', '90-comment'].map((file) => require(`@node-red/nodes/core/common/${file}.js`));
  await helper.load([...core, balanceNode], flowNodes);
  const debug = example.find((n) => n.type === 'debug' && n.name === 'SiteBalance')!;
  return new Promise<SiteBalance>((resolve) => {
    helper.getNode(debug.id as string).on('input', (msg: { payload: SiteBalance }) => {
      // the injects fire one by one; wait for the balance that has heard every meter
      if (msg.payload.staleMeters.length === 0) resolve(msg.payload);
    });
  });
}

describe('flaregrid-balance example flow', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('runs without hardware and gives the balance its comment promises', async () => {
    const balance = await balanceOfExample(require('../../../examples/flaregrid-balance/Site power balance.json'));
    assert.equal(balance.quality, 'good');
    assert.equal(balance.firmDemandW, 36_000);
    assert.equal(balance.minerW, 213_500);
    assert.equal(balance.reserveW, 20_000);
    assert.equal(balance.surplusW, 264_000);
    assert.equal(balance.imbalanceW, 500);
    assert.equal(balance.busVoltageV, 381.2);
  });
});

describe('flows saved by release 0.1 keep working', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('the 0.1 balance example (readings without a site, no config version) gives the same balance', async () => {
    const example: Record<string, unknown>[] = require('../fixtures/release-0.1/balance-example.json');
    assert.ok(example.every((n) => n.configVersion === undefined), 'the fixture is the old flow');
    const balance = await balanceOfExample(example);
    assert.equal(balance.site, 'well-7');
    assert.equal(balance.surplusW, 264_000);
    assert.equal(balance.quality, 'good');
  });
});
