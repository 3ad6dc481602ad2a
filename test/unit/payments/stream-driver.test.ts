import assert from 'node:assert/strict';
import { owedMsat } from '../../../lib/payments/money';
import type { StreamSettings } from '../../../lib/payments/stream';
import { verifyJournal } from '../../../lib/journal';
import { join } from 'node:path';
import { Harness, OPEN_CAPS } from './harness';
import { reading, T0, trade } from './fixtures';

const P = 91_124;
const keysend: StreamSettings = { mode: 'keysend', stepWh: 100, stepMs: 60_000, toleranceWh: 5, minPaymentMsat: 1000, closeAfterMs: 30_000, giveUpAfterMs: 600_000 };
const END = Date.parse(trade().deliveryEnd);

/** Readings every second from T0: 1 Wh per 100 ms of delivery at 36 kW, counter from 10,000 Wh. */
async function deliver(h: Harness, fromS: number, toS: number, whPerS = 10): Promise<void> {
  for (let s = fromS; s <= toS; s++) {
    h.clock.advanceTo(T0 + s * 1000);
    h.stream!.admitReading(reading(10_000 + s * whPerS, T0 + s * 1000));
    await h.flush();
  }
}

describe('payments: the stream driver (fake Lightning, fake clock)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('pays a whole trade by keysend: exactly owed(energy), one receipt per payment and a final one', async () => {
    h = new Harness();
    const stream = await h.openStream(keysend);
    await stream.admitTrade(h.trade({ quantityWh: 2000 }));
    stream.admitReading(reading(10_000, T0 - 500));
    await deliver(h, 1, 250);
    await h.advance(END + 31_000 - h.clock.nowMs());
    await h.flush();
    const payments = h.receipts.filter((r) => !r.final);
    const final = h.receipts.find((r) => r.final);
    assert.ok(final, 'a final receipt');
    assert.equal(final.energyWh, 2000);
    assert.equal(final.totalMsat, owedMsat(2000, P));
    assert.equal(payments.reduce((sum, r) => sum + r.amountMsat, 0), owedMsat(2000, P));
    assert.equal(h.sellerNode.receivedMsat, owedMsat(2000, P));
    assert.deepEqual(payments.map((r) => r.seq), payments.map((_, i) => i));
    payments.forEach((r, i) => assert.equal(r.fromWh, i === 0 ? 0 : payments[i - 1].toWh, 'intervals are contiguous'));
    assert.ok(payments.every((r) => r.preimage && r.toWh! - r.fromWh! >= 80 || r === payments.at(-1)), 'a step (or stepMs) each');
    assert.equal(h.buyerNode.sends, payments.length);
    assert.deepEqual(stream.tradeIds, []);
    const report = await verifyJournal(join(h.root, 'stream'));
    assert.ok(report.ok && report.anchor === 'genesis');
  });

  for (const moment of ['afterIntent', 'afterOutcome'] as const) {
    it(`a crash ${moment === 'afterIntent' ? 'between journaling and sending' : 'between sending and journaling'} never pays twice`, async () => {
      h = new Harness();
      // the crash: the stream stops dead at that moment (its journal closed, nothing more done)
      let crashed: Promise<void> | undefined;
      const hooks = {
        [moment]: () => {
          if (crashed) return;
          crashed = h.stream!.close();
          throw new Error('crash');
        },
      };
      const stream = await h.openStream(keysend, { hooks });
      await stream.admitTrade(h.trade({ quantityWh: 2000 }));
      stream.admitReading(reading(10_000, T0 - 500));
      await deliver(h, 1, 12);
      assert.ok(crashed, 'the crash happened');
      await crashed;
      const sent = h.buyerNode.sends;
      assert.equal(sent, moment === 'afterIntent' ? 0 : 1);
      const again = await h.openStream(keysend);
      await h.flush();
      await deliver(h, 13, 40);
      await h.until(() => again.stream(trade().id)!.state.paidWh === 400, 'paid up to 400 Wh');
      await h.until(() => h.receipts.length === h.buyerNode.payments.size, 'a receipt for every payment');
      const paid = h.receipts.filter((r) => !r.final);
      assert.equal(h.buyerNode.sends, h.buyerNode.payments.size, 'no payment was sent twice');
      assert.equal(new Set(paid.map((r) => r.paymentHash)).size, paid.length);
      assert.equal(h.sellerNode.receivedMsat, again.stream(trade().id)!.state.paidMsat);
      assert.equal(again.stream(trade().id)!.state.paidWh, 400);
    });
  }

  it('a payment whose answer is lost is looked up, not sent again', async () => {
    h = new Harness();
    const stream = await h.openStream(keysend);
    await stream.admitTrade(h.trade({ quantityWh: 2000 }));
    stream.admitReading(reading(10_000, T0 - 500));
    h.buyerNode.loseNextAnswer();
    await deliver(h, 1, 12);
    await h.advance(2000, 500);
    await h.until(() => h.receipts.length === 1, 'its receipt');
    assert.equal(h.buyerNode.sends, 1);
    assert.equal(stream.stream(trade().id)!.state.paidWh, 100);
  });

  it('retries a failed payment with the same hash after a back-off, and the node down, until it goes through', async () => {
    h = new Harness();
    const stream = await h.openStream(keysend);
    await stream.admitTrade(h.trade({ quantityWh: 2000 }));
    stream.admitReading(reading(10_000, T0 - 500));
    h.buyerNode.failNext(2, 'no-route');
    await deliver(h, 1, 10);
    await h.until(() => /no-route/.test(stream.summary().failing ?? ''), 'the failure shows');
    h.buyerNode.down = true;
    await deliver(h, 11, 14);
    h.buyerNode.down = false;
    await deliver(h, 15, 45);
    await h.until(() => stream.stream(trade().id)!.state.paidWh >= 400, 'paid up to 400 Wh');
    const hashes = [...h.buyerNode.payments.keys()];
    assert.equal(h.receipts[0].paymentHash, hashes[0], 'the first interval kept its hash');
    assert.equal(h.receipts[0].toWh, 100, 'and its amount');
    assert.equal(stream.summary().failing, undefined);
    assert.equal(h.sellerNode.receivedMsat, stream.stream(trade().id)!.state.paidMsat);
  });

  it('the caps stop a runaway flow: never more than the hourly cap, whatever the meter says', async () => {
    h = new Harness({ ...OPEN_CAPS, perHourMsat: 50_000, perPaymentMsat: 20_000 });
    const stream = await h.openStream(keysend);
    await stream.admitTrade(h.trade({ quantityWh: 5000 }));
    await stream.admitTrade(h.trade({ id: 'm1:slot-0600:2', quantityWh: 5000 }));
    stream.admitReading(reading(10_000, T0 - 500));
    await deliver(h, 1, 60, 100);
    const spent = h.buyerNode.paidMsat;
    assert.ok(spent <= 50_000 && spent > 40_000, `${spent}`);
    assert.match(stream.summary().blocked?.code ?? '', /CAP_PER_HOUR/);
    assert.ok(h.receipts.every((r) => r.amountMsat <= 20_000));
  });

  it('refuses a trade of another buyer, a repeated trade with other terms, a closed one, and bad readings', async () => {
    h = new Harness();
    const stream = await h.openStream(keysend);
    await assert.rejects(stream.admitTrade(h.trade({ buyer: 'prosumer-b' })), { code: 'NOT_OUR_TRADE' });
    assert.equal(await stream.admitTrade(h.trade()), true);
    assert.equal(await stream.admitTrade(h.trade()), false);
    await assert.rejects(stream.admitTrade(h.trade({ quantityWh: 1 })), { code: 'TRADE_CONFLICT' });
    stream.admitReading(reading(100, T0));
    assert.throws(() => stream.admitReading(reading(50, T0 + 1000)), { code: 'COUNTER_BACKWARDS' });
    assert.throws(() => stream.admitReading(reading(150, T0 + 1000, { meterId: 'meter-b' })), { code: 'WRONG_METER' });
    await assert.rejects(
      stream.admitInvoice({ type: 'invoice', tradeId: 'nope', interval: 0, fromWh: 0, toWh: 1, amountMsat: 1, priceMsatPerKwh: 1, paymentHash: 'a'.repeat(64), request: 'x', hold: false, payee: h.sellerNode.pubkey, buyer: 'prosumer-a', seller: 'genset-co', expiresAt: new Date(T0 + 1e6).toISOString(), ts: new Date(T0).toISOString() }),
      { code: 'UNKNOWN_TRADE' },
    );
  });
});
