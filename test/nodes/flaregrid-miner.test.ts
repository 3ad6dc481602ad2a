// flaregrid-miner on the real Node-RED runtime against the simulated miners over loopback TCP, for each
// firmware dialect: telemetry, a target, sleep, wake, every fault, offline and recovery.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { isMinerTelemetry } from '../../lib/schemas';
import type { MinerFault } from '../../sim/miners';
import { caughtError, deployMiners, target, telemetryOf, wait, type MinerFlow } from './miner-flow';

const runtimeEvents = require('@node-red/util').events;
interface Status {
  fill: string;
  shape: string;
  text: string;
}
// The test helper shows a status text as its locale key (it translates nothing).
const lastStatus = new Map<string, Status>();
runtimeEvents.on('node-status', (event: { id: string; status: Status }) => lastStatus.set(event.id, event.status));
const statusOf = (id: string): Status => lastStatus.get(id) ?? { fill: '', shape: '', text: '' };

for (const dialect of ['luxos', 'braiins'] as const) {
  describe(`flaregrid-miner against a simulated ${dialect} miner`, function () {
    this.timeout(30_000);
    let flow: MinerFlow;
    const id = `${dialect}-1`;
    const truth = () => flow.sim.miner(id).read();
    const send = (payload: unknown) => helper.getNode('miner').receive({ payload });

    beforeEach(async () => {
      flow = await deployMiners([{ id, dialect, seed: 3, credentials: { username: 'root', password: 'secret' } }], {
        credentials: { username: 'root', password: 'secret' },
      });
    });

    afterEach(async () => {
      await helper.unload();
      await flow.sim.stop();
      helper.settings({});
    });

    it('reports MinerTelemetry with measured power, the capability and the topic', async () => {
      let topic = '';
      const t = await telemetryOf(id, (m, tp) => ((topic = tp), m.state === 'hashing'));
      assert.ok(isMinerTelemetry(t), isMinerTelemetry.problems(t).join('; '));
      assert.equal(topic, `flaregrid/well-7/miners/${id}/telemetry`);
      assert.deepEqual([t.powerW, t.powerSource, t.targetW, t.site, t.quality], [3500, 'measured', 3500, 'well-7', 'good']);
      assert.ok(t.hashrateThs > 199 && t.hashrateThs < 201, `${t.hashrateThs} TH/s`);
      assert.ok(t.temperatureC! > 40, `${t.temperatureC} °C`);
      assert.deepEqual([t.capability?.controllable, t.capability?.minW, t.capability?.maxW], [true, 1400, 3500]);
    });

    it('applies a target: read back until it took, then the power follows', async () => {
      await telemetryOf(id, (m) => m.state === 'hashing');
      send(target(id, 2050));
      const confirmed = await telemetryOf(id, (m) => m.confirmed === true && m.targetW === 2050);
      assert.equal(truth().powerLimitW, 2000, 'taken down to the step');
      assert.ok(['ramping', 'hashing'].includes(confirmed.state));
      const settled = await telemetryOf(id, (m) => m.state === 'hashing' && Math.abs(m.powerW - 2000) < 10);
      assert.ok(settled.capability!.lagS > 0 && settled.capability!.lagS <= 30, `learned lag ${settled.capability!.lagS} s`);
    });

    it('sleeps on target 0 within seconds, and wakes with a cold start to the new target', async () => {
      await telemetryOf(id, (m) => m.state === 'hashing');
      send(target(id, 0));
      const asleep = await telemetryOf(id, (m) => m.state === 'sleeping');
      assert.equal(asleep.powerW, 15);
      assert.equal(truth().phase, 'sleeping');
      // A cold start shows its hashboards idle until they warm up: that is a ramp, never a hashboard error.
      const states = new Set<string>();
      send(target(id, 3000));
      const awake = await telemetryOf(id, (m) => (states.add(m.state), m.state === 'hashing' && Math.abs(m.powerW - 3000) < 10), 15_000);
      assert.equal(awake.confirmed, true);
      assert.deepEqual([...states].filter((s) => s !== 'sleeping'), ['ramping', 'hashing']);
      assert.equal(truth().powerLimitW, 3000, 'the limit was set before the wake, so it never overshot');
    });

    it('sheds at once on {shed: true}, beside a raise still under way', async () => {
      await telemetryOf(id, (m) => m.state === 'hashing');
      send(target(id, 2000));
      send({ shed: true, reason: 'deficit' });
      const shed = await telemetryOf(id, (m) => m.state === 'sleeping');
      assert.equal(shed.targetW, 0);
      assert.equal(truth().mining, false);
    });

    for (const fault of ['stall', 'truncate', 'garbage', 'drop', 'not-ready'] as MinerFault[]) {
      it(`goes offline on the ${fault} fault with the reason, and recovers without a redeploy`, async () => {
        await telemetryOf(id, (m) => m.state === 'hashing');
        await flow.sim.miner(id).setFault(fault, true);
        const offline = await telemetryOf(id, (m) => m.state === 'offline');
        assert.deepEqual([offline.powerSource, offline.quality], ['missing', 'bad']);
        assert.ok(offline.errorReason && offline.errorReason.length > 10, offline.errorReason);
        await flow.sim.miner(id).setFault(fault, false);
        await telemetryOf(id, (m) => m.state === 'hashing' && m.powerSource === 'measured', 15_000);
      });
    }

    it('reads a reply that arrives in pieces (split)', async () => {
      await flow.sim.miner(id).setFault('split', true);
      await telemetryOf(id, (m) => m.state === 'hashing');
      send(target(id, 1800));
      await telemetryOf(id, (m) => m.confirmed === true);
    });

    it('goes offline when the miner stops listening, shows its retries, and comes back', async () => {
      const statuses: string[] = [];
      const onStatus = (event: { id: string; status?: { text?: string } }) => {
        if (event.id === 'miner' && event.status?.text) statuses.push(event.status.text);
      };
      runtimeEvents.on('node-status', onStatus);
      await telemetryOf(id, (m) => m.state === 'hashing');
      await flow.sim.miner(id).setFault('offline', true);
      const offline = await telemetryOf(id, (m) => m.state === 'offline');
      assert.match(offline.errorReason ?? '', /refused/);
      await telemetryOf(id, (m) => m.state === 'offline');
      runtimeEvents.removeListener('node-status', onStatus);
      assert.ok(statuses.some((text) => /^retrying in \d+ s \(\d+\)$/.test(text)), statuses.join(' | '));
      assert.ok(statuses.some((text) => /^3\.50 kW\/3\.50 kW \S*hashing$/.test(text)), statuses.join(' | '));
      await flow.sim.miner(id).setFault('offline', false);
      await telemetryOf(id, (m) => m.state === 'hashing', 15_000);
    });

    it('shows a hashboard error as state error with its reason', async () => {
      await flow.sim.miner(id).setFault('hashboard', true);
      const t = await telemetryOf(id, (m) => m.state === 'error');
      assert.match(t.errorReason ?? '', /1 of 3 hashboards/);
      assert.ok(Math.abs(t.powerW - (200 + 3300 * (2 / 3))) < 5, `${t.powerW} W`);
    });

    it('never sends a target below the floor, even to a miner that would silently ignore it', async () => {
      await telemetryOf(id, (m) => m.state === 'hashing');
      await flow.sim.miner(id).setFault('ignore-below-floor', true);
      const error = caughtError();
      send(target(id, 700));
      assert.match(await error, /700 W is below this miner's minimum of 1400 W/);
      await wait(300);
      assert.equal(truth().powerLimitW, 3500);
    });
  });
}

describe('flaregrid-miner: bad input, unknown miners, read-only firmware, unconfirmed targets', function () {
  this.timeout(30_000);
  let flow: MinerFlow;
  const send = (payload: unknown) => helper.getNode('miner').receive({ payload });

  beforeEach(async () => {
    flow = await deployMiners([
      { id: 'lux', dialect: 'luxos' },
      { id: 'stock', dialect: 'bmminer' },
      { id: 'deaf', dialect: 'braiins', seed: 5, spec: { unconfirmedShare: 1 } },
    ]);
  });

  afterEach(async () => {
    await helper.unload();
    await flow.sim.stop();
    helper.settings({});
  });

  it('detects each firmware and reports a stock Antminer with estimated power', async () => {
    const stock = await telemetryOf('stock', (m) => m.state === 'hashing');
    assert.deepEqual([stock.powerSource, stock.powerW, stock.capability?.controllable], ['estimated', 3500, false]);
    await telemetryOf('lux', (m) => m.powerSource === 'measured');
    await telemetryOf('deaf', (m) => m.powerSource === 'measured');
  });

  for (const [what, payload, says] of [
    ['an unknown miner', target('nobody', 2000), /no miner 'nobody' here/],
    ['a negative target', target('lux', -5), /targetW must be >= 0/],
    ['a fractional watt', target('lux', 2000.5), /targetW must be a whole number/],
    ['an absurd target', target('lux', 5_000_000), /targetW must be <= 100000/],
    ['a target above the maximum', target('lux', 5000), /5000 W is above this miner's maximum of 3500 W/],
    ['a string', 'full power', /must be an object/],
    ['an empty list', [], /empty list/],
  ] as const) {
    it(`refuses ${what} with an error a Catch node receives, and sends nothing`, async () => {
      await telemetryOf('lux', (m) => m.state === 'hashing');
      const error = caughtError();
      send(payload);
      assert.match(await error, says);
      assert.equal(flow.sim.miner('lux').read().powerLimitW, 3500);
    });
  }

  it('refuses a list with one bad entry without applying the good ones', async () => {
    await telemetryOf('lux', (m) => m.state === 'hashing');
    const error = caughtError();
    send([target('lux', 2000), target('lux', -1)]);
    await error;
    await wait(300);
    assert.equal(flow.sim.miner('lux').read().powerLimitW, 3500);
  });

  it('refuses a target for read-only firmware', async () => {
    await telemetryOf('stock', (m) => m.state === 'hashing');
    const error = caughtError();
    send(target('stock', 2000));
    assert.match(await error, /takes no power command/);
  });

  it('marks a miner suspect when its target never shows, and keeps re-sending', async () => {
    await telemetryOf('deaf', (m) => m.state === 'hashing');
    send(target('deaf', 2000));
    const suspect = await telemetryOf('deaf', (m) => m.quality === 'suspect', 15_000);
    assert.equal(suspect.confirmed, false);
    assert.match(suspect.errorReason ?? '', /has not shown a limit of 2000 W/);
    assert.equal(flow.sim.miner('deaf').read().powerLimitW, 3500);
    await wait(50);
    assert.deepEqual(statusOf('miner'), { fill: 'yellow', shape: 'dot', text: 'flaregrid-miner.status.fleetTroubled' });
  });
});

describe('flaregrid-miner status of a container', function () {
  this.timeout(30_000);
  let flow: MinerFlow;
  const send = (payload: unknown) => helper.getNode('miner').receive({ payload });

  beforeEach(async () => {
    flow = await deployMiners([
      { id: 'on', dialect: 'luxos', seed: 1 },
      { id: 'off', dialect: 'braiins', seed: 2, initial: 'sleeping' },
    ]);
  });

  afterEach(async () => {
    await helper.unload();
    await flow.sim.stop();
    helper.settings({});
  });

  it('is green while its miners do what dispatch asks, asleep or waking', async () => {
    await telemetryOf('off', (m) => m.state === 'sleeping');
    await telemetryOf('on', (m) => m.state === 'hashing');
    assert.deepEqual(statusOf('miner'), { fill: 'green', shape: 'dot', text: 'flaregrid-miner.status.fleet' });
    send(target('off', 0));
    await telemetryOf('off', (m) => m.confirmed === true);
    assert.equal(statusOf('miner').fill, 'green', 'asleep by command');
    const fills = new Set<string>();
    const onStatus = (event: { id: string; status?: { fill?: string } }) => event.id === 'miner' && event.status?.fill && fills.add(event.status.fill);
    runtimeEvents.on('node-status', onStatus);
    send(target('off', 2500));
    await telemetryOf('off', (m) => m.state === 'hashing' && Math.abs(m.powerW - 2500) < 10, 15_000);
    runtimeEvents.removeListener('node-status', onStatus);
    assert.deepEqual([...fills], ['green'], 'a wake is no problem');
  });
});

describe('flaregrid-miner configuration errors', () => {
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
  });

  it('a miner list with a duplicate id shows a config error and refuses input', async () => {
    const flow = await deployMiners([], {
      node: { miners: [{ minerId: 'a', host: '127.0.0.1' }, { minerId: 'a', host: '127.0.0.2' }] },
    });
    const node = helper.getNode('miner');
    const error = caughtError();
    node.receive({ payload: target('a', 2000) });
    assert.match(await error, /not configured: .*listed twice/);
    await flow.sim.stop();
  });
});
