import assert from 'node:assert/strict';
import { paymentHashOf } from '../../../lib/payments/identity';
import { intervalMsat, owedMsat } from '../../../lib/payments/money';
import { TradeStream, type StreamSettings } from '../../../lib/payments/stream';
import type { Invoice } from '../../../lib/schemas/payments';
import { SELLER_NODE, T0, trade } from './fixtures';

const SECRET = 'cd'.repeat(32);
const NO_CAP = Number.MAX_SAFE_INTEGER;
const settings = (over: Partial<StreamSettings> = {}): StreamSettings => ({
  mode: 'keysend',
  stepWh: 100,
  stepMs: 10_000,
  toleranceWh: 5, minPaymentMsat: 1000,
  closeAfterMs: 30_000,
  giveUpAfterMs: 600_000,
  ...over,
});

/** Pays every plan at once, as a node that always succeeds would; returns the intervals paid. */
function payAll(stream: TradeStream, nowMs: number): { fromWh: number; toWh: number; amountMsat: number }[] {
  const paid = [];
  for (;;) {
    const plan = stream.plan(nowMs, SECRET, NO_CAP);
    if (plan.kind !== 'pay') return paid;
    stream.confirmed(plan.payment.interval, 0, nowMs);
    paid.push(plan.payment);
  }
}

