// Multi-hop payments through ln-service: fees to the msat (base + amount × ppm / 1e6, rounded down, charged by
// each forwarding node on what it forwards), balances on every channel moved by exactly those amounts, a hop
// short of liquidity failed and routed around, and the refusals for no route and too little balance.
import assert from 'node:assert/strict';
import type { LightningNetwork } from '../../../../sim/lnd';
import { ln, lndFor, startNetwork } from './support';

const fee = (amountMsat: bigint, baseMsat: bigint, ppm: bigint) => baseMsat + (amountMsat * ppm) / 1_000_000n;

describe('sim/lnd routing', function () {
  this.timeout(20_000);
  let net: LightningNetwork;
  let alice: unknown;
  let carol: unknown;
  let dave: unknown;
  const balance = (from: string, to: string) => {
    const truth = net.truth();
    const c = truth.channels.find((x) => x.from === from && x.to === to)!;
    const b = truth.balances.find((x) => x.chanId === c.chanId)!;
    return { from: BigInt(b.fromMsat), to: BigInt(b.toMsat), inFlight: BigInt(b.inFlightMsat) };
  };

  before(async () => {
    net = await startNetwork({
      nodes: [{ alias: 'alice' }, { alias: 'bob' }, { alias: 'carol' }, { alias: 'dave' }, { alias: 'erin' }, { alias: 'frank' }],
      channels: [
        { from: 'alice', to: 'bob', capacitySat: 2_000_000, localSat: 2_000_000, feeBaseMsat: 0, feePpm: 0 },
        { from: 'bob', to: 'carol', capacitySat: 1_000_000, localSat: 1_000_000, feeBaseMsat: 1000, feePpm: 2500 },
        { from: 'carol', to: 'dave', capacitySat: 1_000_000, localSat: 1_000_000, feeBaseMsat: 500, feePpm: 1000 },
        // a dearer way to carol, with plenty of liquidity, and a cheap one whose middle hop is nearly empty
        { from: 'alice', to: 'erin', capacitySat: 2_000_000, localSat: 2_000_000 },
        { from: 'erin', to: 'carol', capacitySat: 2_000_000, localSat: 2_000_000, feeBaseMsat: 5000, feePpm: 5000 },
        { from: 'alice', to: 'frank', capacitySat: 2_000_000, localSat: 2_000_000 },
        { from: 'frank', to: 'carol', capacitySat: 2_000_000, localSat: 30_000, feeBaseMsat: 0, feePpm: 10 },
      ],
    });
    alice = lndFor(net, 'alice');
    carol = lndFor(net, 'carol');
    dave = lndFor(net, 'dave');
  });

  after(() => net.stop());

  it('two hops: the middle node\'s fee to the msat, rounded down, and every balance moved by it', async () => {
    const amount = 123_456_789n;
    const bobFee = fee(amount, 1000n, 2500n); // 1000 + 308641 (308641.97 rounded down)
    assert.equal(bobFee, 309_641n);
    const ab = balance('alice', 'bob');
    const bc = balance('bob', 'carol');
    const invoice = await ln.createInvoice({ lnd: carol, mtokens: amount.toString() });
    const paid = await ln.pay({ lnd: alice, request: invoice.request });
    assert.equal(paid.fee_mtokens, bobFee.toString());
    assert.equal(paid.mtokens, (amount + bobFee).toString());
    assert.deepEqual(paid.hops.map((h: { public_key: string; fee_mtokens: string; forward_mtokens: string }) => [h.public_key, h.fee_mtokens, h.forward_mtokens]), [
      [net.node('bob').pubkey, bobFee.toString(), amount.toString()],
      [net.node('carol').pubkey, '0', amount.toString()],
    ]);
    assert.equal(ab.from - balance('alice', 'bob').from, amount + bobFee);
    assert.equal(balance('alice', 'bob').to - ab.to, amount + bobFee);
    assert.equal(bc.from - balance('bob', 'carol').from, amount);
    assert.equal(balance('bob', 'carol').to - bc.to, amount);
    assert.equal((await ln.getInvoice({ lnd: carol, id: invoice.id })).received_mtokens, amount.toString());
  });

  it('three hops: each fee computed on what that node forwards, the later fees included', async () => {
    const amount = 50_000_001n;
    const carolFee = fee(amount, 500n, 1000n); // carol forwards the amount to dave
    const bobFee = fee(amount + carolFee, 1000n, 2500n); // bob forwards the amount plus carol's fee
    const invoice = await ln.createInvoice({ lnd: dave, mtokens: amount.toString() });
    const paid = await ln.pay({ lnd: alice, request: invoice.request });
    assert.equal(paid.fee_mtokens, (carolFee + bobFee).toString());
    assert.deepEqual(paid.hops.map((h: { fee_mtokens: string; forward_mtokens: string }) => [h.fee_mtokens, h.forward_mtokens]), [
      [bobFee.toString(), (amount + carolFee).toString()],
      [carolFee.toString(), amount.toString()],
      ['0', amount.toString()],
    ]);
    // lnd's hop expiry: the CLTV of the HTLC that hop forwards (the final hop: the final CLTV, which lnd pads
    // by 3 blocks), each forwarding node adding its time_lock_delta of 80
    const final = net.blockHeight() + 80 + 3;
    assert.deepEqual(paid.hops.map((x: { timeout: number }) => x.timeout), [final + 80, final, final]);
    assert.equal(paid.paths[0].timeout, final + 80 + 80);
  });

  it('a hop short of liquidity fails the attempt (routing_failure), its locks return, another route pays', async () => {
    const amount = 100_000_000n; // frank has 30,000 sat towards carol, less its reserve
    const af = balance('alice', 'frank');
    const ae = balance('alice', 'erin');
    const ab = balance('alice', 'bob');
    const invoice = await ln.createInvoice({ lnd: carol, mtokens: amount.toString() });
    const sub = ln.subscribeToPayViaRequest({ lnd: alice, request: invoice.request, max_fee: 10_000 });
    const failures: { public_key: string; reason: string; index: number }[] = [];
    sub.on('routing_failure', (f: { public_key: string; reason: string; index: number }) => failures.push(f));
    const confirmed: any = await new Promise((resolve, reject) => {
      sub.on('confirmed', resolve);
      sub.on('failed', reject);
      sub.on('error', reject);
    });
    // every later update repeats the failed attempt (lnd sends all HTLCs each time), and ln-service re-emits it
    assert.ok(failures.length >= 1);
    assert.deepEqual(new Set(failures.map((f) => `${f.public_key}/${f.reason}/${f.index}`)), new Set([`${net.node('frank').pubkey}/TemporaryChannelFailure/1`]));
    // the next cheapest route: through bob (251 sat), not erin (505 sat)
    assert.equal(confirmed.hops[0].public_key, net.node('bob').pubkey);
    assert.equal(confirmed.fee_mtokens, fee(amount, 1000n, 2500n).toString());
    assert.deepEqual(balance('alice', 'frank'), af, 'the failed attempt left alice-frank as it was');
    assert.deepEqual(balance('alice', 'erin'), ae);
    assert.equal(ab.from - balance('alice', 'bob').from, amount + fee(amount, 1000n, 2500n));
  });

  it('getRoutingFeeEstimate (EstimateRouteFee): a probe with a random hash finds the fee; the probe stays FAILED', async () => {
    const amount = 10_000_000n;
    const invoice = await ln.createInvoice({ lnd: dave, mtokens: amount.toString() });
    const before = net.truth().balances;
    const estimate = await ln.getRoutingFeeEstimate({ lnd: alice, request: invoice.request });
    const carolFee = fee(amount, 500n, 1000n);
    assert.equal(estimate.fee_mtokens, (carolFee + fee(amount + carolFee, 1000n, 2500n)).toString());
    assert.equal(estimate.timeout, net.blockHeight() + 80 + 3 + 80 + 80);
    assert.deepEqual(net.truth().balances, before, 'the probe moved nothing');
    assert.equal((await ln.getInvoice({ lnd: dave, id: invoice.id })).is_confirmed, false);
    const { payments } = await ln.getFailedPayments({ lnd: alice });
    assert.ok(payments.some((p: { destination: string; mtokens: string }) => p.destination === net.node('dave').pubkey && p.mtokens === amount.toString()));
    const unreachable = await ln.createInvoice({ lnd: dave, tokens: 50_000_000 });
    await assert.rejects(ln.getRoutingFeeEstimate({ lnd: alice, request: unreachable.request }), (err: any[]) => err[1] === 'RouteToDestinationNotFound' && err[2].failure === 'FAILURE_REASON_INSUFFICIENT_BALANCE');
  });

  it('a fee limit too low for any route: no route; a direct channel needs none', async () => {
    const far = await ln.createInvoice({ lnd: dave, tokens: 1000 });
    await assert.rejects(ln.pay({ lnd: alice, request: far.request, max_fee: 0 }), (err: unknown[]) => err[1] === 'PaymentPathfindingFailedToFindPossibleRoute');
    const near = await ln.createInvoice({ lnd: lndFor(net, 'bob'), tokens: 1000 });
    assert.equal((await ln.pay({ lnd: alice, request: near.request, max_fee: 0 })).fee, 0);
  });

  it('more than the local balance: InsufficientBalanceToAttemptPayment; below the minimum HTLC: no route', async () => {
    const big = await ln.createInvoice({ lnd: carol, tokens: 5_000_000 });
    await assert.rejects(ln.pay({ lnd: alice, request: big.request }), (err: unknown[]) => err[1] === 'InsufficientBalanceToAttemptPayment');
    const tiny = await ln.createInvoice({ lnd: carol, mtokens: '999' });
    await assert.rejects(ln.pay({ lnd: alice, request: tiny.request }), (err: unknown[]) => err[1] === 'PaymentPathfindingFailedToFindPossibleRoute');
    const payment = await ln.getPayment({ lnd: alice, id: tiny.id });
    assert.equal(payment.is_failed, true);
    assert.equal(payment.failed.is_route_not_found, true);
  });

  it('a node without channels cannot be reached', async () => {
    const net2 = await startNetwork({ nodes: [{ alias: 'x' }, { alias: 'y' }, { alias: 'z' }], channels: [{ from: 'x', to: 'y', capacitySat: 100_000 }] });
    try {
      const invoice = await ln.createInvoice({ lnd: lndFor(net2, 'z'), tokens: 10 });
      await assert.rejects(ln.pay({ lnd: lndFor(net2, 'x'), request: invoice.request }), (err: unknown[]) => err[1] === 'PaymentPathfindingFailedToFindPossibleRoute');
    } finally {
      await net2.stop();
    }
  });
});
