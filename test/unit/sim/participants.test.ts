// The simulator's market participants against the matcher's own code: their canonical JSON (written from RFC 8785)
// equals lib/canonical-json's, their signatures verify with lib/market/identity's registry, their orders pass the
// Order contract on the market's price grid and slots, and over a real broker they post one order per participant
// and slot and keep the rejects sent to them.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { canonicalJson as libCanonical } from '../../../lib/canonical-json';
import { ParticipantRegistry } from '../../../lib/market/identity';
import { isOrder } from '../../../lib/schemas';
import { canonicalJson, nextOpenSlotMs, onGrid, participantIdentities, planOrder, registryOf, startParticipants, writeRegistry, type MarketRules, type ParticipantSpec } from '../../../sim/participants';
import { newSigningIdentity } from '../../../sim/participants/signing';
import { Prng } from '../../../sim/plant/prng';
import { FakeClock } from '../../support/fake-clock';

const RULES: MarketRules = { market: 'market-1', slotMs: 900_000, gateClosureLeadMs: 300_000, tickMsatPerKwh: 1000, priceFloorMsatPerKwh: 0, priceCapMsatPerKwh: 1_000_000 };
const SPEC: ParticipantSpec = { id: 'prosumer-1', prosumer: 0, zone: 'z1', payTo: `02${'ab'.repeat(32)}`, buySatPerKwh: [80, 160], sellSatPerKwh: [40, 90] };

