// The market over a real broker, as one test run against any broker: the matcher behind core mqtt in / mqtt
// out nodes and mqtt-broker config nodes (node-red-node-test-helper, the real runtime), participants as mqtt.js
// clients on the docs/contracts.md topics (lib/topics.ts). Used against Aedes (test/nodes) and Mosquitto (test/interop).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { Topics } from '../../lib/topics';
import { isReject, isTrade } from '../../lib/schemas';
import { FakeClock } from './fake-clock';
import { signedOrder, testParticipant } from './market';
import { CONTROL_TOPIC, marketFlow } from './market-flow';
import { TestClient } from './mqtt';

const NODES = [require('../../nodes/flaregrid-matcher/flaregrid-matcher'), require('@node-red/nodes/core/network/10-mqtt.js'), require('@node-red/nodes/core/function/15-change.js')];
const topics = new Topics();

export interface BrokerUnderTest {
  url: string;
  port: number;
}

/**
 * Signed orders trade and both participants hear the Trade; forged, replayed and expired orders are refused,
 * each participant hearing only its own Rejects; a QoS 1 redelivery is taken once; a newcomer gets the book
 * retained.
 */
export async function tradeOverBroker(broker: BrokerUnderTest): Promise<void> {
  const clock = new FakeClock('2026-12-01T06:07:30Z');
  const alice = testParticipant('alice', 1);
  const bob = testParticipant('bob', 2);
  const mallory = testParticipant('mallory', 3);
  const dir = mkdtempSync(join(tmpdir(), 'flaregrid-matcher-mqtt-'));
  const clients: TestClient[] = [];
  const participant = async (id: string, ...subscriptions: string[]): Promise<TestClient> => {
    const client = await TestClient.connect(broker.url, `test-${id}`);
    clients.push(client);
    await client.subscribe(...subscriptions);
    return client;
  };
  /** Deploys the market flow and waits until it answers on MQTT (its mqtt in nodes are subscribed). */
  const deploy = async (observer: TestClient): Promise<void> => {
    // the book on every change: this test's clock stands still, so a rate-limited book would wait for ever
    await helper.load(NODES, marketFlow({ brokerPort: broker.port, dataDir: dir, participants: [alice.entry, bob.entry], matcher: { bookIntervalS: 0 } }));
    const deadline = Date.now() + 10_000;
    while (!observer.on(topics.book('well-7')).length) {
      if (Date.now() > deadline) throw new Error('the matcher did not answer on MQTT');
      await observer.publish(CONTROL_TOPIC, 'snapshot');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  helper.settings({ flaregrid: { clock } });
  try {
    const a = await participant('alice', topics.trades('well-7'), topics.rejects('well-7', 'alice'));
    const b = await participant('bob', topics.trades('well-7'), topics.rejects('well-7', 'bob'), topics.book('well-7'));
    await deploy(b);
    const now = clock.nowMs();
    await a.publish(topics.orders('well-7'), signedOrder(alice, now, { side: 'sell', quantityWh: 2000, priceMsatPerKwh: 95_000 }));
    await b.publish(topics.orders('well-7'), signedOrder(bob, now, { side: 'buy', quantityWh: 1500, priceMsatPerKwh: 98_000 }));
    await a.until((r) => r.some((m) => m.topic === topics.trades('well-7')), 'alice sees the trade');
    await b.until((r) => r.some((m) => m.topic === topics.trades('well-7')), 'bob sees the trade');
    const trade = a.on(topics.trades('well-7'))[0].payload;
    assert.ok(isTrade(trade), isTrade.problems(trade).join('; '));
    assert.deepEqual([trade.seller, trade.buyer, trade.quantityWh, trade.priceMsatPerKwh, trade.payTo], ['alice', 'bob', 1500, 95_000, alice.payTo]);

    // forged (mallory's key, alice's name), replayed (a nonce used again) and expired orders are refused; the
    // same order word for word (a QoS 1 redelivery) is taken once
    const forged = { ...signedOrder(mallory, now, { side: 'buy' }), participant: 'alice' };
    const bobsOrder = signedOrder(bob, now, { side: 'buy', priceMsatPerKwh: 90_000 });
    const replayed = signedOrder(bob, now, { side: 'buy', priceMsatPerKwh: 91_000, nonce: bobsOrder.nonce });
    const expired = signedOrder(bob, now, { createdAt: new Date(now - 700_000).toISOString(), expiresAt: new Date(now - 1000).toISOString() });
    await a.publish(topics.orders('well-7'), forged);
    await b.publish(topics.orders('well-7'), bobsOrder);
    await b.publish(topics.orders('well-7'), bobsOrder);
    await b.publish(topics.orders('well-7'), replayed);
    await b.publish(topics.orders('well-7'), expired);
    await a.until((r) => r.some((m) => m.topic === topics.rejects('well-7', 'alice')), "alice's reject");
    await b.until((r) => r.filter((m) => m.topic === topics.rejects('well-7', 'bob')).length === 2, "bob's two rejects");
    const aliceRejects = a.on(topics.rejects('well-7', 'alice')).map((m) => m.payload);
    const bobRejects = b.on(topics.rejects('well-7', 'bob')).map((m) => m.payload);
    for (const reject of [...aliceRejects, ...bobRejects]) assert.ok(isReject(reject), isReject.problems(reject).join('; '));
    assert.deepEqual(aliceRejects.map((r) => [r.orderId, r.reason]), [[forged.id, 'bad-signature']]);
    assert.deepEqual(bobRejects.map((r) => [r.orderId, r.reason]), [[replayed.id, 'replay'], [expired.id, 'expired']]);
    assert.equal(a.on(topics.rejects('well-7', 'bob')).length, 0, 'a participant hears only its own rejects');
    assert.equal(a.on(topics.trades('well-7')).length, 1, 'no trade from refused orders');

    // a newcomer gets the book retained: alice's 500 Wh left and bob's accepted bid
    await b.until((r) => r.some((m) => m.topic === topics.book('well-7') && m.payload.openOrders === 2), 'the book with both orders');
    const late = await participant('late', topics.book('well-7'));
    await late.until((r) => r.some((m) => m.retain), 'the retained book');
    assert.equal(late.received.find((m) => m.retain)?.payload.openOrders, 2);
  } finally {
    await helper.unload();
    helper.settings({});
    await Promise.all(clients.map((c) => c.end()));
    rmSync(dir, { recursive: true, force: true });
  }
}
