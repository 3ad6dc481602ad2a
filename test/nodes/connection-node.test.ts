// The connection-owning config node base on the real Node-RED runtime: a test-only config node and user node
// (test/nodes/fixtures/connection-fixture.ts) built from nodes/shared/connection-node.ts, a FakeConnector
// that fails on command, and a FakeClock that Node-RED's settings hand to the nodes.

import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import type { NodeStatus } from '../../nodes/shared/red';
import { FakeClock, settle } from '../support/fake-clock';
import { FakeConnector } from '../support/fake-connector';

const fixture = require('./fixtures/connection-fixture');
const runtimeEvents = require('@node-red/util').events;

const connectors: Map<string, FakeConnector> = fixture.connectors;

function flow(users: { id: string; ownStatus?: boolean; connection?: string }[], config: Record<string, unknown> = {}) {
  return [
    { id: 'tab', type: 'tab', label: 'connections' },
    { id: 'conn', type: 'test-connection', initialMs: 1000, maxMs: 8000, jitter: 0, disconnectTimeoutMs: 5000, alarmAfterAttempts: 3, ...config },
    ...users.map(({ id, ownStatus = false, connection = 'conn' }) => ({
      id,
      type: 'test-connection-user',
      z: 'tab',
      x: 100,
      y: 100,
      connection,
      ownStatus,
      wires: [['out']],
    })),
    { id: 'out', type: 'helper', z: 'tab', x: 300, y: 100 },
  ];
}

/** A connector prepared before the config node is deployed, so that its very first connect can fail. */
function prepareConnector(): FakeConnector {
  const connector = new FakeConnector();
  connectors.set('conn', connector);
  return connector;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await settle();
}