describe('payments: the stream state machine', () => {
  it('keysend: pays each step of delivered energy, and the rest after stepMs, with derived preimages', () => {
    const stream = TradeStream.start(trade(), 'prosumer-a', 'meter-a', settings(), T0, 0);
    stream.setDelivered(99, 99);
    assert.equal(stream.plan(T0 + 1000, SECRET, NO_CAP).kind, 'wait');
    stream.setDelivered(130, 130);
    const plan = stream.plan(T0 + 2000, SECRET, NO_CAP);
    assert.equal(plan.kind, 'pay');
    if (plan.kind !== 'pay') return;
    assert.deepEqual([plan.payment.interval, plan.payment.fromWh, plan.payment.toWh], [0, 0, 130]);
    assert.equal(plan.payment.amountMsat, owedMsat(130, 91_124));
    assert.equal(plan.payment.paymentHash, paymentHashOf(plan.payment.preimage!));
    assert.equal(stream.plan(T0 + 2000, SECRET, NO_CAP).kind, 'wait', 'one payment at a time');
    stream.confirmed(0, 3, T0 + 2100);
    stream.setDelivered(150, 150);
    assert.equal(stream.plan(T0 + 12_099, SECRET, NO_CAP).kind, 'wait');
    const timed = stream.plan(T0 + 12_100, SECRET, NO_CAP);
    assert.ok(timed.kind === 'pay' && timed.payment.fromWh === 130 && timed.payment.toWh === 150 && timed.payment.interval === 1);
  });

  it('a whole trade, paid in any steps, costs owed(energy) to the msat; it closes after its window', () => {
    const t = trade({ quantityWh: 777, priceMsatPerKwh: 1, feeMsatPerKwh: 999 });
    const stream = TradeStream.start(t, 'prosumer-a', 'meter-a', settings({ stepWh: 7, minPaymentMsat: 1 }), T0, 0);
    let total = 0;
    for (let wh = 0; wh <= 900; wh += 3) {
      stream.setDelivered(wh, wh);
      for (const p of payAll(stream, T0 + wh)) total += p.amountMsat;
    }
    const end = Date.parse(t.deliveryEnd);
    for (const p of payAll(stream, end + 30_000)) total += p.amountMsat;
    assert.equal(stream.state.paidWh, 777);
    assert.equal(total, owedMsat(777, 1000));
    assert.equal(stream.state.paidMsat, 777);
    const close = stream.plan(end + 30_000, SECRET, NO_CAP);
    assert.equal(close.kind, 'close');
  });

  it('sizes a payment to what the caps allow, and says when they allow nothing', () => {
    const stream = TradeStream.start(trade(), 'prosumer-a', 'meter-a', settings(), T0, 0);
    stream.setDelivered(1000, 1000);
    const plan = stream.plan(T0, SECRET, 20_000);
    assert.ok(plan.kind === 'pay');
    assert.ok(plan.payment.amountMsat <= 20_000 && plan.payment.toWh === 219, `${plan.payment.toWh}`);
    stream.confirmed(plan.payment.interval, 0, T0);
    assert.deepEqual(stream.plan(T0, SECRET, 0), { kind: 'capped', owedMsat: intervalMsat(219, 1000, 91_124) });
  });

  it('prepay: keeps between one and two steps paid ahead of delivery, never past the quantity', () => {
    const stream = TradeStream.start(trade({ quantityWh: 250 }), 'prosumer-a', 'meter-a', settings({ mode: 'prepay' }), T0, 0);
    assert.deepEqual(payAll(stream, T0).map((p) => p.toWh), [100]);
    stream.setDelivered(1, 1);
    assert.deepEqual(payAll(stream, T0).map((p) => p.toWh), [200]);
    stream.setDelivered(150, 150);
    assert.deepEqual(payAll(stream, T0).map((p) => p.toWh), [250]);
    stream.setDelivered(250, 250);
    assert.deepEqual(payAll(stream, T0), []);
  });

  it('refuses a trade of another buyer and one that is over', () => {
    assert.throws(() => TradeStream.start(trade(), 'prosumer-b', 'meter-a', settings(), T0, 0), { code: 'NOT_OUR_TRADE' });
    assert.throws(() => TradeStream.start(trade(), 'prosumer-a', 'meter-a', settings(), T0 + 16 * 60_000, 0), { code: 'TRADE_OVER' });
  });

  describe('invoices', () => {
    const invoice = (over: Partial<Invoice> = {}): Invoice => ({
      type: 'invoice',
      tradeId: trade().id,
      interval: 0,
      fromWh: 0,
      toWh: 100,
      amountMsat: intervalMsat(0, 100, 91_124),
      priceMsatPerKwh: 91_124,
      paymentHash: 'ee'.repeat(32),
      request: 'lnbcrt1...',
      hold: false,
      payee: SELLER_NODE,
      buyer: 'prosumer-a',
      seller: 'genset-co',
      expiresAt: new Date(T0 + 60_000).toISOString(),
      ts: new Date(T0).toISOString(),
      ...over,
    });
    const invoiceStream = (mode: 'invoice' | 'escrow' = 'invoice') => {
      const stream = TradeStream.start(trade(), 'prosumer-a', 'meter-a', settings({ mode }), T0, 0);
      stream.setDelivered(98, 98);
      return stream;
    };

    it('pays an invoice that matches this side’s meter within the tolerance', () => {
      const stream = invoiceStream();
      const payment = stream.acceptInvoice(invoice(), T0);
      assert.equal(payment.request, 'lnbcrt1...');
      assert.equal(payment.toWh, 100);
      stream.confirmed(0, 0, T0);
      assert.equal(stream.state.paidMsat, invoice().amountMsat);
    });

    for (const [what, over, says] of [
      ['a wrong amount', { amountMsat: 9000 }, /9000 msat/],
      ['energy not yet delivered', { toWh: 104, amountMsat: intervalMsat(0, 104, 91_124) }, /shows 98 Wh/],
      ['another payee', { payee: '03' + '11'.repeat(32) }, /payTo/],
      ['another buyer', { buyer: 'prosumer-b' }, /addressed/],
      ['another price', { priceMsatPerKwh: 91_000 }, /price/],
      ['a gap', { fromWh: 10 }, /starts at 10 Wh/],
      ['past the quantity', { toWh: 5001 }, /past the trade/],
      ['an expired one', { expiresAt: new Date(T0).toISOString() }, /expired/],
      ['a hold invoice', { hold: true }, /hold invoice/],
    ] as const) {
      it(`refuses ${what}`, () => {
        assert.throws(() => invoiceStream().acceptInvoice(invoice(over as Partial<Invoice>), T0), { code: 'BAD_INVOICE', message: says });
      });
    }

    it('escrow: locks up to a step ahead; a cancelled interval is dropped and the next starts at the same energy', () => {
      const stream = invoiceStream('escrow');
      const hold = invoice({ hold: true, toWh: 198, amountMsat: intervalMsat(0, 198, 91_124) });
      const payment = stream.acceptInvoice(hold, T0);
      assert.throws(() => stream.acceptInvoice({ ...hold, interval: 1 }, T0), /still being paid/);
      stream.dropPending(payment.interval);
      assert.equal(stream.state.paidWh, 0);
      assert.throws(() => stream.acceptInvoice(hold, T0), /before the next one/);
      const next = stream.acceptInvoice({ ...hold, interval: 1 }, T0);
      assert.equal(next.fromWh, 0);
      assert.throws(() => invoiceStream('escrow').acceptInvoice(invoice({ hold: true, toWh: 204, amountMsat: intervalMsat(0, 204, 91_124) }), T0), /at most 105 Wh ahead/);
    });

    it('closes only once the delivered energy is paid, or after giving up', () => {
      const stream = invoiceStream();
      const end = Date.parse(trade().deliveryEnd);
      assert.equal(stream.plan(end + 30_000, SECRET, NO_CAP).kind, 'wait');
      const payment = stream.acceptInvoice(invoice({ toWh: 98, amountMsat: intervalMsat(0, 98, 91_124), expiresAt: new Date(end + 90_000).toISOString() }), end + 30_000);
      stream.confirmed(payment.interval, 0, end + 31_000);
      assert.equal(stream.plan(end + 31_000, SECRET, NO_CAP).kind, 'close');
      assert.equal(invoiceStream().plan(end + 630_000, SECRET, NO_CAP).kind, 'close');
    });
  });
});
