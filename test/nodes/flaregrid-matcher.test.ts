// flaregrid-matcher on the real runtime: orders in, trades, rejects and the book out; bad input refused with
// the book and the journal untouched; the registry from config, a file, a message or local participant nodes;
// restart from the journal with undelivered trades sent again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { verifyJournal } from '../../lib/journal';
import type { Reject, Trade } from '../../lib/schemas';
import { FakeClock } from '../support/fake-clock';
import { matcherConfig, orderOf, signedCancel, signedOrder, testParticipant } from '../support/market';

/** Completes a message only when the test says so, as an mqtt out node does when the broker acknowledges it. */
const gates: (() => void)[] = [];
function gateNode(RED: any): void {
  RED.nodes.registerType('test-gate', function (this: any, config: object) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: object, send: (msg: object) => void, done: () => void) => {
      send(msg);
      gates.push(done);
    });
  });
}
const NODES = [require('../../nodes/flaregrid-matcher/flaregrid-matcher'), require('../../nodes/flaregrid-participant/flaregrid-participant'), gateNode];

interface Out<T> {
  topic: string;
  payload: T;
  retain?: boolean;
}

describe('flaregrid-matcher', () => {
  const clock = new FakeClock('2026-12-01T06:07:30Z');
  const alice = testParticipant('alice', 1);
  const bob = testParticipant('bob', 2);
  const mallory = testParticipant('mallory', 3);
  let dir: string;
  const trades: Out<Trade>[] = [];
  const rejects: Out<Reject>[] = [];
  const books: Out<{ openOrders: number }>[] = [];
  const statuses: { fill?: string; text?: string }[] = [];

  before(() => helper.settings({ flaregrid: { clock } }));
  after(() => helper.settings({}));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flaregrid-matcher-'))));
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  interface LoadOptions {
    more?: object[];
    credentials?: object;
    /** wait for the book the matcher sends when its journal is open */
    opens?: boolean;
    /** the nodes on output 1 */
    tradesTo?: string[];
  }

  async function load(extra: Record<string, unknown> = {}, { more = [], credentials = {}, opens = true, tradesTo = ['trades'] }: LoadOptions = {}) {
    trades.length = rejects.length = books.length = statuses.length = gates.length = 0;
    const onTab = (n: object) => ({ ...n, z: 'tab', x: 100, y: 100 });
    await helper.load(
      NODES,
      [
        { id: 'tab', type: 'tab' },
        onTab({ id: 'matcher', ...matcherConfig(dir, [alice.entry, bob.entry], extra), wires: [tradesTo, ['rejects'], ['book']] }),
        onTab({ id: 'gate', type: 'test-gate', wires: [['trades']] }),
        onTab({ id: 'trades', type: 'helper' }),
        onTab({ id: 'rejects', type: 'helper' }),
        onTab({ id: 'book', type: 'helper' }),
        onTab({ id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] }),
        onTab({ id: 'caught', type: 'helper' }),
        onTab({ id: 'complete', type: 'complete', scope: ['matcher'], uncaught: false, wires: [['completed']] }),
        onTab({ id: 'completed', type: 'helper' }),
        ...more,
      ],
      credentials,
    );
    helper.getNode('trades').on('input', (msg: Out<Trade>) => trades.push(msg));
    helper.getNode('rejects').on('input', (msg: Out<Reject>) => rejects.push(msg));
    helper.getNode('book').on('input', (msg: Out<{ openOrders: number }>) => books.push(msg));
    helper.getNode('matcher').on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
    if (opens) await until(() => books.length > 0, 'the book on start');
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Sends `msg` and waits until the matcher has handled it (a Complete node sees its done()). */
  async function send(msg: object): Promise<void> {
    const handled = new Promise<void>((resolve) => helper.getNode('completed').once('input', () => resolve()));
    helper.getNode('matcher').receive(msg);
    await handled;
  }

  it('matches signed orders into a trade, and publishes the book retained with its status', async () => {
    await load();
    await send({ topic: 'flaregrid/well-7/orders', payload: signedOrder(alice, clock.nowMs(), { side: 'sell', priceMsatPerKwh: 95_000 }) });
    assert.equal(books.at(-1)?.payload.openOrders, 1);
    await send({ payload: signedOrder(bob, clock.nowMs(), { side: 'buy', priceMsatPerKwh: 97_000, quantityWh: 600 }) });
    await until(() => trades.length === 1, 'the trade');
    const trade = trades[0];
    assert.equal(trade.topic, 'flaregrid/well-7/trades');
    assert.deepEqual([trade.payload.buyer, trade.payload.seller, trade.payload.quantityWh, trade.payload.priceMsatPerKwh, trade.payload.payTo], ['bob', 'alice', 600, 95_000, alice.payTo]);
    const book = books.at(-1)!;
    assert.equal(book.topic, 'flaregrid/well-7/book');
    assert.equal(book.retain, true);
    assert.equal(book.payload.openOrders, 1);
    assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: 'flaregrid-matcher.status.continuous flaregrid-matcher.status.open @95 sat' });
    assert.deepEqual(rejects, []);
  });

  it('refuses forged, replayed, expired and malformed messages, one Reject each, book and journal untouched', async () => {
    await load();
    const resting = signedOrder(alice, clock.nowMs());
    await send({ payload: resting });
    const journalled = (await verifyJournal(join(dir, 'journal'))).lastSeq;
    const bookBefore = books.at(-1)!.payload;
    const now = clock.nowMs();
    const forged = { ...signedOrder(mallory, now), participant: 'bob' };
    const bad: [string, unknown, string][] = [
      ['forged', forged, 'bad-signature'],
      ['replayed (its nonce used again)', signedOrder(alice, now, { nonce: resting.nonce }), 'replay'],
      ['expired', signedOrder(bob, now, { createdAt: new Date(now - 700_000).toISOString(), expiresAt: new Date(now - 100_000).toISOString() }), 'expired'],
      ['unknown market', signedOrder(bob, now, { market: 'elsewhere' }), 'unknown-market'],
      ['off the tick', signedOrder(bob, now, { priceMsatPerKwh: 95_050 }), 'off-tick'],
      ['over the cap', signedOrder(bob, now, { priceMsatPerKwh: 2_000_000 }), 'price-out-of-range'],
      ['zero quantity', signedOrder(bob, now, { quantityWh: 0 }), 'bad-quantity'],
      ['fractional quantity', signedOrder(bob, now, { quantityWh: 1.5 }), 'bad-quantity'],
      ['price as a string', signedOrder(bob, now, { priceMsatPerKwh: '95000' as unknown as number }), 'bad-price'],
      ['an unknown side', signedOrder(bob, now, { side: 'hold' as 'buy' }), 'bad-field'],
      ['misaligned window', signedOrder(bob, now, { deliveryStart: '2026-12-01T06:20:00.000Z', deliveryEnd: '2026-12-01T06:35:00.000Z' }), 'window-unaligned'],
      ['window in the past', signedOrder(bob, now, { deliveryStart: '2026-12-01T05:45:00.000Z', deliveryEnd: '2026-12-01T06:00:00.000Z' }), 'window-past'],
      ['__proto__ key', JSON.parse(`{"__proto__": {"admin": true}, ${JSON.stringify(signedOrder(bob, now)).slice(1)}`), 'forbidden-key'],
      ['oversized text', JSON.stringify({ ...orderOf(bob, now), padding: 'x'.repeat(5000) }), 'oversized'],
      ['not JSON', '{"type": "order", ', 'malformed'],
      ['an unsigned order', orderOf(bob, now), 'unsigned'],
      ['a cancel of an order that is not its own', signedCancel(bob, resting.id, now), 'not-owner'],
    ];
    for (const [what, payload, reason] of bad) {
      const count = rejects.length;
      await send({ topic: 'flaregrid/well-7/orders', payload });
      assert.equal(rejects.length, count + 1, `one reject for ${what}`);
      const reject = rejects.at(-1)!;
      assert.equal(reject.payload.reason, reason, `${what}: ${reject.payload.message}`);
      assert.ok(reject.payload.message.length > 10, `${what}: ${reject.payload.message}`);
      const participant = (payload as { participant?: string })?.participant;
      assert.equal(reject.topic, `flaregrid/well-7/rejects/${typeof payload === 'object' && participant ? participant : '_unidentified'}`, what);
    }
    // the same order again, word for word (as MQTT may deliver it twice): a no-op, not a reject
    await send({ payload: resting });
    assert.equal(rejects.length, bad.length);
    assert.deepEqual(books.at(-1)!.payload, bookBefore);
    assert.equal((await verifyJournal(join(dir, 'journal'))).lastSeq, journalled, 'nothing journalled');
    assert.deepEqual(trades, []);
  });

  it('refuses orders beyond the open-order cap and a flood beyond the rate, and keeps serving the others', async () => {
    await load({ maxOpenOrders: 2 });
    for (let i = 0; i < 3; i++) await send({ payload: signedOrder(alice, clock.nowMs(), { priceMsatPerKwh: 99_000 + i * 100 }) });
    assert.deepEqual(rejects.map((r) => r.payload.reason), ['too-many-open-orders']);
    await helper.unload();
    await load({ rateOrders: 3, ratePerS: 60 });
    for (let i = 0; i < 5; i++) await send({ payload: signedOrder(alice, clock.nowMs(), { priceMsatPerKwh: 99_000 + i * 100 }) });
    assert.deepEqual(rejects.map((r) => r.payload.reason), ['rate-limited', 'rate-limited']);
    assert.match(rejects[0].payload.message, /alice/);
    await send({ payload: signedOrder(bob, clock.nowMs()) });
    assert.equal(books.at(-1)!.payload.openOrders, 2 + 3 + 1, "the two of the first run (same journal), alice's three, bob's one");
  });

  it('clears a call auction on topic clear, at one price', async () => {
    await load({ mode: 'auction' });
    await send({ payload: signedOrder(alice, clock.nowMs(), { side: 'sell', priceMsatPerKwh: 90_000, quantityWh: 1000 }) });
    await send({ payload: signedOrder(bob, clock.nowMs(), { side: 'buy', priceMsatPerKwh: 100_000, quantityWh: 1000 }) });
    assert.equal(trades.length, 0, 'an auction market does not match on arrival');
    await send({ topic: 'clear' });
    await until(() => trades.length === 1, 'the auction trade');
    assert.equal(trades[0].payload.mode, 'auction');
    assert.equal(trades[0].payload.priceMsatPerKwh, 95_000);
    assert.match(statuses.at(-1)?.text ?? '', /auction .* @95 sat$/);
  });

  it('takes a burst of one turn as one batch: in order, a command after the orders before it, each message done once durable', async () => {
    await load({ mode: 'auction' });
    const journalled = (await verifyJournal(join(dir, 'journal'))).lastSeq;
    const completed: { topic?: string }[] = [];
    helper.getNode('completed').on('input', (msg: { topic?: string }) => completed.push(msg));
    const matcher = helper.getNode('matcher');
    const sells = [90_000, 91_000, 92_000].map((price) => signedOrder(alice, clock.nowMs(), { side: 'sell', priceMsatPerKwh: price, quantityWh: 1000 }));
    // all in one turn, as an mqtt in node hands over a network read: three sells, text that is not JSON, a buy, then clear
    for (const order of sells) matcher.receive({ topic: 'flaregrid/well-7/orders', payload: order });
    matcher.receive({ topic: 'flaregrid/well-7/orders', payload: '{"type":' });
    matcher.receive({ topic: 'flaregrid/well-7/orders', payload: JSON.stringify(signedOrder(bob, clock.nowMs(), { side: 'buy', priceMsatPerKwh: 100_000, quantityWh: 3000 })) });
    matcher.receive({ topic: 'clear' });
    await until(() => completed.length === 6, 'every message done');
    assert.equal(trades.length, 3, 'the clear saw every order that came before it in the same turn');
    assert.deepEqual(trades.map((t) => t.payload.sellOrderId), sells.map((o) => o.id));
    assert.deepEqual(rejects.map((r) => r.payload.reason), ['malformed']);
    const onDisk = (await verifyJournal(join(dir, 'journal'))).lastSeq;
    // four orders, the clear, its three trades (a tick may come before the clear when its second is due)
    assert.ok(onDisk - journalled >= 8, `the batch and the clear are journalled (${onDisk - journalled} records)`);
    assert.equal(completed.at(-1)?.topic, 'clear', 'the command completes after the orders before it');
  });

  it('takes its registry from a file, from a message, and from the participant nodes deployed here', async () => {
    const file = join(dir, 'participants.json');
    writeFileSync(file, JSON.stringify([bob.entry]));
    await load({ registrySource: 'file', registryFile: file });
    await send({ payload: signedOrder(alice, clock.nowMs()) });
    assert.equal(rejects.at(-1)?.payload.reason, 'unknown-participant');
    await send({ topic: 'registry', payload: [alice.entry] });
    await send({ payload: signedOrder(alice, clock.nowMs()) });
    assert.equal(rejects.length, 1);
    await helper.unload();

    const local = [{ id: 'carol-node', type: 'flaregrid-participant', participantId: 'carol', zone: '', payTo: '', publicKey: '' }];
    await load({ registrySource: 'msg', trustLocal: true }, { more: local, credentials: { 'carol-node': { privateKey: mallory.privateKeyHex } } });
    await send({ payload: signedOrder({ ...mallory, id: 'carol' }, clock.nowMs()) });
    await send({ payload: signedOrder(alice, clock.nowMs()) });
    assert.deepEqual(rejects.map((r) => r.payload.reason), ['unknown-participant'], 'carol is trusted as a local node; alice is not listed');
    const error = new Promise<string>((resolve) => helper.getNode('caught').once('input', (m: { error: { message: string } }) => resolve(m.error.message)));
    helper.getNode('matcher').receive({ topic: 'registry', payload: [{ id: 'x', publicKey: 'short' }] });
    assert.match(await error, /participant 0 is not valid: .*publicKey/);
  });

  it('accepts unsigned orders on a closed site, with a yellow status', async () => {
    await load({ allowUnsigned: true });
    await send({ payload: orderOf(alice, clock.nowMs()) });
    assert.deepEqual(rejects, []);
    assert.equal(statuses.at(-1)?.fill, 'yellow');
  });

  it('comes back from its journal after a restart, and sends again the trades not confirmed delivered', async () => {
    const confirming = { confirmDelivery: true, retryS: 3600 };
    await load(confirming, { tradesTo: ['gate'] });
    await send({ payload: signedOrder(alice, clock.nowMs(), { quantityWh: 3000 }) });
    await send({ payload: signedOrder(bob, clock.nowMs(), { side: 'buy', quantityWh: 1000, priceMsatPerKwh: 96_000 }) });
    await send({ payload: signedOrder(bob, clock.nowMs(), { side: 'buy', quantityWh: 500, priceMsatPerKwh: 96_000 }) });
    await until(() => trades.length === 2 && gates.length === 2, 'two trades through the gate');
    gates[0](); // the first is delivered, the second is not
    const [confirmed, unconfirmed] = trades.map((t) => t.payload);
    assert.equal((trades[0] as Out<Trade> & { tradeId?: string }).tradeId, confirmed.id);
    const bookBefore = books.at(-1)!.payload;
    await helper.unload();
    await load(confirming, { tradesTo: ['gate'] });
    assert.deepEqual(books[0].payload, bookBefore, 'the book on start is the book before the restart');
    await clock.advanceAsync(1000);
    await until(() => trades.length === 1, 'the unconfirmed trade again');
    assert.deepEqual(trades.map((t) => t.payload), [unconfirmed]);
    assert.notEqual(confirmed.id, unconfirmed.id);
    gates[0]();
    await helper.unload();
    await load(confirming, { tradesTo: ['gate'] });
    await clock.advanceAsync(2000);
    assert.deepEqual(trades, [], 'nothing to send again once every trade was delivered');
  });

  it('sends a trade again when it is not confirmed within the resend period', async () => {
    await load({ confirmDelivery: true, retryS: 5 }, { tradesTo: ['gate'] });
    await send({ payload: signedOrder(alice, clock.nowMs()) });
    await send({ payload: signedOrder(bob, clock.nowMs(), { side: 'buy', priceMsatPerKwh: 96_000 }) });
    await until(() => trades.length === 1, 'the trade');
    await clock.advanceAsync(4000);
    assert.equal(trades.length, 1, 'not before the resend period');
    await clock.advanceAsync(2000);
    await until(() => trades.length === 2, 'the trade again');
    assert.deepEqual(trades[1].payload, trades[0].payload);
    gates.splice(0).forEach((done) => done());
    await clock.advanceAsync(10_000);
    assert.equal(trades.length, 2, 'confirmed: not sent again');
  });

  it('releases its timers and its journal on close, also when closed while it opens', async () => {
    await load({ confirmDelivery: true }, { tradesTo: ['gate'] });
    await helper.unload();
    assert.equal(clock.pendingCount, 0, 'no timer left behind');
    // closed straight after deploy, before its journal is open: it still closes the journal it then opens
    await load({}, { opens: false });
    await helper.unload();
    await load();
    assert.equal(books.length, 1, 'the journal opens again: the lock was released');
    await helper.unload();
    assert.equal(clock.pendingCount, 0);
  });

  it('shows a config error and refuses input when a setting is wrong', async () => {
    await load({ market: 'bad/market' }, { opens: false });
    const error = new Promise<string>((resolve) => helper.getNode('caught').once('input', (m: { error: { message: string } }) => resolve(m.error.message)));
    helper.getNode('matcher').receive({ payload: {} });
    assert.match(await error, /Market must be 1 to 64 letters/);
  });
});
