// The offer's and the matcher's example flows, as Import > Examples brings them in, do what their comments say.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { isBookSnapshot, isOrder, isTrade, type BookSnapshot, type Cancel, type Order, type Trade } from '../../lib/schemas';

const NODES = [
  require('../../nodes/flaregrid-participant/flaregrid-participant'),
  require('../../nodes/flaregrid-offer/flaregrid-offer'),
  require('../../nodes/flaregrid-matcher/flaregrid-matcher'),
  require('@node-red/nodes/core/common/20-inject'),
  require('@node-red/nodes/core/common/25-catch'),
  require('@node-red/nodes/core/common/90-comment'),
];
const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

type FlowNode = Record<string, unknown> & { id: string; type: string; name?: string };

/** The example on a tab, its debug nodes replaced by helper nodes that a test can listen to. */
async function loadExample(file: string): Promise<FlowNode[]> {
  const example = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as FlowNode[];
  await helper.load(NODES, example.map((n) => (n.type === 'debug' ? { ...n, type: 'helper' } : n)));
  return example;
}

function idOf(example: readonly FlowNode[], name: string): string {
  const node = example.find((n) => n.name === name);
  if (!node) throw new Error(`the example has no node named ${name}`);
  return node.id;
}

function next<T>(id: string, accept: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing reached ${id} within ${timeoutMs} ms`)), timeoutMs);
    helper.getNode(id).on('input', (msg: { payload: T }) => {
      if (!accept(msg.payload)) return;
      clearTimeout(timer);
      resolve(msg.payload);
    });
  });
}

describe('market example flows', function () {
  this.timeout(30000);
  let userDir: string;
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'flaregrid-market-example-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
    rmSync(userDir, { recursive: true, force: true });
  });

  it('offer: sells at the price of msg.price, buys as msg.payload says, cancels the last order', async () => {
    const example = await loadExample('flaregrid-offer/Sign and send offers.json');
    const out = idOf(example, 'signed order');
    const sent = (inject: string) => {
      const message = next<Order | Cancel>(out);
      helper.getNode(idOf(example, inject)).receive({});
      return message;
    };
    const sell = (await sent('sell 1.5 kWh at 95 sat/kWh')) as Order;
    assert.ok(isOrder(sell), isOrder.problems(sell).join('; '));
    assert.deepEqual([sell.participant, sell.side, sell.quantityWh, sell.priceMsatPerKwh, sell.zone, sell.sig], ['prosumer-a', 'sell', 1500, 95_000, 'feeder-1', undefined]);
    const startMs = Date.parse(sell.deliveryStart);
    assert.equal(startMs % 900_000, 0, 'a 15-minute slot');
    assert.ok(startMs > Date.now() + 14 * 60_000 && startMs <= Date.now() + 30 * 60_000, 'the slot that holds the time 30 minutes from now');
    const buy = (await sent('buy 800 Wh at 97 sat/kWh')) as Order;
    assert.deepEqual([buy.side, buy.quantityWh, buy.priceMsatPerKwh], ['buy', 800, 97_000]);
    const cancel = await sent('cancel the last order');
    assert.deepEqual([cancel.type, cancel.id], ['cancel', buy.id]);
  });

  it('matcher: alice and bob trade 1000 Wh at 95 sat/kWh, and 500 Wh of alice stay on the book', async () => {
    const example = await loadExample('flaregrid-matcher/Match two prosumers.json');
    const trade = await next<Trade>(idOf(example, 'trades'));
    assert.ok(isTrade(trade), isTrade.problems(trade).join('; '));
    assert.deepEqual(
      [trade.seller, trade.buyer, trade.quantityWh, trade.priceMsatPerKwh, trade.payTo],
      ['alice', 'bob', 1000, 95_000, example.find((n) => n.type === 'flaregrid-participant' && n.participantId === 'alice')?.payTo],
    );
    helper.getNode(idOf(example, 'book now')).receive({});
    const book = await next<BookSnapshot>(idOf(example, 'book'), (b) => b.openOrders === 1);
    assert.ok(isBookSnapshot(book), isBookSnapshot.problems(book).join('; '));
    assert.deepEqual(book.slots.flatMap((s) => s.asks.map((level) => [level.priceMsatPerKwh, level.quantityWh])), [[95_000, 500]]);
  });
});
