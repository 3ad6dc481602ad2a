// The least-privilege macaroons of docs/payments.md "Which macaroon", baked by the simulator as lncli bakemacaroon
// would and used through ln-service's real client on the Node-RED runtime: the payer's send-only one and the
// payee's receive-and-sign one work; a macaroon short of a permission a node needs is refused with lnd's
// "permission denied", a status and an error a Catch node gets.
import assert from 'node:assert/strict';
import { owedMsat } from '../../../lib/payments/money';
import { verifyNodeSignature } from '../../../lib/payments/receipt-signature';
import { receiptSigningText } from '../../../lib/payments/receipts';
import type { Receipt } from '../../../lib/schemas/payments';
import { PayFlow } from './pay-flow';

const P = 91_124;

describe('payment nodes with least-privilege macaroons (LND simulator)', function () {
  this.timeout(60_000);
  let f: PayFlow;
  afterEach(async () => f.stop());

  const sellerMsat = () => Number(f.net.truth().balances[0].toMsat);

  for (const mode of ['keysend', 'invoice'] as const) {
    it(`${mode}: the payer pays with offchain:read offchain:write info:read, the payee gates and signs with invoices:read invoices:write message:write info:read`, async () => {
      f = new PayFlow();
      await f.start({ streamMode: mode, gateMode: mode, buyerMacaroon: 'payer', sellerMacaroon: 'payee' });
      const trade = await f.open();
      await f.deliver(1, 35);
      await f.until(() => f.msgs('gateReceipts').length === 3, 'three payee receipts');
      assert.equal(sellerMsat(), owedMsat(300, P));
      const signed = f.msgs('gateReceipts').map((m) => m.payload as Receipt);
      assert.ok(signed.every((r) => r.tradeId === trade.id && r.signature && verifyNodeSignature(receiptSigningText(r), r.signature, f.net.node('seller').pubkey)));
      assert.deepEqual(f.msgs('caught'), []);
      assert.match(f.lastStatus('stream') ?? '', /^green /);
    });
  }

  it('the payer with lnd’s invoice macaroon (no offchain:write) is refused: "permission denied" to a Catch node, a retrying status, and nothing paid', async () => {
    f = new PayFlow();
    await f.start({ buyerMacaroon: 'invoice' });
    await f.open();
    await f.deliver(1, 15);
    await f.until(() => f.msgs('caught').some((m) => /permission denied/.test(m.error?.message ?? '')), 'the refusal');
    const refusal = f.msgs('caught').find((m) => /permission denied/.test(m.error?.message ?? ''))!;
    assert.match(refusal.error!.message, /keysend payment: .*permission denied/);
    assert.equal(refusal.payload.code, 'PERMISSION');
    assert.match(f.lastStatus('stream') ?? '', /retrying/);
    assert.equal(f.msgs('caught').filter((m) => /permission denied/.test(m.error?.message ?? '')).length, 1, 'said once, not at every retry');
    assert.equal(sellerMsat(), 0);
  });

  it('the payee with the payer’s macaroon (no invoices:read) is refused: its invoice subscription fails with "permission denied", said to a Catch node', async () => {
    f = new PayFlow();
    await f.start({ sellerMacaroon: 'payer', gateMode: 'invoice', streamMode: 'invoice' });
    await f.until(() => f.msgs('caught').some((m) => /permission denied/.test(m.error?.message ?? '')), 'the refusal');
    assert.match(f.msgs('caught').find((m) => /permission denied/.test(m.error?.message ?? ''))!.error!.message, /subscribeToInvoices|createInvoice/);
    assert.equal(f.msgs('caught').find((m) => /permission denied/.test(m.error?.message ?? ''))!.payload.code, 'PERMISSION');
  });

  it('the payee with lnd’s invoice macaroon (no message:write) gates and is paid, with unsigned receipts', async () => {
    f = new PayFlow();
    await f.start({ sellerMacaroon: 'invoice' });
    await f.open();
    await f.deliver(1, 25);
    await f.until(() => f.msgs('gateReceipts').length === 2, 'two payee receipts');
    assert.ok(f.msgs('gateReceipts').every((m) => m.payload.signature === undefined));
    assert.equal(sellerMsat(), owedMsat(200, P));
  });
});
