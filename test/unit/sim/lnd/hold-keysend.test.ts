// Escrow by hold invoice (the pay stream's escrow mode) and keysend, through ln-service: the buyer's money
// locked in the HTLC while the invoice is ACCEPTED, released by SettleInvoice or returned to the msat by
// CancelInvoice or by the HTLC running out; keysend only to a payee that accepts it, its TLVs delivered.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { LightningNetwork } from '../../../../sim/lnd';
import { FakeClock } from '../../../support/fake-clock';
import { ln, lndFor, once, startNetwork } from './support';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('sim/lnd hold invoices and keysend', function () {
  this.timeout(20_000);
  const clock = new FakeClock();
  const blockMs = 60_000;
  let net: LightningNetwork;
  let buyer: unknown;
  let seller: unknown;
  const balances = () => {
    const b = net.truth().balances.find((x) => x.chanId === net.truth().channels.find((c) => c.from === 'buyer' && c.to === 'seller')!.chanId)!;
    return { buyer: BigInt(b.fromMsat), seller: BigInt(b.toMsat), inFlight: BigInt(b.inFlightMsat) };
  };

  before(async () => {
    net = await startNetwork({
      clock,
      blockIntervalMs: blockMs,
      nodes: [{ alias: 'buyer' }, { alias: 'seller', acceptsKeysend: true }, { alias: 'nobody' }],
      channels: [
        { from: 'buyer', to: 'seller', capacitySat: 1_000_000, localSat: 900_000 },
        { from: 'buyer', to: 'nobody', capacitySat: 1_000_000, localSat: 900_000 },
      ],
    });
    buyer = lndFor(net, 'buyer');
    seller = lndFor(net, 'seller');
  });

  after(() => net.stop());

  async function holdAndPay(mtokens: string) {
    const secret = randomBytes(32);
    const id = sha256(secret);
    const invoice = await ln.createHodlInvoice({ lnd: seller, id, mtokens, description: 'interval 12' });
    const paying = ln.pay({ lnd: buyer, request: invoice.request });
    paying.catch(() => undefined);
    const held = ln.subscribeToInvoice({ lnd: seller, id });
    await new Promise<void>((resolve, reject) => {
      held.on('invoice_updated', (i: { is_held: boolean }) => i.is_held && resolve());
      held.on('error', reject);
    });
    held.removeAllListeners();
    return { secret, id, paying };
  }

  it('ACCEPTED holds the buyer\'s money in the HTLC; SettleInvoice pays the seller exactly', async () => {
    const before = balances();
    const { secret, id, paying } = await holdAndPay('2500123');
    assert.equal((await ln.getInvoice({ lnd: seller, id })).is_held, true);
    assert.equal((await ln.getPayment({ lnd: buyer, id })).is_pending, true);
    assert.deepEqual(balances(), { buyer: before.buyer - 2_500_123n, seller: before.seller, inFlight: 2_500_123n });
    await ln.settleHodlInvoice({ lnd: seller, secret: secret.toString('hex') });
    const paid = await paying;
    assert.equal(paid.secret, secret.toString('hex'));
    assert.deepEqual(balances(), { buyer: before.buyer - 2_500_123n, seller: before.seller + 2_500_123n, inFlight: 0n });
    assert.equal((await ln.getInvoice({ lnd: seller, id })).is_confirmed, true);
    // settling twice is harmless, as in lnd
    await ln.settleHodlInvoice({ lnd: seller, secret: secret.toString('hex') });
  });

  it('CancelInvoice returns the money to the buyer to the msat; the buyer sees the payee refuse', async () => {
    const before = balances();
    const { id, paying } = await holdAndPay('777777');
    await ln.cancelHodlInvoice({ lnd: seller, id });
    await assert.rejects(paying, (err: unknown[]) => err[1] === 'PaymentRejectedByDestination');
    assert.deepEqual(balances(), before);
    assert.equal((await ln.getInvoice({ lnd: seller, id })).is_canceled, true);
    assert.equal((await ln.getPayment({ lnd: buyer, id })).is_failed, true);
  });

  it('a held HTLC near its expiry is canceled by the seller\'s node (12 blocks before, as lnd)', async () => {
    const before = balances();
    const { id, paying } = await holdAndPay('1000000');
    const invoice = await ln.getInvoice({ lnd: seller, id });
    const expiry = invoice.payments[0].timeout;
    assert.equal(expiry, net.blockHeight() + 80 + 3, 'the invoice\'s CLTV delta plus lnd\'s 3 blocks of padding');
    clock.advance((expiry - 12 - net.blockHeight()) * blockMs - 1);
    await settle();
    assert.equal((await ln.getInvoice({ lnd: seller, id })).is_held, true);
    clock.advance(1);
    await assert.rejects(paying, (err: unknown[]) => err[1] === 'PaymentRejectedByDestination');
    assert.equal((await ln.getInvoice({ lnd: seller, id })).is_canceled, true);
    assert.deepEqual(balances(), before);
  });

  it('settling before any HTLC: "invoice still open"; settling a canceled one: "invoice already canceled"', async () => {
    const secret = randomBytes(32);
    const id = sha256(secret);
    await ln.createHodlInvoice({ lnd: seller, id, tokens: 10 });
    // ln-service knows lnd's text: "invoice still open" is CannotSettleHtlcBeforeHtlcReceived
    await assert.rejects(ln.settleHodlInvoice({ lnd: seller, secret: secret.toString('hex') }), (err: unknown[]) => err[1] === 'CannotSettleHtlcBeforeHtlcReceived');
    await assert.rejects(ln.settleHodlInvoice({ lnd: seller, secret: randomBytes(32).toString('hex') }), (err: unknown[]) => err[1] === 'SecretDoesNotMatchAnyExistingHodlInvoice');
    await ln.cancelHodlInvoice({ lnd: seller, id });
    await assert.rejects(ln.settleHodlInvoice({ lnd: seller, secret: secret.toString('hex') }), (err: any[]) => err[2].err.details === 'invoice already canceled');
  });

  it('subscribeToInvoices sends the new and the settled invoice, never the held or canceled one (as lnd)', async () => {
    const sub = ln.subscribeToInvoices({ lnd: seller });
    const seen: string[] = [];
    sub.on('invoice_updated', (i: { is_held: boolean; is_confirmed: boolean; is_canceled: boolean }) =>
      seen.push(i.is_confirmed ? 'settled' : i.is_held ? 'held' : i.is_canceled ? 'canceled' : 'open'),
    );
    sub.on('error', () => undefined);
    await settle();
    const settled = await holdAndPay('5000');
    await ln.settleHodlInvoice({ lnd: seller, secret: settled.secret.toString('hex') });
    await settled.paying;
    const canceled = await holdAndPay('6000');
    await ln.cancelHodlInvoice({ lnd: seller, id: canceled.id });
    await settle();
    sub.removeAllListeners();
    assert.deepEqual(seen, ['open', 'settled', 'open']);
  });

  it('keysend: the preimage the buyer made, the TLVs of 65536 and above in the seller\'s invoice subscription', async () => {
    const sub = ln.subscribeToInvoices({ lnd: seller });
    const pushed = new Promise<any>((resolve, reject) => {
      sub.on('invoice_updated', (i: { is_push: boolean; is_confirmed: boolean }) => i.is_push && i.is_confirmed && resolve(i));
      sub.on('error', reject);
    });
    await settle();
    const secret = randomBytes(32);
    const receipt = Buffer.from(JSON.stringify({ trade: 't-1', wh: 1500 })).toString('hex');
    const paid = await ln.payViaPaymentDetails({
      lnd: buyer,
      id: sha256(secret),
      destination: net.node('seller').pubkey,
      mtokens: '1500000',
      messages: [
        { type: '5482373484', value: secret.toString('hex') },
        { type: '65537', value: receipt },
        { type: '7629169', value: '01ff' },
      ],
    });
    assert.equal(paid.secret, secret.toString('hex'));
    const invoice = await pushed;
    sub.removeAllListeners();
    assert.equal(invoice.secret, secret.toString('hex'));
    assert.equal(invoice.received_mtokens, '1500000');
    const messages = invoice.payments[0].messages.filter((m: { type: string }) => m.type !== '5482373484');
    assert.deepEqual(
      messages.sort((a: { type: string }, b: { type: string }) => Number(a.type) - Number(b.type)),
      [
        { type: '65537', value: receipt },
        { type: '7629169', value: '01ff' },
      ],
    );
    const looked = await ln.getInvoice({ lnd: seller, id: sha256(secret) });
    assert.equal(looked.is_push, true);
  });

  it('keysend to a node that does not accept it: PaymentRejectedByDestination; a TLV below 65536 is refused', async () => {
    const secret = randomBytes(32);
    const details = { lnd: buyer, id: sha256(secret), destination: net.node('nobody').pubkey, tokens: 100 };
    await assert.rejects(
      ln.payViaPaymentDetails({ ...details, messages: [{ type: '5482373484', value: secret.toString('hex') }] }),
      (err: unknown[]) => err[1] === 'PaymentRejectedByDestination',
    );
    const low = randomBytes(32);
    await assert.rejects(
      ln.payViaPaymentDetails({ ...details, id: sha256(low), messages: [{ type: '5482373484', value: low.toString('hex') }, { type: '65535', value: '00' }] }),
      (err: any[]) => err[2].err.details === 'no custom records with types below 65536 allowed',
    );
  });

  it('an OPEN invoice past its expiry is canceled on the clock, and a payer is told it expired', async () => {
    // ln-service turns expires_at into an expiry in seconds against the wall clock; the node counts it from its own
    const invoice = await ln.createInvoice({ lnd: seller, tokens: 10, expires_at: new Date(Date.now() + 60_000).toISOString() });
    const watched = ln.subscribeToInvoice({ lnd: seller, id: invoice.id });
    const canceled = new Promise<boolean>((resolve, reject) => {
      watched.on('invoice_updated', (i: { is_canceled: boolean }) => i.is_canceled && resolve(true));
      watched.on('error', reject);
    });
    await settle();
    clock.advance(60_000);
    assert.equal(await canceled, true);
    watched.removeAllListeners();
    clock.advance(1000);
    // the payer's node refuses to send it at all (a stream error, not a FAILED payment), as lnd does
    await assert.rejects(ln.pay({ lnd: buyer, request: invoice.request }), (err: any[]) => /^invoice expired\. Valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/.test(err[2].err.details));
    await assert.rejects(ln.getPayment({ lnd: buyer, id: invoice.id }), (err: unknown[]) => err[1] === 'SentPaymentNotFound');
  });

  it('subscribeToInvoice ends after the final state', async () => {
    const invoice = await ln.createInvoice({ lnd: seller, tokens: 50 });
    const sub = ln.subscribeToInvoice({ lnd: seller, id: invoice.id });
    sub.on('error', () => undefined);
    const ended = once(sub, 'end');
    await ln.pay({ lnd: buyer, request: invoice.request });
    await ended;
  });
});
