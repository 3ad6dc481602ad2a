// State on disk across a simulator restart: identities, certificates, macaroons, sockets, invoices, payments,
// balances and indexes come back as they were, and an HTLC held by a hold invoice is still held and can be
// settled after the restart. The store itself: group commit, a torn last line, a stale log after a snapshot.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightningNetwork, LightningNetworkOptions } from '../../../../sim/lnd';
import { StateStore } from '../../../../sim/lnd/store';
import type { NetworkState } from '../../../../sim/lnd/state';
import { ln, lndFor, removeDir, startNetwork, tempDir } from './support';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (tries > 100) throw err;
      await wait(50);
    }
  }
}

describe('sim/lnd persistence', function () {
  this.timeout(30_000);

  it('a restarted simulator answers as before and a held HTLC can still be settled', async () => {
    const dir = tempDir();
    const options: LightningNetworkOptions = {
      dir,
      nodes: [{ alias: 'alice' }, { alias: 'bob', acceptsKeysend: true }],
      channels: [{ from: 'alice', to: 'bob', capacitySat: 1_000_000, localSat: 700_000 }],
    };
    let net: LightningNetwork = await startNetwork(options);
    try {
      let alice = lndFor(net, 'alice');
      let bob = lndFor(net, 'bob');
      const paidInvoice = await ln.createInvoice({ lnd: bob, tokens: 1111 });
      await ln.pay({ lnd: alice, request: paidInvoice.request });
      const secret = randomBytes(32);
      const held = await ln.createHodlInvoice({ lnd: bob, id: sha256(secret), tokens: 2222 });
      const holding = ln.pay({ lnd: alice, request: held.request });
      holding.catch(() => undefined);
      await retry(async () => assert.equal((await ln.getInvoice({ lnd: bob, id: held.id })).is_held, true));

      const before = {
        directory: net.directory(),
        truth: net.truth().balances,
        cert: readFileSync(net.node('alice').certPath, 'utf8'),
        macaroon: net.node('alice').macaroon(),
        invoice: await ln.getInvoice({ lnd: bob, id: paidInvoice.id }),
        payment: await ln.getPayment({ lnd: alice, id: paidInvoice.id }),
        payments: await ln.getPayments({ lnd: alice }),
      };
      await net.stop();

      net = await startNetwork(options);
      assert.deepEqual(net.directory(), before.directory, 'same keys, sockets, paths, channels');
      assert.equal(readFileSync(net.node('alice').certPath, 'utf8'), before.cert);
      assert.equal(net.node('alice').macaroon(), before.macaroon);
      assert.deepEqual(net.truth().balances, before.truth, 'the held HTLC is still locked');
      alice = lndFor(net, 'alice');
      bob = lndFor(net, 'bob');
      assert.deepEqual(await ln.getInvoice({ lnd: bob, id: paidInvoice.id }), before.invoice);
      assert.deepEqual(await ln.getPayment({ lnd: alice, id: paidInvoice.id }), before.payment);
      assert.deepEqual(await ln.getPayments({ lnd: alice }), before.payments);
      assert.equal((await ln.getInvoice({ lnd: bob, id: held.id })).is_held, true);
      assert.equal((await ln.getPayment({ lnd: alice, id: held.id })).is_pending, true);

      await ln.settleHodlInvoice({ lnd: bob, secret: secret.toString('hex') });
      const settled = await ln.getPayment({ lnd: alice, id: held.id });
      assert.equal(settled.is_confirmed, true);
      assert.equal(settled.payment.secret, secret.toString('hex'));
      const [balance] = net.truth().balances;
      assert.equal(balance.fromMsat, String((700_000 - 1111 - 2222) * 1000));
      assert.equal(balance.toMsat, String((300_000 + 1111 + 2222) * 1000));

      const next = await ln.createInvoice({ lnd: bob, tokens: 1 });
      assert.equal(next.index ?? (await ln.getInvoice({ lnd: bob, id: next.id })).index, 3, 'add_index goes on from the state');
      await assert.rejects(ln.pay({ lnd: alice, request: paidInvoice.request }), (err: any[]) => err[2].err.details === 'invoice is already paid');
    } finally {
      await net.stop();
      removeDir(dir);
    }
  });

  it('a node of the last run left out of the options is down: no route through it', async () => {
    const dir = tempDir();
    const all = { nodes: [{ alias: 'a' }, { alias: 'b' }, { alias: 'c' }], channels: [{ from: 'a', to: 'b', capacitySat: 100_000 }, { from: 'b', to: 'c', capacitySat: 100_000 }] };
    const first = await startNetwork({ dir, ...all });
    await first.stop();
    const net = await startNetwork({ dir, nodes: [{ alias: 'a' }, { alias: 'c' }] });
    try {
      assert.deepEqual(net.directory().nodes.map((n) => n.alias), ['a', 'c']);
      assert.deepEqual(net.truth().balances.map((b) => b.active), [false, false]);
      const invoice = await ln.createInvoice({ lnd: lndFor(net, 'c'), tokens: 10 });
      await assert.rejects(ln.pay({ lnd: lndFor(net, 'a'), request: invoice.request }), (err: unknown[]) => err[1] === 'InsufficientBalanceToAttemptPayment');
    } finally {
      await net.stop();
      removeDir(dir);
    }
  });

  it('a node restart keeps its socket and its clients reconnect', async () => {
    const net = await startNetwork({ nodes: [{ alias: 'solo' }] });
    try {
      const lnd = lndFor(net, 'solo');
      const socket = net.node('solo').socket;
      await net.node('solo').restart();
      assert.equal(net.node('solo').socket, socket);
      const info: { alias: string } = await retry(() => ln.getWalletInfo({ lnd }));
      assert.equal(info.alias, 'solo');
    } finally {
      await net.stop();
    }
  });

  describe('StateStore', () => {
    const fresh = (): NetworkState => ({ version: 1, genesisMs: 0, startHeight: 100, nodes: {}, channels: {}, invoices: {}, payments: {} });
    let dir: string;
    beforeEach(() => (dir = tempDir()));
    afterEach(() => removeDir(dir));

    it('writes a burst of changes as one group commit, replayed by the next open without a snapshot', async () => {
      const store = await StateStore.open(dir, fresh);
      for (let i = 0; i < 500; i++) {
        store.state.invoices[`k${i % 50}`] = { memo: `v${i}` } as never;
        store.touch('invoices', `k${i % 50}`);
      }
      await store.flush();
      const lines = readFileSync(join(dir, 'lightning-state.log'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 50, 'one line per changed record, not per change');
      // a crash: no close, so no snapshot; the next open replays the log
      const reopened = await StateStore.open(dir, fresh);
      assert.equal((reopened.state.invoices.k7 as unknown as { memo: string }).memo, 'v457');
      assert.equal(Object.keys(reopened.state.invoices).length, 50);
      await reopened.close();
      await store.close();
    });

    it('ignores a torn last line, and log lines the snapshot already holds', async () => {
      const store = await StateStore.open(dir, fresh);
      store.state.nodes.a = { alias: 'one' } as never;
      store.touch('nodes', 'a');
      await store.flush();
      store.state.nodes.a = { alias: 'two' } as never;
      store.touch('nodes', 'a');
      await store.flush();
      const log = readFileSync(join(dir, 'lightning-state.log'), 'utf8');
      await store.close(); // snapshot holds "two", log empty
      // a crash between writing the snapshot and emptying the log: the old lines are still there
      writeFileSync(join(dir, 'lightning-state.log'), log);
      appendFileSync(join(dir, 'lightning-state.log'), '{"s":99,"c":"nodes","id":"a","v":{"alias":"to');
      const reopened = await StateStore.open(dir, fresh);
      assert.equal((reopened.state.nodes.a as unknown as { alias: string }).alias, 'two');
      await reopened.close();
    });
  });
});
