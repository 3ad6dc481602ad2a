import assert from 'node:assert/strict';
import { ConnectionError, type ConnectionState } from '../../../lib/connection/types';
import { Prng } from '../../../sim/plant/prng';
import { advance, flush, harness, RecordingUser } from './harness';

const retries = (states: ConnectionState[]) =>
  states.flatMap((state) => (state.kind === 'retrying' ? [[state.attempt, state.retryInMs]] : []));

describe('shared connection: failures, retries and close', () => {
  it('retries a failed connect after bounded back-off, tells every user, and recovers by itself', async () => {
    const { clock, connector, shared } = harness();
    connector.failNext(5, new Error('ECONNREFUSED'));
    const a = new RecordingUser();
    const b = new RecordingUser();
    shared.register(a);
    shared.register(b);
    await flush();
    assert.deepEqual(a.last, { kind: 'retrying', attempt: 1, retryInMs: 1000, retryAtMs: 1000, lastError: 'ECONNREFUSED' });
    await advance(clock, 999);
    assert.equal(connector.connects, 1, 'not before the delay is over');
    await advance(clock, 1 + 2000 + 4000 + 8000 + 8000);
    assert.equal(connector.connects, 6);
    assert.equal(connector.live, 1);
    for (const user of [a, b]) {
      assert.deepEqual(retries(user.states), [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 8000]]);
      assert.equal(user.last?.kind, 'connected');
    }
    const connecting = a.states.flatMap((state) => (state.kind === 'connecting' ? [state.attempt] : []));
    assert.deepEqual(connecting, [0, 1, 2, 3, 4, 5]);
  });

  it('keeps jittered retry delays inside their bounds (seeded random)', async () => {
    const prng = new Prng(42);
    const { clock, connector, shared } = harness({ backoff: { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0.5, random: () => prng.next() } });
    connector.failNext(20);
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await advance(clock, 20 * 8000);
    const delays = retries(a.states);
    assert.equal(delays.length, 20);
    for (const [attempt, delay] of delays) {
      const ceiling = Math.min(8000, 1000 * 2 ** (attempt - 1));
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `retry ${attempt}: ${delay} ms`);
    }
    assert.ok(new Set(delays.map(([, delay]) => delay)).size > 10, 'the delays vary');
  });

  it('reconnects after a lost connection and releases the lost one', async () => {
    const { clock, connector, shared } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    connector.dropConnection(new Error('socket hang up'));
    await flush();
    assert.equal(connector.disconnects, 1, 'the broken connection is released');
    assert.equal(connector.live, 0);
    assert.deepEqual(a.last, { kind: 'retrying', attempt: 1, retryInMs: 1000, retryAtMs: 1000, lastError: 'socket hang up' });
    await advance(clock, 1000);
    assert.equal(a.last?.kind, 'connected');
    assert.equal(connector.live, 1);
  });

  it('counts attempts on until a connection has stayed up for stableAfterMs, then starts over', async () => {
    const { clock, connector, shared } = harness({ stableAfterMs: 10_000 });
    connector.failNext(2);
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await advance(clock, 1000 + 2000);
    assert.equal(a.last?.kind, 'connected');
    // up for 9.9 s only: a server that accepts and drops keeps backing off
    await advance(clock, 9900);
    connector.dropConnection();
    await flush();
    assert.deepEqual(retries(a.states).at(-1), [3, 4000]);
    await advance(clock, 4000 + 10_000);
    connector.dropConnection();
    await flush();
    assert.deepEqual(retries(a.states).at(-1), [1, 1000]);
  });

  it('never starts a connect while another is under way', async () => {
    const { connector, shared } = harness();
    connector.hangNextConnect();
    const a = new RecordingUser();
    const b = new RecordingUser();
    shared.register(a);
    shared.register(b);
    await shared.deregister(a);
    await shared.deregister(b);
    shared.register(a);
    await flush();
    assert.equal(connector.connects, 1);
    connector.heldConnect().resolve();
    await flush();
    assert.equal(connector.connects, 1);
    assert.equal(connector.live, 1);
    assert.equal(a.last?.kind, 'connected');
  });

  it('waits for the lost connection to be released (or given up on) before connecting again', async () => {
    const { clock, connector, shared, warnings } = harness({ disconnectTimeoutMs: 5000 });
    shared.register(new RecordingUser());
    await flush();
    connector.hangDisconnect();
    connector.dropConnection();
    await advance(clock, 1000);
    assert.equal(connector.connects, 1, 'the retry is due but the old connection is still closing');
    await advance(clock, 4000);
    assert.equal(connector.connects, 2);
    assert.deepEqual(warnings, ['gave up waiting for a disconnect after 5000 ms']);
  });

  it('gives up on a connect that hangs, aborts it, and releases it if it connects later', async () => {
    const { clock, connector, shared } = harness({ connectTimeoutMs: 3000 });
    connector.hangNextConnect();
    const a = new RecordingUser();
    shared.register(a);
    await advance(clock, 3000);
    assert.equal(a.last?.kind, 'retrying');
    assert.equal(a.last?.kind === 'retrying' && a.last.lastError, 'no connection within 3000 ms');
    const held = connector.heldConnect();
    assert.equal(held.signal?.aborted, true);
    held.resolve();
    await flush();
    assert.equal(connector.disconnects, 1, 'the late connection is released at once');
    await advance(clock, 1000);
    assert.equal(connector.live, 1);
    assert.equal(a.last?.kind, 'connected');
  });

  it('releases a connect that resolves after the last user left', async () => {
    const { connector, shared } = harness();
    connector.hangNextConnect();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await shared.deregister(a);
    connector.heldConnect().resolve();
    await flush();
    assert.equal(connector.live, 0);
    assert.equal(connector.disconnects, 1);
    assert.equal(shared.state.kind, 'disconnected');
  });

  it('cancels a pending retry when the last user leaves', async () => {
    const { clock, connector, shared } = harness();
    connector.failNext(1);
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    assert.equal(a.last?.kind, 'retrying');
    await shared.deregister(a);
    assert.deepEqual(shared.state, { kind: 'disconnected', lastError: 'connection refused' });
    assert.equal(clock.pendingCount, 0);
    await advance(clock, 60_000);
    assert.equal(connector.connects, 1);
  });

  it('close() releases the connection, tells the users, and rejects waiters', async () => {
    const { clock, connector, shared } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await shared.close();
    assert.equal(connector.live, 0);
    assert.deepEqual(a.last, { kind: 'closed', lastError: undefined });
    assert.equal(clock.pendingCount, 0);
    await assert.rejects(shared.whenConnected(), (err: unknown) => err instanceof ConnectionError && err.code === 'CLOSED');
    const late = new RecordingUser();
    shared.register(late);
    assert.deepEqual(late.kinds, ['closed']);
    assert.equal(connector.connects, 1, 'a closed connection never connects again');
    assert.equal(shared.close(), shared.close());
  });

  it('close() settles by its deadline when the disconnect hangs, then logs nothing', async () => {
    const { clock, connector, shared, warnings } = harness({ disconnectTimeoutMs: 5000 });
    const waiting = shared.whenConnected(60_000);
    shared.register(new RecordingUser());
    await flush();
    await waiting;
    connector.hangDisconnect();
    let closed = false;
    void shared.close().then(() => (closed = true));
    await advance(clock, 4999);
    assert.equal(closed, false);
    await advance(clock, 1);
    assert.equal(closed, true);
    assert.equal(clock.pendingCount, 0, 'no timer outlives close()');
    const before = warnings.length;
    connector.releaseDisconnects(new Error('EPIPE'));
    await flush();
    assert.equal(warnings.length, before, 'nothing is logged after close');
  });

  it('releases a connect that resolves after close(), silently', async () => {
    const { connector, shared, warnings } = harness();
    connector.hangNextConnect();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    await shared.close();
    const held = connector.heldConnect();
    assert.equal(held.signal?.aborted, true);
    held.resolve();
    await flush();
    assert.equal(connector.live, 0);
    assert.deepEqual(a.kinds, ['connecting', 'closed']);
    assert.deepEqual(warnings, []);
  });

  it('reports a disconnect that fails while it is running', async () => {
    const { connector, shared, warnings } = harness();
    const a = new RecordingUser();
    shared.register(a);
    await flush();
    connector.hangDisconnect();
    const leaving = shared.deregister(a);
    connector.releaseDisconnects(new Error('EPIPE'));
    await leaving;
    assert.deepEqual(warnings, ['disconnect failed: EPIPE']);
  });
});
