// A payment's answer lost over gRPC: the simulator settles the payment at the payee, then cuts the payer's
// SendPaymentV2 stream with UNAVAILABLE before its terminal update (fault dropPaymentStreamAfterSettle). The
// stream driver, on ln-service's real client, must learn the outcome from TrackPaymentV2 and never pay the
// interval again.
import assert from 'node:assert/strict';
import * as ln from 'ln-service';
import { paymentHashOf } from '../../../lib/payments/identity';
import { owedMsat } from '../../../lib/payments/money';
import type { StreamSettings } from '../../../lib/payments/stream';
import { Harness } from './harness';
import { reading, T0 } from './fixtures';
import { startPair, type SimPair } from './sim-support';

const P = 91_124;
const keysend: StreamSettings = { mode: 'keysend', stepWh: 100, stepMs: 60_000, toleranceWh: 5, minPaymentMsat: 1000, closeAfterMs: 30_000, giveUpAfterMs: 600_000 };

describe('payments: a payment settled whose SendPaymentV2 answer is lost (LND simulator, ln-service)', function () {
  this.timeout(30_000);
  let h: Harness;
  let pair: SimPair;
  afterEach(async () => {
    await h.close();
    await pair.close();
  });

  it('is resolved through TrackPaymentV2 and its interval is paid once', async () => {
    h = new Harness();
    pair = await startPair(h.clock);
    const backend = pair.backend('buyer');
    const looked: string[] = [];
    const paymentStatus = backend.paymentStatus.bind(backend);
    backend.paymentStatus = (hash, timeoutMs) => (looked.push(hash), paymentStatus(hash, timeoutMs));
    const stream = await h.openStream(keysend, { backend: async () => backend });
    const t = h.trade({ quantityWh: 300, payTo: pair.net.node('seller').pubkey });
    await stream.admitTrade(t);
    stream.admitReading(reading(10_000, T0 - 500));
    await pair.net.node('buyer').setFaults({ dropPaymentStreamAfterSettle: true });

    let counterWh = 10_000;
    const deliverTo = async (wh: number) => {
      while (counterWh < wh) {
        counterWh += 10;
        h.clock.advanceTo(h.clock.nowMs() + 1000);
        stream.admitReading(reading(counterWh, h.clock.nowMs()));
        await h.flush();
      }
    };
    // the first reading in the window is at T0 + 500 ms: 100 Wh of the trade at a counter of 10,110 Wh. The
    // first interval is sent; the seller is paid, the stream is cut
    await deliverTo(10_110);
    await h.until(() => Number(pair.net.truth().balances[0].toMsat) === owedMsat(100, P), 'the payee paid');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.receipts.length, 0, 'the payer does not know yet');
    // its back-off passes on the clock: it asks TrackPaymentV2, which says SUCCEEDED
    for (let i = 0; i < 50 && h.receipts.length === 0; i++) {
      await h.advance(1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(h.receipts.length, 1);
    const [first] = h.receipts;
    assert.equal(paymentHashOf(first.preimage!), first.paymentHash);
    assert.ok(looked.includes(first.paymentHash!), 'learnt from TrackPaymentV2');

    await pair.net.node('buyer').setFaults({ dropPaymentStreamAfterSettle: false });
    await deliverTo(10_310);
    const paid = () => h.receipts.filter((r) => !r.final);
    await h.until(() => paid().length === 3 && h.receipts.some((r) => r.final), 'three payments and the final receipt');
    assert.equal(Number(pair.net.truth().balances[0].toMsat), owedMsat(300, P), 'the seller got each interval once, to the msat');
    assert.deepEqual(paid().map((r) => [r.fromWh, r.toWh]), [[0, 100], [100, 200], [200, 300]]);
    assert.equal(h.receipts.find((r) => r.final)!.totalMsat, owedMsat(300, P));
    const { payments } = await ln.getPayments({ lnd: backend.lnd });
    assert.equal(payments.length, 3, 'one payment per interval at the payer’s node');
    assert.equal(new Set(payments.map((p: { id: string }) => p.id)).size, 3);
  });
});
