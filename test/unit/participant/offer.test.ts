import assert from 'node:assert/strict';
import {
  buildCancel,
  buildOrder,
  deliveryWindow,
  newNonce,
  offerOverrides,
  OfferError,
  timeMs,
  wholeNumber,
  type OrderDraft,
} from '../../../lib/participant/offer';
import { isCancel, isOrder } from '../../../lib/schemas';

const SLOT_MS = 15 * 60_000;
const NOW = Date.parse('2026-12-01T06:07:30Z');
const identity = { participant: 'prosumer-a', zone: 'feeder-1', payTo: `02${'ab'.repeat(32)}` };
const draft = (extra: Partial<OrderDraft> = {}): OrderDraft => ({
  side: 'sell', orderType: 'limit', quantityWh: 1500, priceMsatPerKwh: 95_000, window: { kind: 'next-slot' }, ...extra,
});
const stamp = { nowMs: NOW, expiresAfterMs: 600_000, slotMs: SLOT_MS };

describe('participant offers (lib/participant/offer)', () => {
  it('puts the next slot, the slot at a time and an absolute window on UTC slot boundaries', () => {
    assert.deepEqual(deliveryWindow({ kind: 'next-slot' }, SLOT_MS, NOW), { deliveryStart: '2026-12-01T06:15:00.000Z', deliveryEnd: '2026-12-01T06:30:00.000Z' });
    // exactly on a boundary, the next slot is the one after it
    assert.equal(deliveryWindow({ kind: 'next-slot' }, SLOT_MS, Date.parse('2026-12-01T06:15:00Z')).deliveryStart, '2026-12-01T06:30:00.000Z');
    assert.deepEqual(deliveryWindow({ kind: 'slot-at', atMs: Date.parse('2026-12-01T09:44:59Z') }, SLOT_MS, NOW), {
      deliveryStart: '2026-12-01T09:30:00.000Z', deliveryEnd: '2026-12-01T09:45:00.000Z',
    });
    const absolute = { kind: 'absolute' as const, deliveryStart: '2026-12-01T07:00:00Z', deliveryEnd: '2026-12-01T07:15:00Z' };
    assert.deepEqual(deliveryWindow(absolute, SLOT_MS, NOW), { deliveryStart: absolute.deliveryStart, deliveryEnd: absolute.deliveryEnd });
    assert.throws(() => deliveryWindow({ ...absolute, deliveryEnd: absolute.deliveryStart }, SLOT_MS, NOW), /deliveryEnd must be after deliveryStart/);
  });

  it('builds an Order of the contract, with identity, times and a fresh nonce; payTo only when selling', () => {
    const sell = buildOrder(identity, 'well-7', draft(), stamp);
    assert.ok(isOrder(sell), isOrder.problems(sell).join('; '));
    assert.equal(sell.participant, 'prosumer-a');
    assert.equal(sell.zone, 'feeder-1');
    assert.equal(sell.payTo, identity.payTo);
    assert.equal(sell.createdAt, '2026-12-01T06:07:30.000Z');
    assert.equal(sell.expiresAt, '2026-12-01T06:17:30.000Z');
    assert.equal(sell.orderType, undefined, 'limit is the default and left out');
    assert.match(sell.id, /^o-[A-Za-z0-9_-]{12}$/);
    const buy = buildOrder(identity, 'well-7', draft({ side: 'buy', orderType: 'ioc', minFillWh: 500 }), stamp);
    assert.equal(buy.payTo, undefined);
    assert.equal(buy.orderType, 'ioc');
    assert.equal(buy.minFillWh, 500);
    assert.notEqual(buy.nonce, sell.nonce);
    assert.notEqual(buy.id, sell.id);
  });

  it('names the field when the result breaks the contract', () => {
    assert.throws(
      () => buildOrder(identity, 'well-7', draft({ id: 'has space' }), stamp),
      (err: OfferError) => err.code === 'OFFER_CONTRACT' && /id must match/.test(err.message),
    );
    assert.throws(() => buildOrder(identity, 'well-7', draft({ quantityWh: 0 }), stamp), /quantityWh must be >= 1/);
  });

  it('builds a Cancel of the contract', () => {
    const cancel = buildCancel(identity, 'well-7', 'o-123', stamp);
    assert.ok(isCancel(cancel), isCancel.problems(cancel).join('; '));
    assert.equal(cancel.id, 'o-123');
    assert.equal(cancel.expiresAt, '2026-12-01T06:17:30.000Z');
  });

  it('makes nonces of the contract alphabet that do not repeat', () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    assert.equal(nonces.size, 1000);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{16}$/);
  });

  it('reads whole numbers and times from typed inputs, naming the field', () => {
    assert.equal(wholeNumber('1500', 'Quantity (Wh)', 1), 1500);
    assert.equal(wholeNumber(0, 'Price', 0), 0);
    assert.throws(() => wholeNumber(12.5, 'Quantity (Wh)', 1), /Quantity \(Wh\) must be a whole number of 1 or more, got 12.5/);
    assert.throws(() => wholeNumber('', 'Quantity (Wh)', 1), /got ''/);
    assert.throws(() => wholeNumber(-1, 'Price', 0), /Price must be a whole number of 0 or more/);
    assert.equal(timeMs('2026-12-01T06:00:00Z', 'Slot at'), Date.parse('2026-12-01T06:00:00Z'));
    assert.equal(timeMs(1234, 'Slot at'), 1234);
    assert.throws(() => timeMs('tomorrow', 'Slot at'), /Slot at must be a time/);
  });

  it('takes the fields a message may set and refuses the others by name', () => {
    assert.deepEqual(offerOverrides(42), {});
    assert.deepEqual(offerOverrides('go'), {});
    assert.deepEqual(offerOverrides({ side: 'buy', quantityWh: '700', priceMsatPerKwh: 80_000, type: 'order', deliveryAt: '2026-12-01T07:00:00Z' }), {
      side: 'buy', quantityWh: 700, priceMsatPerKwh: 80_000, action: 'order', deliveryAt: Date.parse('2026-12-01T07:00:00Z'),
    });
    assert.throws(() => offerOverrides({ participant: 'mallory' }), /msg.payload.participant cannot be set by a message/);
    assert.throws(() => offerOverrides({ sig: 'x' }), /msg.payload.sig cannot be set/);
    assert.throws(() => offerOverrides({ quantity: 5 }), /msg.payload.quantity is not an order field/);
    assert.throws(() => offerOverrides({ side: 'hold' }), /msg.payload.side must be one of buy, sell, got "hold"/);
    assert.throws(() => offerOverrides({ quantityWh: 1.5 }), /msg.payload.quantityWh must be a whole number/);
    assert.throws(() => offerOverrides({ id: 'a/b' }), /msg.payload.id must be 1 to 64/);
  });
});