describe('simulated participants', () => {
  it('write the canonical JSON that lib/canonical-json writes, for any JSON value', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 5 }),
    })).value;
    fc.assert(fc.property(json, (value) => canonicalJson(value) === libCanonical(value)), { numRuns: 500 });
    assert.equal(canonicalJson({ b: [1e21, 0.1, -0], a: 'é\u0001"', '\u20ac': 1, '\ud83d\ude00': 2 }), libCanonical({ b: [1e21, 0.1, -0], a: 'é\u0001"', '\u20ac': 1, '\ud83d\ude00': 2 }));
  });

  it('sign orders that the matcher registry verifies, and not once a field changes', () => {
    const identity = newSigningIdentity();
    const registry = new ParticipantRegistry([{ id: 'prosumer-1', publicKey: identity.publicKeyHex }]);
    const order = identity.signed({ type: 'order', id: 'o-1', market: 'market-1', participant: 'prosumer-1', side: 'buy', quantityWh: 5000, priceMsatPerKwh: 120_000, deliveryStart: '2026-06-21T12:15:00.000Z', deliveryEnd: '2026-06-21T12:30:00.000Z', createdAt: '2026-06-21T12:01:00.000Z', nonce: 'abcdefgh1234' });
    assert.match(order.sig, /^[0-9a-f]{128}$/);
    assert.equal(registry.verify(order), true);
    assert.equal(registry.verify({ ...order, quantityWh: 5001 }), false);
  });

  it('plan a buy of the expected draw and a sell of the expected export, on the price grid', () => {
    const prng = new Prng(7);
    const buy = planOrder(SPEC, 20_000, RULES, prng)!;
    assert.deepEqual([buy.side, buy.quantityWh], ['buy', 5000]);
    assert.ok(buy.priceMsatPerKwh >= 80_000 && buy.priceMsatPerKwh <= 160_000 && buy.priceMsatPerKwh % 1000 === 0, String(buy.priceMsatPerKwh));
    const sell = planOrder(SPEC, -6_000, RULES, prng)!;
    assert.deepEqual([sell.side, sell.quantityWh], ['sell', 1500]);
    assert.equal(planOrder(SPEC, 300, RULES, prng), undefined, 'no order for 75 Wh');
    assert.equal(planOrder({ ...SPEC, sellSatPerKwh: undefined }, -6_000, RULES, prng), undefined, 'a buyer only sells nothing');
    assert.equal(onGrid(1_234_567, RULES), 1_000_000, 'capped');
    assert.equal(onGrid(-5, RULES), 0, 'floored');
    const t = Date.parse('2026-06-21T12:08:00Z');
    assert.equal(new Date(nextOpenSlotMs(t, RULES, 60_000)).toISOString(), '2026-06-21T12:15:00.000Z', "12:15's gate closes at 12:10");
    assert.equal(new Date(nextOpenSlotMs(t + 90_000, RULES, 60_000)).toISOString(), '2026-06-21T12:30:00.000Z', 'too late for 12:15');
  });

  describe('over a broker', () => {
    let server: ReturnType<typeof createServer>;
    let broker: Aedes;
    let url: string;
    let dir: string;
    before(async () => {
      broker = await Aedes.createBroker();
      server = createServer(broker.handle);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
      dir = mkdtempSync(join(tmpdir(), 'flaregrid-participants-'));
    });
    after(async () => {
      await new Promise<void>((done) => broker.close(() => done()));
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('post one signed order per participant and slot, write the registry and keep their rejects', async () => {
      const clock = new FakeClock('2026-06-21T12:01:00Z');
      const watcher = await mqtt.connectAsync(url);
      const orders: any[] = [];
      watcher.on('message', (topic, payload) => topic === 'flaregrid/market-1/orders' && orders.push(JSON.parse(payload.toString())));
      await watcher.subscribeAsync('flaregrid/market-1/orders', { qos: 1 });
      const specs: ParticipantSpec[] = [SPEC, { ...SPEC, id: 'prosumer-3', prosumer: 2 }];
      const net = [15_000, -8_000];
      const identities = participantIdentities(specs);
      writeRegistry(join(dir, 'registry.json'), registryOf(specs, identities));
      const running = await startParticipants({ brokerUrl: url, clock, rules: RULES, participants: specs, identities, netDrawW: (i) => net[i === 0 ? 0 : 1], seed: 3 });
      try {
        const until = async (test: () => boolean) => {
          for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
          assert.ok(test());
        };
        // The first orders come 5 to 30 s after the start.
        await clock.advanceAsync(30_000, 1000);
        await until(() => orders.length === 2);
        const registry = new ParticipantRegistry(JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')));
        for (const order of orders) {
          assert.ok(isOrder(order), isOrder.problems(order).join('; '));
          assert.equal(registry.verify(order), true, `${order.participant}'s signature`);
          assert.equal(order.deliveryStart, '2026-06-21T12:15:00.000Z');
          assert.equal(order.expiresAt, '2026-06-21T12:10:00.000Z');
        }
        const [buy, sell] = ['prosumer-1', 'prosumer-3'].map((id) => orders.find((o) => o.participant === id));
        assert.deepEqual([buy.side, buy.quantityWh, buy.payTo], ['buy', 3750, undefined]);
        assert.deepEqual([sell.side, sell.quantityWh, sell.payTo], ['sell', 2000, SPEC.payTo]);
        // The next slot's orders come early in the next slot, for the slot after it.
        await clock.advanceAsync(15 * 60_000, 1000);
        await until(() => orders.length === 4);
        assert.deepEqual([...new Set(orders.slice(2).map((o) => o.deliveryStart))], ['2026-06-21T12:30:00.000Z']);
        await watcher.publishAsync('flaregrid/market-1/rejects/prosumer-1', JSON.stringify({ type: 'reject', orderId: buy.id, reason: 'off-tick', message: 'priceMsatPerKwh is off the tick', order: buy }), { qos: 1 });
        await until(() => running.truth()[0].rejects.length === 1);
        assert.deepEqual(running.truth()[0].rejects, [{ reason: 'off-tick', message: 'priceMsatPerKwh is off the tick' }]);
        assert.equal(running.truth()[0].ordersSent, 2);
      } finally {
        await running.stop();
        await watcher.endAsync();
      }
    });
  });
});
