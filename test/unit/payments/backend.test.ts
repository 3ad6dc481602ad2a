// The ln-service backend against the LND simulator, through ln-service's real gRPC client.
import assert from 'node:assert/strict';
import { wallClock } from '../../../lib/clock';
import * as ln from 'ln-service';
import { LnServiceBackend } from '../../../lib/payments/backend/ln-service';
import { BackendError, type IncomingInvoice } from '../../../lib/payments/backend/types';
import { derivePreimage, paymentHashOf } from '../../../lib/payments/identity';
import { decodeIntervalRecords, encodeIntervalRecords } from '../../../lib/payments/records';
import { receiptSigningText } from '../../../lib/payments/receipts';
import { verifyNodeSignature } from '../../../lib/payments/receipt-signature';
import { startPair, type SimPair } from './sim-support';

describe('payments: the ln-service backend on the LND simulator', function () {
  this.timeout(30_000);
  let pair: SimPair;
  before(async () => (pair = await startPair(wallClock)));
  after(async () => pair.close());

  const secret = '11'.repeat(32);
  const record = { tradeId: 'm1:t1', interval: 0, meterId: 'meter-a', buyer: 'prosumer-a', fromWh: 0, toWh: 100, counterStartWh: 5, counterEndWh: 105, priceMsatPerKwh: 91_124 };

  it('pays by keysend with our records and fee limit; the payee sees them; a re-send is a duplicate; status is confirmed', async () => {
    const buyer = pair.backend('buyer');
    const seller = pair.backend('seller');
    const seen: IncomingInvoice[] = [];
    const sub = seller.subscribeInvoices({ onInvoice: (i) => seen.push(i), onError: () => undefined }, {});
    const preimage = derivePreimage(secret, 'm1:t1', 0);
    const paymentHash = paymentHashOf(preimage);
    assert.deepEqual(await buyer.paymentStatus(paymentHash, 5000), { status: 'not-found' });
    const payment = { destination: pair.net.node('seller').pubkey, amountMsat: 9112, preimage, paymentHash, records: encodeIntervalRecords(record), maxFeeMsat: 10, timeoutMs: 10_000 };
    const outcome = await buyer.payKeysend(payment);
    assert.equal(outcome.status, 'confirmed');
    await assert.rejects(buyer.payKeysend(payment), (err: BackendError) => err.code === 'DUPLICATE' && err.unknownOutcome);
    assert.deepEqual(await buyer.paymentStatus(paymentHash, 5000), { status: 'confirmed', preimage, feeMsat: 0 });
    const settled = () => seen.find((i) => i.state === 'settled');
    for (let i = 0; i < 50 && !settled(); i++) await new Promise((r) => setTimeout(r, 20));
    sub.close();
    const invoice = settled()!;
    assert.equal(invoice.keysend, true);
    assert.equal(invoice.receivedMsat, 9112);
    assert.equal(invoice.preimage, preimage);
    assert.deepEqual(decodeIntervalRecords(invoice.records), record);
  });

  it('hold invoices: the payer stays in flight until the payee settles', async () => {
    const buyer = pair.backend('buyer');
    const seller = pair.backend('seller');
    const preimage = derivePreimage(secret, 'm1:t1', 9);
    const paymentHash = paymentHashOf(preimage);
    const { request } = await seller.createHoldInvoice({ paymentHash, amountMsat: 20_000, description: 'test', expiresAtMs: Date.now() + 60_000, timeoutMs: 5000 });
    assert.equal(buyer.decodeRequest(request).amountMsat, 20_000);
    const states: string[] = [];
    const sub = seller.subscribeInvoice(paymentHash, { onInvoice: (i) => states.push(i.state), onError: () => undefined });
    const paying = buyer.payRequest({ request, amountMsat: 20_000, maxFeeMsat: 10, timeoutMs: 20_000 });
    for (let i = 0; i < 100 && !states.includes('held'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await buyer.paymentStatus(paymentHash, 5000)).status, 'pending');
    await seller.settleHoldInvoice(preimage, 5000);
    assert.equal((await paying).status, 'confirmed');
    sub.close();
    assert.deepEqual(states.filter((s, i) => states.indexOf(s) === i), ['open', 'held', 'settled']);
  });

  it('signs a receipt with the node key, which checks without a node', async () => {
    const seller = pair.backend('seller');
    const text = receiptSigningText({ type: 'receipt', tradeId: 'm1:t1', seq: 0, energyWh: 100, amountMsat: 9112, totalMsat: 9112, feeMsat: 0, ts: '2026-12-01T06:00:00.000Z' });
    const signature = await seller.signMessage(text, 5000);
    assert.ok(verifyNodeSignature(text, signature, pair.net.node('seller').pubkey));
    assert.ok(!verifyNodeSignature(text + ' ', signature, pair.net.node('seller').pubkey));
    assert.ok(!verifyNodeSignature(text, signature, pair.net.node('buyer').pubkey));
  });

  it('a forged or missing macaroon is refused as PERMISSION, a stopped node as UNAVAILABLE', async () => {
    const { lndOptions } = pair.net.node('buyer');
    const forged = lndOptions('admin');
    const bytes = Buffer.from(forged.macaroon, 'hex');
    bytes[bytes.length - 1] ^= 1;
    for (const macaroon of [bytes.toString('hex'), undefined]) {
      const { lnd } = ln.authenticatedLndGrpc({ ...forged, macaroon });
      const backend = new LnServiceBackend(lnd, wallClock);
      await assert.rejects(backend.info(5000), (err: BackendError) => err.code === 'PERMISSION');
    }
    await pair.net.node('seller').stop();
    try {
      await assert.rejects(pair.backend('seller').info(5000), (err: BackendError) => err.code === 'UNAVAILABLE');
    } finally {
      await pair.net.node('seller').start();
    }
  });
});
