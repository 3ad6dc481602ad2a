// Every fault a test can switch on, seen through ln-service as a client sees a real node fail: a node offline
// (connection refused) or restarted, its wallet locked, no route, too little balance, slow payments, an HTLC
// held in flight, a subscription stream that stalls (silent) or drops (UNAVAILABLE).
import assert from 'node:assert/strict';
import type { LightningNetwork } from '../../../../sim/lnd';
import { FakeClock } from '../../../support/fake-clock';
import { ln, lndFor, startNetwork } from './support';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (err: unknown) => JSON.stringify(err, (_k, v) => (v instanceof Error ? { ...v, message: v.message } : v));

/** grpc-js backs off after a refused connection (about 1 s), as against a real node: retry until it is back. */
async function untilConnected(lnd: unknown): Promise<{ alias: string }> {
  for (let tries = 0; ; tries++) {
    try {
      return await ln.getWalletInfo({ lnd });
    } catch (err) {
      if (tries > 100) throw err;
      await wait(50);
    }
  }
}

describe('sim/lnd faults', function () {
  this.timeout(20_000);
  const clock = new FakeClock();
  let net: LightningNetwork;
  let alice: unknown;
  let bob: unknown;

  before(async () => {
    net = await startNetwork({
      clock,
      nodes: [{ alias: 'alice' }, { alias: 'bob' }],
      channels: [{ from: 'alice', to: 'bob', capacitySat: 1_000_000, localSat: 800_000 }],
    });
    alice = lndFor(net, 'alice');
    bob = lndFor(net, 'bob');
  });

  afterEach(async () => {
    for (const node of net.nodes) await node.setFaults({ offline: false, walletLocked: false, noRoute: false, insufficientBalance: false, pathfindingTimeout: false, paymentDelayMs: 0, holdHtlcs: false, stallStreams: false });
  });

  after(() => net.stop());

  it('offline: connections refused (UNAVAILABLE), its channels inactive; back on the same socket', async () => {
    const socket = net.node('bob').socket;
    await net.node('bob').setFaults({ offline: true });
    // grpc-js 1.14 adds "Last error: ..." to the details, so ln-service 59 no longer maps this one to
    // FailedToConnectToDaemon: it is GetWalletInfoErr carrying code 14, as against a real node that is down
    await assert.rejects(ln.getWalletInfo({ lnd: bob }), (err: any[]) => err[0] === 503 && err[2].err.code === 14 && /ECONNREFUSED/.test(err[2].err.details));
    assert.equal((await ln.getChannels({ lnd: alice })).channels[0].is_active, false);
    assert.equal((await ln.getWalletInfo({ lnd: alice })).peers_count, 0);
    await net.node('bob').setFaults({ offline: false });
    assert.equal(net.node('bob').socket, socket);
    assert.equal((await untilConnected(bob)).alias, 'bob');
    assert.equal((await ln.getChannels({ lnd: alice })).channels[0].is_active, true);
  });

  it('restart: open streams are cut, the same client works again afterwards', async () => {
    const sub = ln.subscribeToInvoices({ lnd: bob, restart_delay_ms: 60_000 });
    const failed = new Promise((resolve) => sub.on('error', resolve));
    await wait(50);
    await net.node('bob').restart();
    const err = await failed;
    assert.match(errorText(err), /UNAVAILABLE|Connection dropped|CANCELLED/);
    sub.removeAllListeners();
    assert.equal((await untilConnected(bob)).alias, 'bob');
  });

  it('wallet locked: every call is refused with lnd\'s text, the State service says LOCKED', async () => {
    await net.node('bob').setFaults({ walletLocked: true });
    await assert.rejects(ln.getWalletInfo({ lnd: bob }), (err: unknown) => /wallet locked, unlock it to enable full RPC access/.test(errorText(err)));
    await assert.rejects(ln.createInvoice({ lnd: bob, tokens: 1 }), (err: unknown) => /wallet locked/.test(errorText(err)));
    const { lnd } = ln.unauthenticatedLndGrpc({ cert: net.node('bob').lndOptions().cert, socket: net.node('bob').socket });
    assert.equal((await ln.getWalletStatus({ lnd })).is_locked, true);
    assert.equal((await ln.getChannels({ lnd: alice })).channels[0].is_active, false);
    await net.node('bob').setFaults({ walletLocked: false });
    assert.equal((await ln.getWalletStatus({ lnd })).is_active, true);
  });

  it('noRoute, insufficientBalance and pathfindingTimeout: payments of that node fail with those reasons', async () => {
    const a = await ln.createInvoice({ lnd: bob, tokens: 10 });
    await net.node('alice').setFaults({ noRoute: true });
    await assert.rejects(ln.pay({ lnd: alice, request: a.request }), (err: unknown[]) => err[1] === 'PaymentPathfindingFailedToFindPossibleRoute');
    await net.node('alice').setFaults({ noRoute: false, insufficientBalance: true });
    await assert.rejects(ln.pay({ lnd: alice, request: a.request }), (err: unknown[]) => err[1] === 'InsufficientBalanceToAttemptPayment');
    await net.node('alice').setFaults({ insufficientBalance: false, pathfindingTimeout: true });
    await assert.rejects(ln.pay({ lnd: alice, request: a.request }), (err: unknown[]) => err[1] === 'PaymentAttemptsTimedOut');
    await net.node('alice').setFaults({ pathfindingTimeout: false });
    assert.equal((await ln.pay({ lnd: alice, request: a.request })).tokens, 10, 'a failed hash may be paid again');
  });

  it('paymentDelayMs: the HTLC stays in flight that long on the network\'s clock', async () => {
    await net.node('alice').setFaults({ paymentDelayMs: 30_000 });
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 20 });
    let done = false;
    const paying = ln.pay({ lnd: alice, request: invoice.request }).then((p: unknown) => ((done = true), p));
    await wait(100);
    assert.equal((await ln.getPayment({ lnd: alice, id: invoice.id })).is_pending, true);
    clock.advance(29_999);
    await wait(50);
    assert.equal(done, false);
    clock.advance(1);
    assert.equal((await paying).secret, invoice.secret);
  });

  it('a payee that goes down while an HTLC travels to it: the HTLC waits on the channel until it is back', async () => {
    await net.node('alice').setFaults({ paymentDelayMs: 10_000 });
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 25 });
    const paying = ln.pay({ lnd: alice, request: invoice.request });
    await wait(100);
    await net.node('bob').stop();
    clock.advance(10_000);
    await wait(100);
    assert.equal((await ln.getPayment({ lnd: alice, id: invoice.id })).is_pending, true);
    assert.equal(net.truth().balances[0].inFlightMsat, '25000');
    await net.node('bob').start();
    assert.equal((await paying).secret, invoice.secret);
  });

  it('holdHtlcs: HTLCs stay in flight until the fault is cleared', async () => {
    await net.node('alice').setFaults({ holdHtlcs: true });
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 30 });
    const paying = ln.pay({ lnd: alice, request: invoice.request });
    await wait(100);
    const pending = await ln.getPayment({ lnd: alice, id: invoice.id });
    assert.equal(pending.is_pending, true);
    assert.equal(net.truth().balances[0].inFlightMsat, '30000');
    // two blocks in flight: within lnd's 3 blocks of final-CLTV padding, so the payee still takes it
    clock.advance(20 * 60_000);
    assert.equal((await ln.getPayment({ lnd: alice, id: invoice.id })).is_pending, true);
    await net.node('alice').setFaults({ holdHtlcs: false });
    assert.equal((await paying).secret, invoice.secret);
  });

  it('stallStreams: open streams go silent (no error, no data); a stream opened after the stall works', async () => {
    const invoice = await ln.createInvoice({ lnd: bob, tokens: 40 });
    const stalled = ln.subscribeToInvoice({ lnd: bob, id: invoice.id });
    const seen: boolean[] = [];
    stalled.on('invoice_updated', (i: { is_confirmed: boolean }) => seen.push(i.is_confirmed));
    stalled.on('error', (e: unknown) => seen.push(e as boolean));
    await wait(100);
    await net.node('bob').setFaults({ stallStreams: true });
    await ln.pay({ lnd: alice, request: invoice.request });
    await wait(100);
    assert.deepEqual(seen, [false], 'only the state before the stall');
    await net.node('bob').setFaults({ stallStreams: false });
    const fresh = ln.subscribeToInvoice({ lnd: bob, id: invoice.id });
    const confirmed = await new Promise<boolean>((resolve, reject) => {
      fresh.on('invoice_updated', (i: { is_confirmed: boolean }) => resolve(i.is_confirmed));
      fresh.on('error', reject);
    });
    assert.equal(confirmed, true);
    assert.deepEqual(seen, [false], 'the stalled stream stays silent');
    stalled.removeAllListeners();
  });

  it('dropStreams: subscriptions end with UNAVAILABLE; subscribeToInvoices re-subscribes by itself', async () => {
    const single = ln.subscribeToInvoice({ lnd: bob, id: (await ln.createInvoice({ lnd: bob, tokens: 1 })).id });
    const singleError = new Promise((resolve) => single.on('error', resolve));
    const all = ln.subscribeToInvoices({ lnd: bob, restart_delay_ms: 10 });
    const allErrors: unknown[] = [];
    const updates: string[] = [];
    all.on('error', (e: unknown) => allErrors.push(e));
    all.on('invoice_updated', (i: { id: string }) => updates.push(i.id));
    await wait(100);
    net.node('bob').dropStreams();
    assert.match(errorText(await singleError), /"code":14/);
    await wait(200);
    // ln-service reports the stream's error, then its end (as an undefined error), then subscribes again
    assert.deepEqual(allErrors.filter(Boolean).map((e) => (e as any[])[2].err.code), [14]);
    const after = await ln.createInvoice({ lnd: bob, tokens: 2 });
    await wait(100);
    assert.ok(updates.includes(after.id), 'the re-subscribed stream sees the next invoice');
    all.removeAllListeners();
    single.removeAllListeners();
  });
});
