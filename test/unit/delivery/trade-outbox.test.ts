import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tradesAfter } from '../../../lib/delivery/journal-trades';
import { OutboxError, TradeOutbox } from '../../../lib/delivery/trade-outbox';
import type { Trade } from '../../../lib/schemas';

const trade = (n: number): Trade => ({
  type: 'trade', id: `well-7:20261201T0615:${n}`, market: 'well-7', buyOrderId: `b${n}`, sellOrderId: `s${n}`, buyer: 'bob', seller: 'alice',
  payTo: `02${'ab'.repeat(32)}`, quantityWh: 100, priceMsatPerKwh: 95_000, feeMsatPerKwh: 0, deliveryStart: '2026-12-01T06:15:00.000Z',
  deliveryEnd: '2026-12-01T06:30:00.000Z', matchedAt: '2026-12-01T06:07:30.000Z', mode: 'continuous',
});

describe('trade outbox (lib/delivery)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-outbox-'));
    file = join(dir, 'delivered.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('marks the delivered prefix, in the order trades were made, and keeps it across a reopen', () => {
    const outbox = TradeOutbox.open(file);
    assert.equal(outbox.lastDelivered, undefined);
    outbox.sent([trade(1), trade(2), trade(3)], 0);
    assert.equal(outbox.confirm(trade(2).id), true);
    assert.equal(outbox.lastDelivered, undefined, 'trade 1 is not delivered yet: no prefix');
    assert.equal(outbox.confirm(trade(1).id), true);
    assert.equal(outbox.lastDelivered, trade(2).id);
    assert.equal(outbox.confirm(trade(1).id), false, 'a confirmation counts once');
    assert.equal(outbox.size, 1);
    outbox.close();
    const reopened = TradeOutbox.open(file);
    assert.equal(reopened.lastDelivered, trade(2).id);
    reopened.sent([trade(3)], 0);
    reopened.confirmAll();
    reopened.close();
    assert.equal(TradeOutbox.open(file).lastDelivered, trade(3).id);
    assert.equal(readFileSync(file).length, 128, 'one fixed-size record, written in place');
  });

  it('hands back the unconfirmed trades whose resend period has passed, once per period', () => {
    const outbox = TradeOutbox.open(file);
    outbox.sent([trade(1), trade(2)], 1000);
    outbox.confirm(trade(1).id);
    assert.deepEqual(outbox.due(5999, 5000), []);
    assert.deepEqual(outbox.due(6000, 5000), [trade(2)]);
    assert.deepEqual(outbox.due(10_999, 5000), [], 'counted as sent again at 6000');
    assert.deepEqual(outbox.due(11_000, 5000), [trade(2)]);
    outbox.close();
  });

  it('refuses a mark it cannot read, saying what to do', () => {
    writeFileSync(file, 'not json');
    assert.throws(() => TradeOutbox.open(file), (err: OutboxError) => err.code === 'OUTBOX_MARK' && /delete it to send every trade/.test(err.message));
  });

  it('finds the trades after the mark; all of them when the mark is not in the journal tail', () => {
    const journal = [trade(4), trade(5), trade(6)];
    assert.deepEqual(tradesAfter(journal, trade(5).id), [trade(6)]);
    assert.deepEqual(tradesAfter(journal, trade(6).id), []);
    assert.deepEqual(tradesAfter(journal, trade(1).id), journal, 'the mark is older than the snapshot');
    assert.deepEqual(tradesAfter(journal, undefined), journal);
  });
});
