// flaregrid-offer and flaregrid-participant on the real runtime: signed orders and cancels from the dialog and
// the message, typed inputs, the key endpoints, and errors that name the field.
import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import { generateSigningKey, ParticipantRegistry } from '../../lib/market/identity';
import { isCancel, isOrder, type Cancel, type Order } from '../../lib/schemas';
import { FakeClock } from '../support/fake-clock';

const runtimeEvents = require('@node-red/util').events;
const NODES = [require('../../nodes/flaregrid-participant/flaregrid-participant'), require('../../nodes/flaregrid-offer/flaregrid-offer')];
const KEY = generateSigningKey();
const PAY_TO = `03${'cd'.repeat(32)}`;

interface Sent {
  topic: string;
  qos: number;
  payload: Order & { sig?: string };
}

function flow(offer: Record<string, unknown> = {}, participant: Record<string, unknown> = {}) {
  const onTab = (n: Record<string, unknown>) => ({ ...n, z: 'tab', x: 100, y: 100 });
  return [
    { id: 'tab', type: 'tab' },
    { id: 'alice-key', type: 'flaregrid-participant', participantId: 'alice', zone: 'feeder-1', payTo: PAY_TO, publicKey: KEY.publicKeyHex, ...participant },
    onTab({
      id: 'offer', type: 'flaregrid-offer', participant: 'alice-key', market: 'well-7', action: 'order', side: 'sell', orderType: 'limit',
      quantity: '1500', quantityType: 'num', price: '95000', priceType: 'num', minFillWh: '', window: 'next-slot', slotMinutes: 15,
      slotAt: 'deliveryAt', slotAtType: 'msg', deliveryStart: '', deliveryEnd: '', expiresAfterS: 600, wires: [['out']], ...offer,
    }),
    onTab({ id: 'out', type: 'helper' }),
    onTab({ id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] }),
    onTab({ id: 'caught', type: 'helper' }),
  ];
}

