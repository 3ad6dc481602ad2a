// Least-privilege macaroons on the simulator through ln-service's real client: BakeMacaroon (grantAccess) with
// lnd's checks and texts, root key ids kept across a restart, each served method's permission from lnd's tables,
// and the node spec's own macaroons written at start as <name>.macaroon.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { startLightningNetwork, type LightningNetwork } from '../../../../sim/lnd';
import { METHOD_PERMISSIONS } from '../../../../sim/lnd/auth';
import { ln, removeDir, tempDir } from './support';

const PAYER = ['offchain:read', 'offchain:write', 'info:read'];
const b64hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

/** ln-service's error array with the gRPC error under it: [code, name, {err: {code, details}}] */
function grpcRefusal(name: RegExp | string, details: RegExp | string, grpcCode = 2) {
  return (err: unknown) => {
    assert.ok(Array.isArray(err), `not an ln-service error: ${String(err)}`);
    const [, errName, extra] = err as [number, string, { err?: { code: number; details: string } }];
    if (typeof name === 'string') assert.equal(errName, name);
    else assert.match(errName, name);
    assert.equal(extra?.err?.code, grpcCode);
    if (typeof details === 'string') assert.equal(extra?.err?.details, details);
    else assert.match(String(extra?.err?.details), details);
    return true;
  };
}