describe('connection config node base, on the Node-RED runtime', () => {
  let clock: FakeClock;
  /** every status each node showed, from the runtime's own status events (constructor statuses included) */
  let statuses: Map<string, NodeStatus[]>;
  const onStatus = (event: { id: string; status?: NodeStatus }) => {
    if (!event.status) return;
    if (!statuses.has(event.id)) statuses.set(event.id, []);
    statuses.get(event.id)!.push(event.status);
  };
  const last = (id: string) => statuses.get(id)?.at(-1);
  const texts = (id: string) => (statuses.get(id) ?? []).map((s) => `${s.fill} ${s.shape} ${s.text}`);

  before(() => runtimeEvents.on('node-status', onStatus));
  after(() => {
    runtimeEvents.removeListener('node-status', onStatus);
    helper.settings({});
  });

  beforeEach(() => {
    clock = new FakeClock(0);
    statuses = new Map();
    connectors.clear();
    helper.settings({ flaregrid: { clock } });
  });

  afterEach(async () => {
    await helper.unload();
    await flush();
    for (const [id, connector] of connectors) {
      assert.equal(connector.live, 0, `config node ${id} left a connection open`);
      assert.equal(connector.pendingConnects, 0, `config node ${id} left a connect pending`);
    }
    assert.equal(clock.pendingCount, 0, 'no timer outlives the flows');
  });

  it('connects once when the first user starts and turns every user green', async () => {
    await helper.load(fixture, flow([{ id: 'a' }, { id: 'b' }]));
    await flush();
    const connector = connectors.get('conn')!;
    assert.equal(connector.connects, 1);
    assert.equal(connector.live, 1);
    for (const id of ['a', 'b']) assert.deepEqual(last(id), { fill: 'green', shape: 'dot', text: 'connected' });
    assert.deepEqual(texts('a').slice(0, 1), ['yellow ring connecting']);
  });

  it('shows "retrying in … (n)" on every user, red after many attempts, and recovers without a redeploy', async () => {
    const connector = prepareConnector();
    connector.failNext(3, new Error('ECONNREFUSED 127.0.0.1:10009'));
    await helper.load(fixture, flow([{ id: 'a' }, { id: 'b' }]));
    await flush();
    for (const id of ['a', 'b']) assert.deepEqual(last(id), { fill: 'yellow', shape: 'ring', text: 'retrying in 1 s (1)' });
    await clock.advanceAsync(1000);
    await flush();
    assert.equal(last('b')?.text, 'retrying in 2 s (2)');
    await clock.advanceAsync(2000);
    await flush();
    assert.deepEqual(last('b'), { fill: 'red', shape: 'ring', text: 'retrying in 4 s (3)' });
    await clock.advanceAsync(4000);
    await flush();
    for (const id of ['a', 'b']) {
      assert.deepEqual(texts(id), [
        'yellow ring connecting',
        'yellow ring retrying in 1 s (1)',
        'yellow ring connecting',
        'yellow ring retrying in 2 s (2)',
        'yellow ring connecting',
        'red ring retrying in 4 s (3)',
        'yellow ring connecting',
        'green dot connected',
      ]);
    }
    assert.equal(connector.connects, 4);
    assert.equal(connector.live, 1);
  });

  it('a user that keeps its own status shows it while connected, and the connection state otherwise', async () => {
    await helper.load(fixture, flow([{ id: 'a', ownStatus: true }, { id: 'b' }]));
    await flush();
    assert.deepEqual(last('a'), { fill: 'blue', shape: 'dot', text: 'own status' });
    assert.equal(last('b')?.text, 'connected');
    connectors.get('conn')!.dropConnection(new Error('socket hang up'));
    await flush();
    assert.deepEqual(last('a'), { fill: 'yellow', shape: 'ring', text: 'retrying in 1 s (1)' });
    await clock.advanceAsync(1000);
    await flush();
    assert.deepEqual(last('a'), { fill: 'blue', shape: 'dot', text: 'own status' });
  });

  it('answers a message through the live connection', async () => {
    await helper.load(fixture, flow([{ id: 'a' }]));
    await flush();
    const answered = new Promise<unknown>((resolve) => helper.getNode('out').on('input', (msg: { payload: unknown }) => resolve(msg.payload)));
    helper.getNode('a').receive({ payload: 'which connection?' });
    assert.equal(await answered, connectors.get('conn')!.liveConnections[0].id);
  });

  it('a user added by a later deploy sees the current state at once, on the same connection', async () => {
    await helper.load(fixture, flow([{ id: 'a' }]));
    await flush();
    await helper.setFlows(flow([{ id: 'a' }, { id: 'c' }]), 'nodes');
    await flush();
    assert.deepEqual(texts('c'), ['green dot connected']);
    assert.equal(connectors.get('conn')!.connects, 1);
  });

  it('deleting the last user disconnects, while the config node stays deployed', async () => {
    await helper.load(fixture, flow([{ id: 'a' }, { id: 'b' }]));
    await flush();
    const connector = connectors.get('conn')!;
    await helper.setFlows(flow([{ id: 'a' }]), 'nodes');
    await flush();
    assert.equal(connector.disconnects, 0);
    await helper.setFlows(flow([]), 'nodes');
    await flush();
    assert.equal(connector.disconnects, 1);
    assert.equal(connector.live, 0);
    assert.ok(helper.getNode('conn'), 'the config node is still deployed');
  });

  it('a full redeploy disconnects and connects again', async () => {
    await helper.load(fixture, flow([{ id: 'a' }]));
    await flush();
    await helper.setFlows(flow([{ id: 'a' }]), 'full');
    await flush();
    const connector = connectors.get('conn')!;
    assert.equal(connector.disconnects, 1);
    assert.equal(connector.connects, 2);
    assert.equal(connector.live, 1);
    assert.equal(last('a')?.text, 'connected');
  });

  // The last user's close handler waits for the release of the live connection; the config node's close
  // handler waits for every release under way, here the lost connection's, which no user waits for.
  for (const lose of [false, true]) {
    it(`stopping the flows finishes by the close deadline when the disconnect of a ${lose ? 'lost' : 'live'} connection hangs`, async () => {
      await helper.load(fixture, flow([{ id: 'a' }], { disconnectTimeoutMs: 3000 }));
      await flush();
      const connector = connectors.get('conn')!;
      connector.hangDisconnect();
      if (lose) {
        connector.dropConnection();
        await flush();
      }
      let stopped = false;
      const stopping = helper.clearFlows().then(() => (stopped = true));
      await clock.advanceAsync(2900);
      assert.equal(stopped, false);
      await clock.advanceAsync(100);
      await stopping;
      assert.equal(clock.pendingCount, 0);
      // the connector gives in at last; the afterEach then finds nothing left open
      connector.releaseDisconnects();
    });
  }

  it('a user whose config node is missing shows a red ring', async () => {
    await helper.load(fixture, flow([{ id: 'a', connection: 'nowhere' }]));
    await flush();
    assert.deepEqual(last('a'), { fill: 'red', shape: 'ring', text: 'no connection set' });
    assert.equal(connectors.get('conn')!.connects, 0, 'the config node without users never connects');
  });
});