describe('flaregrid-offer with a flaregrid-participant', () => {
  const clock = new FakeClock('2026-12-01T06:07:30Z');
  const registry = new ParticipantRegistry([{ id: 'alice', publicKey: KEY.publicKeyHex }]);
  const statuses: { fill?: string; text?: string }[] = [];

  before(() => helper.settings({ flaregrid: { clock } }));
  after(() => helper.settings({}));
  afterEach(() => helper.unload());

  async function load(offer: Record<string, unknown> = {}, participant: Record<string, unknown> = {}, privateKey = KEY.privateKeyHex) {
    await helper.load(NODES, flow(offer, participant), { 'alice-key': { privateKey } });
    statuses.length = 0;
    helper.getNode('offer').on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  }

  function next(): Promise<Sent> {
    return new Promise((resolve) => helper.getNode('out').once('input', resolve));
  }

  function caught(): Promise<string> {
    return new Promise((resolve) => helper.getNode('caught').once('input', (msg: { error: { message: string } }) => resolve(msg.error.message)));
  }

  it('sends a signed Order for the next slot on the orders topic, and shows it', async () => {
    await load();
    const sent = next();
    helper.getNode('offer').receive({ payload: Date.now() });
    const msg = await sent;
    assert.equal(msg.topic, 'flaregrid/well-7/orders');
    assert.equal(msg.qos, 1);
    const order = msg.payload;
    assert.ok(isOrder(order), isOrder.problems(order).join('; '));
    assert.ok(registry.verify(order), 'the signature is the participant key');
    assert.deepEqual(
      [order.side, order.quantityWh, order.priceMsatPerKwh, order.deliveryStart, order.deliveryEnd, order.zone, order.payTo, order.createdAt, order.expiresAt],
      ['sell', 1500, 95_000, '2026-12-01T06:15:00.000Z', '2026-12-01T06:30:00.000Z', 'feeder-1', PAY_TO, '2026-12-01T06:07:30.000Z', '2026-12-01T06:17:30.000Z'],
    );
    assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: 'sell 1.50 kWh @95 sat' });
  });

  it('shows from the start what it will do, before its first message', async () => {
    const initial = new Map<string, { fill?: string; shape?: string; text?: string }>();
    const onStatus = (event: { id: string; status: { fill?: string; text?: string } }) => initial.set(event.id, event.status);
    runtimeEvents.on('node-status', onStatus);
    try {
      await load();
      assert.deepEqual(initial.get('offer'), { fill: 'green', shape: 'ring', text: 'flaregrid-offer.status.idle' });
      await helper.unload();
      await load({ action: 'cancel' });
      assert.deepEqual(initial.get('offer'), { fill: 'green', shape: 'ring', text: 'flaregrid-offer.status.idleCancel' });
      await helper.unload();
      await load({}, { publicKey: '' }, '');
      assert.deepEqual(initial.get('offer'), { fill: 'yellow', shape: 'ring', text: 'flaregrid-offer.status.unsigned' });
    } finally {
      runtimeEvents.removeListener('node-status', onStatus);
    }
  });

  it('takes price and quantity from the message, context, env and JSONata', async () => {
    process.env.FLAREGRID_TEST_QUANTITY = '2500';
    try {
      const cases: [Record<string, unknown>, Record<string, unknown>, number, number][] = [
        [{ price: 'slider', priceType: 'msg', quantity: 'qty', quantityType: 'msg' }, { slider: 87_000, qty: '700' }, 700, 87_000],
        [{ price: 'offerPrice', priceType: 'flow' }, {}, 1500, 91_000],
        [{ quantity: 'FLAREGRID_TEST_QUANTITY', quantityType: 'env' }, {}, 2500, 95_000],
        [{ price: 'base * 2', priceType: 'jsonata' }, { base: 40_000 }, 1500, 80_000],
      ];
      for (const [offer, msg, quantityWh, priceMsatPerKwh] of cases) {
        await load(offer);
        helper.getNode('offer').context().flow.set('offerPrice', 91_000);
        const sent = next();
        helper.getNode('offer').receive(msg);
        const order = (await sent).payload;
        assert.deepEqual([order.quantityWh, order.priceMsatPerKwh], [quantityWh, priceMsatPerKwh], JSON.stringify(offer));
        await helper.unload();
      }
    } finally {
      delete process.env.FLAREGRID_TEST_QUANTITY;
    }
  });

  it('refuses a typed value that is not a whole number, naming the field and its source', async () => {
    await load({ price: 'slider', priceType: 'msg' });
    const error = caught();
    helper.getNode('offer').receive({ slider: 95.5 });
    assert.match(await error, /Price \(msat\/kWh\) must be a whole number of 0 or more, got 95.5 \(from msg.slider\)/);
    assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: 'flaregrid-offer.status.invalid' });
  });

  it('lets msg.payload override the dialog where allowed, and names a field it may not set', async () => {
    await load();
    const sent = next();
    helper.getNode('offer').receive({ payload: { side: 'buy', quantityWh: 400, priceMsatPerKwh: 99_000, deliveryAt: '2026-12-01T10:20:00Z', id: 'mine-1' } });
    const order = (await sent).payload;
    assert.deepEqual([order.id, order.side, order.quantityWh, order.priceMsatPerKwh, order.deliveryStart, order.payTo], ['mine-1', 'buy', 400, 99_000, '2026-12-01T10:15:00.000Z', undefined]);
    const error = caught();
    helper.getNode('offer').receive({ payload: { participant: 'mallory' } });
    assert.match(await error, /msg.payload.participant cannot be set by a message/);
  });

  it('uses the slot at a time and an absolute window', async () => {
    await load({ window: 'slot-at', slotAt: 'when', slotAtType: 'msg' });
    let sent = next();
    helper.getNode('offer').receive({ when: Date.parse('2026-12-01T12:59:00Z') });
    assert.equal((await sent).payload.deliveryStart, '2026-12-01T12:45:00.000Z');
    await helper.unload();
    await load({ window: 'absolute', deliveryStart: '2026-12-02T00:00:00Z', deliveryEnd: '2026-12-02T00:15:00Z' });
    sent = next();
    helper.getNode('offer').receive({});
    assert.deepEqual([(await sent).payload.deliveryStart, (await sent).payload.deliveryEnd], ['2026-12-02T00:00:00Z', '2026-12-02T00:15:00Z']);
  });

  it('cancels the last order it sent, or the one msg.payload.id names', async () => {
    await load();
    let sent = next();
    helper.getNode('offer').receive({});
    const order = (await sent).payload;
    sent = next();
    helper.getNode('offer').receive({ payload: { type: 'cancel' } });
    const cancel = (await sent).payload as unknown as Cancel;
    assert.ok(isCancel(cancel), isCancel.problems(cancel).join('; '));
    assert.equal(cancel.id, order.id);
    assert.ok(registry.verify(cancel));
    assert.notEqual(cancel.nonce, order.nonce);
    await helper.unload();
    await load({ action: 'cancel' });
    const error = caught();
    helper.getNode('offer').receive({});
    assert.match(await error, /a cancel needs msg.payload.id/);
    sent = next();
    helper.getNode('offer').receive({ payload: { id: 'o-elsewhere' } });
    assert.equal((await sent).payload.id, 'o-elsewhere');
  });

  it('sends unsigned orders with a yellow status when its participant has no key', async () => {
    await load({}, { publicKey: '' }, '');
    const sent = next();
    helper.getNode('offer').receive({});
    const order = (await sent).payload;
    assert.equal(order.sig, undefined);
    assert.deepEqual(statuses.at(-1), { fill: 'yellow', shape: 'dot', text: 'sell 1.50 kWh @95 sat' });
  });

  it('shows a config error for a participant whose key is not its public key, or a bad field', async () => {
    await load({}, { publicKey: generateSigningKey().publicKeyHex });
    const error = caught();
    helper.getNode('offer').receive({});
    assert.match(await error, /signing key does not belong to the public key/);
    await helper.unload();
    await load({}, { payTo: 'nope' });
    const second = caught();
    helper.getNode('offer').receive({});
    assert.match(await second, /Pay to must be a Lightning node public key/);
    await helper.unload();
    await load({ quantity: '1.5' });
    const third = caught();
    helper.getNode('offer').receive({});
    assert.match(await third, /Quantity \(Wh\) must be a whole number of 1 or more, got '1.5'/);
  });

  it('hands the dialog a fresh key pair and the public key of a pasted key, through the admin API', async () => {
    await load();
    const pair = await helper.request().post('/flaregrid-participant/keys').send({}).expect(200);
    assert.match(pair.body.privateKey, /^[0-9a-f]{64}$/);
    assert.equal(pair.headers['cache-control'], 'no-store');
    const derived = await helper.request().post('/flaregrid-participant/public-key').send({ privateKey: pair.body.privateKey }).expect(200);
    assert.equal(derived.body.publicKey, pair.body.publicKey);
    const bad = await helper.request().post('/flaregrid-participant/public-key').send({ privateKey: 'zz' }).expect(400);
    assert.match(bad.body.error, /64 lowercase hex digits/);
    const catalogue = await helper.request().get('/flaregrid/contracts').expect(200);
    assert.deepEqual(catalogue.body.enums.deliveryWindows, ['next-slot', 'slot-at', 'absolute']);
    assert.deepEqual(catalogue.body.enums.registrySources, ['config', 'file', 'msg']);
  });
});