describe('sim/lnd macaroons: BakeMacaroon and least privilege', function () {
  this.timeout(30_000);
  let dir: string;
  let net: LightningNetwork;
  const start = (payer: readonly string[] = PAYER) =>
    startLightningNetwork({
      dir,
      nodes: [{ alias: 'alice', macaroons: { payer, payee: ['invoices:read', 'invoices:write', 'message:write', 'info:read'] } }, { alias: 'bob', acceptsKeysend: true }],
      channels: [{ from: 'alice', to: 'bob', capacitySat: 1_000_000 }],
    });
  const lnd = (macaroonHex: string, alias = 'alice') => ln.authenticatedLndGrpc({ ...net.node(alias).lndOptions(), macaroon: macaroonHex }).lnd;
  const keysend = (client: unknown) => {
    const secret = randomBytes(32);
    return ln.payViaPaymentDetails({ lnd: client, destination: net.node('bob').pubkey, mtokens: '5000', id: createHash('sha256').update(secret).digest('hex'), messages: [{ type: '5482373484', value: secret.toString('hex') }] });
  };

  before(async () => {
    dir = tempDir();
    net = await start();
  });
  after(async () => {
    await net.stop();
    removeDir(dir);
  });

  it('grantAccess bakes a send-only macaroon: it pays and reads node info, and is refused invoices with "permission denied"', async () => {
    const admin = lnd(net.node('alice').macaroon('admin'));
    const granted = await ln.grantAccess({ lnd: admin, permissions: PAYER });
    assert.deepEqual(granted.permissions, PAYER);
    const payer = lnd(b64hex(granted.macaroon));
    assert.equal((await ln.getWalletInfo({ lnd: payer })).alias, 'alice');
    assert.ok((await keysend(payer)).secret);
    await assert.rejects(ln.createInvoice({ lnd: payer, tokens: 1 }), grpcRefusal(/./, 'permission denied'));
    await assert.rejects(ln.signMessage({ lnd: payer, message: 'x' }), grpcRefusal(/./, 'permission denied'));
  });

  it('BakeMacaroon itself needs macaroon:generate; an empty list, an unknown entity, action or URI get lnd’s texts', async () => {
    const invoice = lnd(net.node('alice').macaroon('invoice'));
    await assert.rejects(ln.grantAccess({ lnd: invoice, permissions: PAYER }), (err: unknown) => (assert.deepEqual(err, [403, 'PermissionDeniedToBakeMacaroon']), true));
    const admin = lnd(net.node('alice').macaroon('admin'));
    const help = 'supported actions are [read write generate], supported entities are [onchain offchain address message remotesigner peers info invoices signer macaroon uri]';
    await assert.rejects(ln.grantAccess({ lnd: admin, permissions: ['wallet:read'] }), grpcRefusal('UnexpectedErrorFromBakeMacaroon', `invalid permission entity. ${help}`));
    await assert.rejects(ln.grantAccess({ lnd: admin, permissions: ['offchain:spend'] }), grpcRefusal('UnexpectedErrorFromBakeMacaroon', `invalid permission action. ${help}`));
    await assert.rejects(
      ln.grantAccess({ lnd: admin, permissions: ['uri:/lnrpc.Lightning/NoSuchCall'] }),
      grpcRefusal('UnexpectedErrorFromBakeMacaroon', 'invalid permission action, must be an existing URI in the format /package.Service/MethodName'),
    );
    await assert.rejects(ln.grantAccess({ lnd: admin, is_ok_to_pay: false }), grpcRefusal('UnexpectedErrorFromBakeMacaroon', /^permission list cannot be empty/));
  });

  it('a uri: permission grants that one method; a root key id of its own outlives a restart', async () => {
    const admin = lnd(net.node('alice').macaroon('admin'));
    const one = lnd(b64hex((await ln.grantAccess({ lnd: admin, methods: ['getWalletInfo'] })).macaroon));
    assert.equal((await ln.getWalletInfo({ lnd: one })).alias, 'alice');
    await assert.rejects(ln.getChannels({ lnd: one }), grpcRefusal(/./, 'permission denied'));
    const underId = b64hex((await ln.grantAccess({ lnd: admin, id: '7', permissions: ['info:read'] })).macaroon);
    assert.equal((await ln.getWalletInfo({ lnd: lnd(underId) })).alias, 'alice');
    // another node never issued id 7: its storage has no such root key
    await assert.rejects(ln.getWalletInfo({ lnd: lnd(underId, 'bob') }), grpcRefusal(/./, 'verification failed: macaroon not found in storage'));
    await net.stop();
    net = await start();
    assert.equal((await ln.getWalletInfo({ lnd: lnd(underId) })).alias, 'alice');
  });

  it('the node spec’s macaroons are written beside admin.macaroon, listed in the directory, kept across restarts and baked again when changed', async () => {
    const alice = net.node('alice');
    assert.match(alice.macaroons.payer, /alice\/data\/chain\/bitcoin\/regtest\/payer\.macaroon$/);
    assert.equal(net.directory().nodes[0].macaroons.payee, alice.macaroons.payee);
    const payer = lnd(alice.macaroon('payer'));
    assert.ok((await keysend(payer)).secret);
    await assert.rejects(ln.createInvoice({ lnd: payer, tokens: 1 }), grpcRefusal(/./, 'permission denied'));
    const payee = lnd(alice.macaroon('payee'));
    assert.ok((await ln.createInvoice({ lnd: payee, tokens: 1 })).request);
    assert.ok((await ln.signMessage({ lnd: payee, message: 'receipt' })).signature);
    await assert.rejects(keysend(payee), grpcRefusal(/./, 'permission denied'));

    const before = readFileSync(alice.macaroons.payer);
    await net.stop();
    net = await start();
    assert.deepEqual(readFileSync(net.node('alice').macaroons.payer), before, 'the same file while the spec and root key are the same');
    await net.stop();
    net = await start(['info:read']);
    await assert.rejects(keysend(lnd(net.node('alice').macaroon('payer'))), grpcRefusal(/./, 'permission denied'));
    assert.equal((await ln.getWalletInfo({ lnd: lnd(net.node('alice').macaroon('payer')) })).alias, 'alice');
    assert.ok(!existsSync(net.node('bob').macaroons.admin.replace('admin', 'payer')), 'only the node that asked for it');
  });

  it('a spec macaroon with a bad name or permission is refused as an option', async () => {
    const bad = async (macaroons: Record<string, string[]>, message: RegExp) => {
      const other = tempDir();
      try {
        await assert.rejects(startLightningNetwork({ dir: other, nodes: [{ alias: 'x', macaroons }] }), { code: 'ERR_OPTION', message });
      } finally {
        removeDir(other);
      }
    };
    await bad({ admin: ['info:read'] }, /other than admin, invoice and readonly/);
    await bad({ 'a/b': ['info:read'] }, /a name is/);
    await bad({ payer: [] }, /permission list cannot be empty/);
    await bad({ payer: ['offchain'] }, /'offchain' is not an entity:action permission/);
    await bad({ payer: ['chain:read'] }, /invalid permission entity/);
  });

  it('the served methods need the permissions of lnd’s tables', () => {
    const need = (method: string) => METHOD_PERMISSIONS[method].map((o) => `${o.entity}:${o.action}`).join(' ');
    assert.equal(need('/routerrpc.Router/SendPaymentV2'), 'offchain:write');
    assert.equal(need('/routerrpc.Router/TrackPaymentV2'), 'offchain:read');
    assert.equal(need('/lnrpc.Lightning/GetInfo'), 'info:read');
    assert.equal(need('/lnrpc.Lightning/SignMessage'), 'message:write');
    assert.equal(need('/lnrpc.Lightning/SubscribeInvoices'), 'invoices:read');
    assert.equal(need('/invoicesrpc.Invoices/LookupInvoiceV2'), 'invoices:write');
    assert.equal(need('/lnrpc.Lightning/BakeMacaroon'), 'macaroon:generate');
  });
});
