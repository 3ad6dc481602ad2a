// The adapter's texts, statuses and log, without the runtime (the runtime test is test/nodes/connection-node.test.ts).

import assert from 'node:assert/strict';
import { connectionStatus, ownConnection, translator } from '../../../nodes/shared/connection-node';
import type { NodeRedAPI, RuntimeNode } from '../../../nodes/shared/red';
import { formatWaitMs } from '../../../nodes/shared/status';
import { FakeClock } from '../../support/fake-clock';
import { FakeConnector } from '../../support/fake-connector';
import { advance, flush } from './harness';

function fakeRED(clock: FakeClock, translations: Record<string, string> = {}): NodeRedAPI {
  return {
    _: (key: string) => translations[key] ?? key,
    settings: { flaregrid: { clock } },
    nodes: { getNode: () => null },
  } as unknown as NodeRedAPI;
}

function fakeNode() {
  const log: string[] = [];
  const closeHandlers: ((removed: boolean, done: () => void) => void)[] = [];
  const node = {
    id: 'lnd',
    type: 'test-connection',
    log: (text: string) => log.push(`log ${text}`),
    warn: (text: string) => log.push(`warn ${text}`),
    on: (_event: string, handler: (removed: boolean, done: () => void) => void) => closeHandlers.push(handler),
    status: () => undefined,
  } as unknown as RuntimeNode;
  return { node, log, closeHandlers };
}

describe('connection node adapter', () => {
  it('maps every state to a short status, red from the alarm attempt on', () => {
    const t = translator(fakeRED(new FakeClock(0)));
    assert.deepEqual(connectionStatus({ kind: 'connecting', attempt: 0 }, t), { fill: 'yellow', shape: 'ring', text: 'connecting' });
    assert.deepEqual(connectionStatus({ kind: 'connected' }, t), { fill: 'green', shape: 'dot', text: 'connected' });
    const retrying = (attempt: number) => ({ kind: 'retrying', attempt, retryInMs: 4600, retryAtMs: 0, lastError: 'x' }) as const;
    assert.deepEqual(connectionStatus(retrying(4), t), { fill: 'yellow', shape: 'ring', text: 'retrying in 5 s (4)' });
    assert.deepEqual(connectionStatus(retrying(5), t), { fill: 'red', shape: 'ring', text: 'retrying in 5 s (5)' });
    assert.equal(connectionStatus(retrying(2), t, 2).fill, 'red');
    for (const kind of ['disconnected', 'closed'] as const) {
      assert.deepEqual(connectionStatus({ kind }, t), { fill: 'grey', shape: 'ring', text: 'disconnected' });
    }
  });

  it("takes a text from the config node's own catalogue when it has one, else the shared English one", () => {
    const t = translator(fakeRED(new FakeClock(0), { 'connection.status.connected': 'verbunden' }));
    assert.equal(t('status.connected'), 'verbunden');
    assert.equal(t('status.retrying', { delay: '2 s', attempt: 7 }), 'retrying in 2 s (7)');
    assert.throws(() => t('status.nonsense'), /no connection text 'status.nonsense'/);
  });

  it('formats waits in whole seconds, at least 1 s, and in minutes from 2 min', () => {
    assert.deepEqual([400, 4600, 90_000, 300_000].map(formatWaitMs), ['1 s', '5 s', '90 s', '5 min']);
  });

  it('logs a failure once per episode or when its error changes, a loss, and each connect', async () => {
    const clock = new FakeClock(0);
    const connector = new FakeConnector();
    const { node, log, closeHandlers } = fakeNode();
    const owner = ownConnection(fakeRED(clock), node, connector, { backoff: { initialMs: 1000, jitter: 0 } });
    connector.failNext(2, new Error('ECONNREFUSED'));
    connector.failNext(1, new Error('EHOSTUNREACH'));
    owner.register({ id: 'user', status: () => undefined } as unknown as RuntimeNode);
    await flush();
    await advance(clock, 1000 + 2000 + 4000);
    connector.dropConnection(new Error('socket hang up'));
    await flush();
    assert.deepEqual(log, [
      'warn cannot connect: ECONNREFUSED (retrying in 1 s)',
      'warn cannot connect: EHOSTUNREACH (retrying in 4 s)',
      'log connected',
      // up for less than stableAfterMs: the fourth retry in a row
      'warn connection lost: socket hang up (retrying in 8 s)',
    ]);
    assert.equal(closeHandlers.length, 1);
    assert.equal(closeHandlers[0].length, 2, 'a close handler of exactly (removed, done)');
    let done = false;
    closeHandlers[0](false, () => (done = true));
    await flush();
    assert.equal(done, true);
    assert.equal(clock.pendingCount, 0);
  });
});
