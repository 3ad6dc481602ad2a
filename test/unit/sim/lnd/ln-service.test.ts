// The simulator through ln-service's real client, one call of the checklist (research/lightning.md §c) at a time:
// every response has to get through ln-service's own strict parsers.
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { parsePaymentRequest } from 'invoices';
import type { LightningNetwork } from '../../../../sim/lnd';
import { ln, lndFor, once, startNetwork } from './support';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sim/lnd through ln-service', function () {
  this.timeout(20_000);
  let net: LightningNetwork;
  let alice: unknown;
  let bob: unknown;

  // one network and one client per node for the whole file: ln-service takes ~200 ms to build a client
  before(async () => {
    net = await startNetwork({
      nodes: [{ alias: 'alice' }, { alias: 'bob', acceptsKeysend: true }],
      channels: [{ from: 'alice', to: 'bob', capacitySat: 1_000_000, localSat: 600_000 }],
    });
    alice = lndFor(net, 'alice');
    bob = lndFor(net, 'bob');
  });

  after(() => net.stop());

  it('getWalletInfo / getIdentity / getHeight: the node key, regtest, the chain height', async () => {
    const info = await ln.getWalletInfo({ lnd: alice });
    assert.equal(info.public_key, net.node('alice').pubkey);
    assert.equal(info.alias, 'alice');
    assert.equal(info.current_block_height, 100);
    assert.equal(info.active_channels_count, 1);
    assert.equal(info.peers_count, 1);
    assert.equal(info.is_synced_to_chain, true);
    assert.deepEqual(info.chains, ['06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f']); // regtest
    assert.match(info.version, /^0\.20\.0-beta/);
    assert.equal((await ln.getIdentity({ lnd: alice })).public_key, net.node('alice').pubkey);
    // ChainNotifier is not served: ln-service falls back to GetInfo
    assert.equal((await ln.getHeight({ lnd: alice })).current_block_height, 100);
  });

  it('getChannels / getChannelBalance: both sides of the channel, reserves and constraints', async () => {
    // runs before any payment: the opening balances
    const { channels } = await ln.getChannels({ lnd: alice });
    assert.equal(channels.length, 1);
    const [c] = channels;
    assert.equal(c.capacity, 1_000_000);
    assert.equal(c.local_balance, 600_000);
    assert.equal(c.remote_balance, 400_000);
    assert.equal(c.local_reserve, 10_000);
    assert.equal(c.is_active, true);
    assert.equal(c.is_partner_initiated, false);
    assert.equal(c.partner_public_key, net.node('bob').pubkey);
    const bobsView = (await ln.getChannels({ lnd: bob })).channels[0];
    assert.equal(bobsView.local_balance, 400_000);
    assert.equal(bobsView.is_partner_initiated, true);
    assert.equal(bobsView.id, c.id);
    const balance = await ln.getChannelBalance({ lnd: alice });
    assert.equal(balance.channel_balance, 600_000);
    assert.equal(balance.channel_balance_mtokens, '600000000');
    assert.equal(balance.inbound, 400_000);
    assert.equal((await ln.getChannels({ lnd: alice, is_private: true })).channels.length, 0);
    assert.equal((await ln.getChannels({ lnd: alice, partner_public_key: net.node('bob').pubkey })).channels.length, 1);
    assert.equal((await ln.getChainBalance({ lnd: alice })).chain_balance, 0);
    const fees = await ln.getFeeRates({ lnd: alice });
    assert.equal(fees.channels[0].base_fee_mtokens, '1000');
    assert.equal(fees.channels[0].fee_rate, 1);
  });

  it('createInvoice / getInvoice / getInvoices / decodePaymentRequest: a signed lnbcrt request', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, mtokens: '1500500', description: 'flare gas, 1.5 kWh', expires_at: new Date(Date.now() + 600_000).toISOString() });
    assert.match(invoice.request, /^lnbcrt/);
    assert.equal(sha256(Buffer.from(invoice.secret, 'hex')), invoice.id);
    const parsed = parsePaymentRequest({ request: invoice.request });
    assert.equal(parsed.destination, net.node('bob').pubkey);
    assert.equal(parsed.payment, invoice.payment);
    const got = await ln.getInvoice({ lnd: bob, id: invoice.id });
    assert.equal(got.mtokens, '1500500');
    assert.equal(got.description, 'flare gas, 1.5 kWh');
    assert.equal(got.is_confirmed, false);
    assert.equal(got.request, invoice.request);
    const decoded = await ln.decodePaymentRequest({ lnd: alice, request: invoice.request });
    assert.equal(decoded.destination, net.node('bob').pubkey);
    assert.equal(decoded.mtokens, '1500500');
    assert.equal(decoded.cltv_delta, 80);
    const { invoices } = await ln.getInvoices({ lnd: bob, limit: 1 });
    assert.deepEqual(invoices.map((i: { id: string }) => i.id), [invoice.id]);
    await assert.rejects(ln.getInvoice({ lnd: bob, id: '00'.repeat(32) }), (err: unknown[]) => err[0] === 404 || /unable to locate invoice/.test(JSON.stringify(err)));
    await assert.rejects(ln.createInvoice({ lnd: bob, secret: invoice.secret, tokens: 1 }), (err: unknown[]) => err[1] === 'InvoiceWithGivenHashAlreadyExists');
  });

  it('pay (SendPaymentV2): the preimage, a direct channel free of fees, both balances moved to the msat', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, mtokens: '1234567', description: 'x' });
    const before = net.truth().balances[0];
    const paid = await ln.pay({ lnd: alice, request: invoice.request });
    assert.equal(paid.secret, invoice.secret);
    assert.equal(paid.fee_mtokens, '0');
    assert.equal(paid.mtokens, '1234567');
    const after = net.truth().balances[0];
    assert.equal(BigInt(before.fromMsat) - BigInt(after.fromMsat), 1_234_567n);
    assert.equal(BigInt(after.toMsat) - BigInt(before.toMsat), 1_234_567n);
    assert.equal(after.inFlightMsat, '0');
    const settled = await ln.getInvoice({ lnd: bob, id: invoice.id });
    assert.equal(settled.is_confirmed, true);
    assert.equal(settled.received_mtokens, '1234567');
  });

  it('getPayment / getPayments (TrackPaymentV2, ListPayments) and a never-sent hash: SentPaymentNotFound', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 2000 });
    await ln.pay({ lnd: alice, request: invoice.request });
    const payment = await ln.getPayment({ lnd: alice, id: invoice.id });
    assert.equal(payment.is_confirmed, true);
    assert.equal(payment.payment.secret, invoice.secret);
    assert.equal(payment.payment.tokens, 2000);
    const { payments } = await ln.getPayments({ lnd: alice, limit: 1 });
    assert.deepEqual(payments.map((p: { id: string }) => p.id), [invoice.id]);
    await assert.rejects(ln.getPayment({ lnd: alice, id: '00'.repeat(32) }), (err: unknown[]) => err[0] === 404 && err[1] === 'SentPaymentNotFound');
  });

  it('a paid hash again: ALREADY_EXISTS "invoice is already paid"; a FAILED one may be retried', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 1000 });
    await ln.pay({ lnd: alice, request: invoice.request });
    await assert.rejects(ln.pay({ lnd: alice, request: invoice.request }), (err: any[]) => {
      assert.equal(err[1], 'UnexpectedPaymentError');
      assert.equal(err[2].err.code, 6);
      assert.equal(err[2].err.details, 'invoice is already paid');
      return true;
    });
    // a keysend-less payment to a hash bob does not know fails, then a retry of the same hash is allowed
    const secret = randomBytes(32);
    const id = sha256(secret);
    await assert.rejects(ln.payViaPaymentDetails({ lnd: alice, id, destination: net.node('bob').pubkey, tokens: 10 }), (err: unknown[]) => err[1] === 'PaymentRejectedByDestination');
    await assert.rejects(ln.payViaPaymentDetails({ lnd: alice, id, destination: net.node('bob').pubkey, tokens: 10 }), (err: unknown[]) => err[1] === 'PaymentRejectedByDestination');
    const failed = await ln.getPayment({ lnd: alice, id });
    assert.equal(failed.is_failed, true);
  });

  it('payViaPaymentDetails with the invoice\'s payment secret pays it; without one the payee refuses', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 5000 });
    const details = { lnd: alice, id: invoice.id, destination: net.node('bob').pubkey, tokens: 5000, cltv_delta: 80 };
    await assert.rejects(ln.payViaPaymentDetails(details), (err: unknown[]) => err[1] === 'PaymentRejectedByDestination');
    const paid = await ln.payViaPaymentDetails({ ...details, payment: invoice.payment });
    assert.equal(paid.secret, invoice.secret);
  });

  it('a zero-amount invoice takes the amount the payer names', async () => {
    const invoice = await ln.createInvoice({ lnd: bob });
    const paid = await ln.pay({ lnd: alice, request: invoice.request, tokens: 777 });
    assert.equal(paid.tokens, 777);
    assert.equal((await ln.getInvoice({ lnd: bob, id: invoice.id })).received, 777);
  });

  it('subscribeToPayViaRequest: paying, then confirmed, and the stream ends', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 3000 });
    const sub = ln.subscribeToPayViaRequest({ lnd: alice, request: invoice.request });
    const events: string[] = [];
    for (const e of ['paying', 'confirmed', 'failed', 'routing_failure']) sub.on(e, () => events.push(e));
    await new Promise((resolve, reject) => {
      sub.on('confirmed', resolve);
      sub.on('error', reject);
    });
    assert.deepEqual(events, ['paying', 'confirmed']);
  });

  it('subscribeToPayments (TrackPayments): every payment of the node as it is made', async () => {
    const sub = ln.subscribeToPayments({ lnd: alice });
    const confirmed = once<{ id: string }>(sub, 'confirmed');
    await new Promise((r) => setTimeout(r, 50));
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 60 });
    await ln.pay({ lnd: alice, request: invoice.request });
    assert.equal((await confirmed).id, invoice.id);
    sub.removeAllListeners();
  });

  it('subscribeToInvoices: the new invoice, then its settlement; subscribeToInvoice: every state', async () => {
    const all = ln.subscribeToInvoices({ lnd: bob });
    const updates: { id: string; is_confirmed: boolean }[] = [];
    all.on('invoice_updated', (i: { id: string; is_confirmed: boolean }) => updates.push(i));
    all.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 100 });
    const single = ln.subscribeToInvoice({ lnd: bob, id: invoice.id });
    const states: boolean[] = [];
    single.on('invoice_updated', (i: { is_confirmed: boolean }) => states.push(i.is_confirmed));
    single.on('error', () => undefined);
    const ended = once(single, 'end');
    await ln.pay({ lnd: alice, request: invoice.request });
    await ended;
    await new Promise((r) => setTimeout(r, 100));
    all.removeAllListeners();
    assert.deepEqual(states, [false, true]);
    assert.deepEqual(updates.map((u) => [u.id, u.is_confirmed]), [[invoice.id, false], [invoice.id, true]]);
  });

  it('signMessage / verifyMessage: lnd\'s format, verified by another node and pinned to the signer', async () => {
    const { signature } = await ln.signMessage({ lnd: bob, message: 'receipt 7: 2.5 kWh' });
    assert.match(signature, /^[ybndrfg8ejkmcpqxot1uwisza345h769]{104}$/);
    const verified = await ln.verifyMessage({ lnd: alice, message: 'receipt 7: 2.5 kWh', signature });
    assert.equal(verified.signed_by, net.node('bob').pubkey);
    const tampered = await ln.verifyMessage({ lnd: alice, message: 'receipt 7: 25 kWh', signature });
    assert.notEqual(tampered.signed_by, net.node('bob').pubkey);
  });

  it('unauthenticated getWalletStatus (lnrpc.State) answers without a macaroon', async () => {
    const { lnd } = ln.unauthenticatedLndGrpc({ cert: net.node('alice').lndOptions().cert, socket: net.node('alice').socket });
    const status = await ln.getWalletStatus({ lnd });
    assert.equal(status.is_active, true);
  });
});
