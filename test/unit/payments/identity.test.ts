import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { derivePreimage, newStreamSecret, paymentHashOf, provesPayment } from '../../../lib/payments/identity';
import { decodeIntervalRecords, encodeIntervalRecords, TLV_TYPES, type IntervalRecord } from '../../../lib/payments/records';

describe('payments: durable payment identity and TLV records', () => {
  const secret = 'aa'.repeat(32);

  it('derives the same preimage for the same trade and interval, another for any other', () => {
    const p = derivePreimage(secret, 'm1:t1', 7);
    assert.match(p, /^[0-9a-f]{64}$/);
    assert.equal(derivePreimage(secret, 'm1:t1', 7), p);
    assert.notEqual(derivePreimage(secret, 'm1:t1', 8), p);
    assert.notEqual(derivePreimage(secret, 'm1:t11', 7), p);
    assert.notEqual(derivePreimage(newStreamSecret(), 'm1:t1', 7), p);
    assert.equal(paymentHashOf(p), createHash('sha256').update(Buffer.from(p, 'hex')).digest('hex'));
    assert.ok(provesPayment(p, paymentHashOf(p)));
    assert.ok(!provesPayment(derivePreimage(secret, 'm1:t1', 8), paymentHashOf(p)));
    assert.ok(!provesPayment(undefined, paymentHashOf(p)));
  });

  it('refuses a bad secret or interval', () => {
    assert.throws(() => derivePreimage('zz', 't', 0), { code: 'SETTINGS' });
    assert.throws(() => derivePreimage(secret, 't', -1), { code: 'AMOUNT' });
  });

  const record: IntervalRecord = {
    tradeId: 'm1:slot-0600:1',
    interval: 12,
    meterId: 'meter-a',
    buyer: 'prosumer-a',
    fromWh: 1200,
    toWh: 1300,
    counterStartWh: 981_200,
    counterEndWh: 981_300,
    priceMsatPerKwh: 91_124,
  };

  it('round-trips an interval through odd TLV types above 65536', () => {
    const messages = encodeIntervalRecords(record);
    for (const m of messages) {
      assert.ok(Number(m.type) >= 65536 && Number(m.type) % 2 === 1, m.type);
      assert.match(m.value, /^([0-9a-f]{2})+$/);
    }
    assert.deepEqual(decodeIntervalRecords(messages), record);
    assert.equal(messages.find((m) => m.type === TLV_TYPES.interval)?.value, '000000000000000c');
  });

  it('ignores a payment without a trade id and refuses a broken one', () => {
    assert.equal(decodeIntervalRecords([{ type: '7629169', value: '00' }]), undefined);
    const broken = encodeIntervalRecords(record).filter((m) => m.type !== TLV_TYPES.toWh);
    assert.throws(() => decodeIntervalRecords(broken), { code: 'BAD_INVOICE', message: /toWh/ });
  });
});
