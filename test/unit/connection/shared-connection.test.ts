import assert from 'node:assert/strict';
import { ConnectionError } from '../../../lib/connection/types';
import { advance, flush, harness, RecordingUser } from './harness';

describe('shared connection: users and state', () => {
  it('connects when the first user registers, once for all users, and tells each of them', async () => {
    const { connector, shared } = harness();
    const a = new RecordingUser();
    const b = new RecordingUser();
    shared.register(a);
    assert.deepEqual(a.kinds, ['connecting']);
    shared.register(b);
    await flush();
    assert.equal(connector.connects, 1);
    assert.equal(connector.live, 1);
    assert.deepEqual(a.kinds, ['connecting', 'connected']);
    assert.deepEqual(b.kinds, ['connecting', 'connected']);
    assert.equal(shared.current(), connector.liveConnections[0]);
  });

  it('tells a user that registers later the current state at once, and only that', async () => {
    const { shared } = harness();
    shared.register(new RecordingUser());
    await flush();
    const late = new RecordingUser();
    shared.register(late);
    assert.deepEqual(late.kinds, ['connected']);
  });

  it('keeps the connection while any user is left and disconnects when the last one goes', async () => {
    const { connector, shared } = harness();
    const a = new RecordingUser();
    const b = new RecordingUser();
    shared.register(a);
    shared.register(b);
    await flush();
    await shared.deregister(a);
    assert.equal(connector.disconnects, 0);
    assert.equal(shared.userCount, 1);
    await shared.deregister(b);
    assert.equal(connector.disconnects, 1);
    assert.equal(connector.live, 0);
    assert.equal(shared.state.kind, 'disconnected');
    assert.equal(shared.current(), undefined);
    // a is gone: it heard nothing of b's leaving
    assert.deepEqual(a.kinds, ['connecting', 'connected']);
  });

  it('connects again for a new first user after the last one left', async () => {
    const { connector, shared } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await shared.deregister(a);
    shared.register(a);
    await flush();
    assert.equal(connector.connects, 2);
    assert.equal(connector.live, 1);
    assert.equal(shared.state.kind, 'connected');
  });

  it('ignores a user that deregisters twice or never registered', async () => {
    const { connector, shared } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await shared.deregister(new RecordingUser());
    assert.equal(connector.live, 1);
    await shared.deregister(a);
    await shared.deregister(a);
    assert.equal(connector.disconnects, 1);
  });

  it('whenConnected() waits for the connection, and gives up after its timeout with the last error', async () => {
    const { clock, connector, shared } = harness();
    const early = shared.whenConnected();
    connector.failNext(1, new Error('ECONNREFUSED 127.0.0.1:10009'));
    shared.register(new RecordingUser());
    await flush();
    const impatient = assert.rejects(shared.whenConnected(500), (err: unknown) => err instanceof ConnectionError && err.code === 'NOT_CONNECTED' && /ECONNREFUSED/.test(err.message));
    await advance(clock, 500);
    await impatient;
    await advance(clock, 500);
    assert.equal(await early, connector.liveConnections[0]);
    assert.equal(await shared.whenConnected(1), connector.liveConnections[0]);
    assert.equal(clock.pendingCount, 1, 'only the stability timer is left');
  });

  it('a throwing user is reported and does not keep the others from hearing the state', async () => {
    const { shared, warnings } = harness();
    shared.register({
      onState: (state) => {
        if (state.kind === 'connected') throw new Error('status failed');
      },
    });
    const b = new RecordingUser();
    shared.register(b);
    await flush();
    assert.equal(b.last?.kind, 'connected');
    assert.deepEqual(warnings, ["a connection user failed on state 'connected': status failed"]);
  });

  it('invalidate() from a user reconnects; an invalidation of an old connection is ignored', async () => {
    const { clock, connector, shared } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    const first = shared.current()!;
    shared.invalidate(first, new Error('401 token expired'));
    assert.deepEqual(a.last, { kind: 'retrying', attempt: 1, retryInMs: 1000, retryAtMs: 1000, lastError: '401 token expired' });
    await advance(clock, 1000);
    const second = shared.current()!;
    assert.notEqual(second, first);
    shared.invalidate(first, new Error('late complaint'));
    assert.equal(shared.current(), second);
    assert.equal(connector.live, 1);
  });

  it('a connection reported lost before connect() resolved counts as a failure and is released', async () => {
    const { connector, shared } = harness();
    connector.hangNextConnect();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    connector.attempts[0].lost(new Error('handshake reset'));
    connector.heldConnect().resolve();
    await flush();
    assert.equal(connector.live, 0);
    assert.equal(a.last?.kind, 'retrying');
    assert.equal(a.last?.kind === 'retrying' && a.last.lastError, 'handshake reset');
  });

  it('refuses options that are not positive durations', () => {
    assert.throws(() => harness({ connectTimeoutMs: 0 }), (err: unknown) => err instanceof ConnectionError && err.code === 'OPTIONS');
    assert.throws(() => harness({ disconnectTimeoutMs: Number.NaN }), /disconnectTimeoutMs/);
  });
});
