// flaregrid-lnd, flaregrid-pay-stream and flaregrid-pay-gate on the Node-RED runtime, through ln-service's real
// gRPC client against the LND simulator: each case of issue 15's "done when" that runs inside one process.
import assert from 'node:assert/strict';
import * as ln from 'ln-service';
import helper from 'node-red-node-test-helper';
import { LnServiceBackend } from '../../../lib/payments/backend/ln-service';
import { derivePreimage, paymentHashOf } from '../../../lib/payments/identity';
import { encodeIntervalRecords } from '../../../lib/payments/records';
import { owedMsat } from '../../../lib/payments/money';
import { isCutOff, isInvoice, isReceipt } from '../../../lib/schemas';
import { PayFlow } from './pay-flow';

const P = 91_124;

describe('payment nodes on the LND simulator', function () {
  this.timeout(60_000);
  let f: PayFlow;
  afterEach(async () => f.stop());

  const sellerMsat = () => Number(f.net.truth().balances[0].toMsat);
  const payerStatus = async (hash: string) => {
    const client = ln.authenticatedLndGrpc(f.net.node('buyer').lndOptions('readonly'));
    try {
      return await new LnServiceBackend(client.lnd, f.clock).paymentStatus(hash, 5000);
    } finally {
      for (const service of Object.values(client.lnd)) (service as { close?: () => void }).close?.();
    }
  };
  const buyerMsat = () => Number(f.net.truth().balances[0].fromMsat);

  it('a full keysend stream pays exactly energy × price, to the msat, with a receipt per payment and a final one', async () => {
    f = new PayFlow();
    await f.start();
    const trade = await f.open(f.trade({ quantityWh: 1234 }));
    await f.deliver(1, 130);
    await f.runTo(15 * 60 + 31);
    await f.until(() => f.msgs('receipts').some((m) => m.payload.final), 'the final receipt');
    const receipts = f.msgs('receipts').map((m) => m.payload);
    assert.ok(receipts.every((r) => isReceipt(r)), isReceipt.problems(receipts.find((r) => !isReceipt(r))).join('; '));
    const final = receipts.find((r) => r.final)!;
    assert.equal(final.energyWh, 1234);
    assert.equal(final.totalMsat, owedMsat(1234, P));
    assert.equal(final.unpaidMsat, 0);
    assert.equal(sellerMsat(), owedMsat(1234, P), 'what the seller’s channel holds');
    assert.equal(f.msgs('receipts')[0].topic, `flaregrid/${trade.market}/receipts/prosumer-a`);
    await f.until(() => f.msgs('gateReceipts').length === receipts.length - 1, 'a payee receipt per payment');
    assert.ok(f.msgs('gateReceipts').every((m) => m.payload.signature && m.payload.issuer === 'payee'));
    assert.deepEqual(f.msgs('cut'), []);
    assert.match(f.lastStatus('stream') ?? '', /^green flaregrid-pay-stream\.status\.paid 112 sat · flaregrid-pay-stream\.status\.owed 0 sat$/);
  });

  for (const mode of ['invoice', 'prepay', 'escrow'] as const) {
    it(`${mode} mode pays what the meter shows, exactly, and the seller never extends credit beyond its window`, async () => {
      f = new PayFlow();
      await f.start({ streamMode: mode, gateMode: mode === 'prepay' ? 'keysend' : mode });
      await f.open();
      await f.deliver(1, 100);
      await f.runTo(15 * 60 + 31);
      await f.until(() => f.msgs('receipts').some((m) => m.payload.final), 'the final receipt');
      const final = f.msgs('receipts').find((m) => m.payload.final)!.payload;
      assert.equal(final.mode, mode);
      // prepay pays a step ahead; delivery stopped at 1000 Wh, the trade's quantity, so nothing is left ahead
      assert.equal(final.energyWh, 1000);
      assert.equal(sellerMsat(), owedMsat(1000, P));
      assert.deepEqual(f.msgs('cut'), []);
      if (mode !== 'prepay') assert.ok(f.msgs('receipts').every((m) => m.payload.final || m.payload.mode === mode));
    });
  }

  it('escrow: an interval not delivered by its deadline is cancelled, and the buyer’s balance is back to the msat', async () => {
    f = new PayFlow();
    await f.start({ streamMode: 'escrow', gateMode: 'escrow' });
    await f.open();
    await f.deliver(1, 13);
    const inFlight = () => Number(f.net.truth().balances[0].inFlightMsat);
    await f.until(() => f.msgs('invoices').length === 2 && inFlight() > 0, 'the second interval held');
    const [first, second] = f.msgs('invoices').map((m) => m.payload);
    assert.equal(sellerMsat(), first.amountMsat, 'the first interval settled once delivered');
    assert.equal(inFlight(), second.amountMsat, 'the second is locked in its HTLC');
    assert.equal(second.amountMsat, owedMsat(second.toWh, P) - owedMsat(second.fromWh, P));
    const buyerFunds = () => buyerMsat() + inFlight();
    const before = buyerFunds();
    await f.deliver(14, 40, 1); // far short of the interval's end; its 20 s deadline passes
    await f.until(() => f.msgs('invoices').length > 2, 'the next interval offered');
    assert.equal((await payerStatus(second.paymentHash)).status, 'failed', 'the held payment failed back to the buyer');
    assert.equal(sellerMsat(), first.amountMsat, 'the seller got nothing of the cancelled interval');
    assert.equal(buyerFunds(), before, 'the buyer has all of it, to the msat (in its balance, or locked again for the next interval)');
    assert.equal(f.msgs('invoices')[2].payload.fromWh, second.fromWh, 'the next interval starts where the cancelled one did');
  });

  it('a buyer that stops paying is cut off within the credit window and restored after it pays', async () => {
    f = new PayFlow();
    await f.start();
    const trade = await f.open();
    await f.deliver(1, 20);
    await f.net.node('buyer').stop();
    await f.deliver(21, 60);
    await f.until(() => f.msgs('cut').some((m) => m.payload.type === 'cutoff'), 'a cut-off');
    const cutoff = f.msgs('cut')[0].payload;
    assert.ok(isCutOff(cutoff), isCutOff.problems(cutoff).join('; '));
    assert.equal(cutoff.participant, 'prosumer-a');
    assert.equal(cutoff.tradeId, trade.id);
    assert.ok(cutoff.unpaidWh > 300 && cutoff.unpaidWh <= 300 + 5 * 10 + 10, `cut at ${cutoff.unpaidWh} Wh: within the window plus its grace`);
    assert.equal(f.msgs('warn')[0]?.payload.type, 'warning');
    assert.equal(f.lastStatus('gate'), 'red flaregrid-pay-gate.status.cutOff prosumer-a');
    assert.match(f.lastStatus('stream') ?? '', /retrying/);
    await f.net.node('buyer').start();
    await f.connected('stream');
    await f.runTo(100);
    await f.until(() => f.msgs('cut').some((m) => m.payload.type === 'restore'), 'a restore');
    assert.ok(f.msgs('cut').find((m) => m.payload.type === 'restore')!.payload.unpaidWh <= 60);
  });

  it('LND going down mid-stream loses nothing: the stream resumes and pays exactly what was delivered', async () => {
    f = new PayFlow();
    await f.start({ gate: false });
    await f.open();
    await f.deliver(1, 30);
    await f.net.node('buyer').stop();
    await f.deliver(31, 60);
    await f.net.node('buyer').start();
    await f.connected('stream');
    await f.deliver(61, 100);
    await f.runTo(15 * 60 + 31);
    await f.until(() => f.msgs('receipts').some((m) => m.payload.final), 'the final receipt');
    assert.equal(sellerMsat(), owedMsat(1000, P));
    const paid = f.msgs('receipts').filter((m) => !m.payload.final).map((m) => m.payload);
    assert.equal(new Set(paid.map((r) => r.paymentHash)).size, paid.length);
    assert.equal(paid.reduce((sum, r) => sum + r.amountMsat, 0), owedMsat(1000, P));
  });

  it('the caps stop a runaway flow: no more than the hourly cap, whatever the meter says; the status says which cap', async () => {
    f = new PayFlow();
    await f.start({ caps: { perHourMsat: 50_000, perPaymentMsat: 20_000 }, gate: false });
    await f.open(f.trade({ quantityWh: 5000 }));
    await f.open(f.trade({ id: 'm1:slot-1:2', quantityWh: 5000 }));
    await f.deliver(1, 30, 300);
    await f.runTo(32); // the status is refreshed on the clock
    await f.until(() => f.lastStatus('stream') === 'red flaregrid-pay-stream.status.cap.CAP_PER_HOUR', 'the cap status').catch((e) => { console.log(f.statuses.get('stream')?.slice(-6), 5_000_000_000 - buyerMsat()); throw e; });
    const spent = 5_000_000_000 - buyerMsat();
    assert.ok(spent <= 50_000 && spent > 30_000, `${spent} msat`);
    assert.ok(f.msgs('receipts').every((m) => m.payload.amountMsat <= 20_000));
  });

  for (const buyerMacaroon of ['forged', 'none'] as const) {
    it(`a ${buyerMacaroon === 'none' ? 'missing' : 'forged'} macaroon is refused: retrying status, and a trade refused with the reason`, async () => {
      f = new PayFlow();
      await f.start({ buyerMacaroon, gate: false });
      await f.until(() => /retrying/.test(f.lastStatus('stream') ?? ''), 'a retrying status');
      helper.getNode('stream').receive({ payload: f.trade() });
      await f.until(() => f.msgs('caught').length === 1, 'the refusal');
      assert.match(f.msgs('caught')[0].error!.message, /macaroon/i);
      assert.equal(f.lastStatus('stream'), 'yellow flaregrid-pay-stream.status.refused.PERMISSION');
    });
  }

  it('bad input to the stream gets a clear error and a status, and no payment: cap override, wrong meter, counter backwards, unknown and over trades', async () => {
    f = new PayFlow();
    await f.start({ gate: false });
    const trade = await f.open();
    const stream = helper.getNode('stream');
    const refuse = async (msg: object, says: RegExp, status: string) => {
      const before = f.msgs('caught').length;
      stream.receive(msg);
      await f.until(() => f.msgs('caught').length === before + 1, `a refusal (${says})`);
      assert.match(f.msgs('caught').at(-1)!.error!.message, says);
      assert.equal(f.lastStatus('stream'), `yellow flaregrid-pay-stream.status.refused.${status}`);
    };
    await refuse({ payload: f.reading(f.counterWh + 10, f.t0 + 1000), maxFeeMsat: 10 ** 9 }, /maxFeeMsat/, 'CAP_OVERRIDE');
    await refuse({ payload: { ...trade, caps: { perHourMsat: 1 } } }, /caps/, 'CAP_OVERRIDE');
    await refuse({ payload: f.reading(f.counterWh + 10, f.t0 + 1000, { meterId: 'meter-b' }) }, /not the buyer's meter/, 'WRONG_METER');
    await refuse({ payload: f.reading(f.counterWh - 10, f.t0 + 1000) }, /went backwards/, 'COUNTER_BACKWARDS');
    await refuse({ payload: f.trade({ id: 'm1:theirs', buyer: 'prosumer-b' }) }, /not by this stream's buyer/, 'NOT_OUR_TRADE');
    await refuse({ payload: f.trade({ id: 'm1:old', deliveryStart: new Date(f.t0 - 3_600_000).toISOString(), deliveryEnd: new Date(f.t0 - 1_800_000).toISOString() }) }, /over/, 'TRADE_OVER');
    const invoice = { type: 'invoice', tradeId: 'm1:nope', interval: 0, fromWh: 0, toWh: 10, amountMsat: 911, priceMsatPerKwh: P, paymentHash: 'a'.repeat(64), request: 'lnbcrt1', hold: false, payee: trade.payTo, buyer: 'prosumer-a', seller: 'genset-co', expiresAt: new Date(f.t0 + 60_000).toISOString(), ts: new Date(f.t0).toISOString() };
    assert.ok(isInvoice(invoice));
    await refuse({ payload: invoice }, /does not know/, 'UNKNOWN_TRADE');
    await refuse({ payload: { hello: 'world' } }, /not a Trade/, 'other');
    assert.equal(5_000_000_000 - buyerMsat(), 0, 'nothing was paid');
  });

  it('the gate reports an overpayment, a payment for an unknown trade and one for a trade that is over, and ledgers them', async () => {
    f = new PayFlow();
    await f.start();
    const trade = await f.open(f.trade({ quantityWh: 100, deliveryEnd: new Date(f.t0 + 60_000).toISOString() }));
    const client = ln.authenticatedLndGrpc(f.net.node('buyer').lndOptions('admin'));
    const payer = new LnServiceBackend(client.lnd, f.clock);
    const keysend = async (tradeId: string, interval: number, amountMsat: number) => {
      const preimage = derivePreimage('77'.repeat(32), tradeId, interval);
      const records = encodeIntervalRecords({ tradeId, interval, meterId: 'meter-a', buyer: 'prosumer-a', fromWh: 0, toWh: 100, counterStartWh: 0, counterEndWh: 0, priceMsatPerKwh: P });
      const outcome = await payer.payKeysend({ destination: trade.payTo, amountMsat, preimage, paymentHash: paymentHashOf(preimage), records, maxFeeMsat: 0, timeoutMs: 5000 });
      assert.equal(outcome.status, 'confirmed');
    };
    const problem = async (says: RegExp, status: string) => {
      await f.until(() => f.msgs('caught').some((m) => says.test(m.error!.message)), `a problem ${says}`);
      await f.until(() => f.lastStatus('gate') === `yellow flaregrid-pay-gate.status.refused.${status}`, `status ${status}`);
    };
    try {
      await keysend(trade.id, 50, owedMsat(100, P) + 1);
      await problem(/more than its 100 Wh can cost/, 'OVERPAYMENT');
      await keysend('m1:nope', 0, 1000);
      await problem(/does not know/, 'UNKNOWN_TRADE');
      await f.runTo(60 + 31);
      await keysend(trade.id, 51, 1000);
      await problem(/which is over/, 'TRADE_OVER');
    } finally {
      for (const service of Object.values(client.lnd)) (service as { close?: () => void }).close?.();
    }
  });
});
