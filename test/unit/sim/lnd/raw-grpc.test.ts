// The simulator driven by plain @grpc/grpc-js calls built from LND's .proto files, with no ln-service in the way
// and loader options unlike ln-service's (camelCase fields, no defaults), so that the simulator answers LND's
// protocol and not one client's habits. Also every macaroon refusal, as LND words it.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { LightningNetwork } from '../../../../sim/lnd';
import { decodePaymentRequest } from '../../../../sim/lnd/bolt11';
import { addFirstPartyCaveat } from '../../../../sim/lnd/macaroons';
import { startNetwork } from './support';

const protoDir = join(dirname(require.resolve('lightning/package.json')), 'grpc', 'protos');
const definition = loadSync(['lightning.proto', 'router.proto', 'invoices.proto', 'chainnotifier.proto'].map((f) => join(protoDir, f)), {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: false,
  includeDirs: [protoDir],
});
const root = loadPackageDefinition(definition) as any;

type Unary = (request: object, metadata: Metadata, callback: (err: ServiceError | null, res: any) => void) => void;

function metadataWith(...macaroons: string[]): Metadata {
  const md = new Metadata();
  for (const m of macaroons) md.add('macaroon', m);
  return md;
}

function call(client: Client, method: string, request: object, metadata: Metadata): Promise<any> {
  return new Promise((resolve, reject) => ((client as any)[method] as Unary).call(client, request, metadata, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Every message of a server stream, and how it ended. */
function collect(client: Client, method: string, request: object, metadata: Metadata): Promise<{ messages: any[]; error?: ServiceError }> {
  return new Promise((resolve) => {
    const messages: any[] = [];
    const stream = (client as any)[method](request, metadata);
    stream.on('data', (m: unknown) => messages.push(m));
    stream.on('error', (error: ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages }));
  });
}

const refusal = (code: number, details: string | RegExp) => (err: ServiceError) => {
  assert.equal(err.code, code);
  if (typeof details === 'string') assert.equal(err.details, details);
  else assert.match(err.details, details);
  return true;
};

describe('sim/lnd raw gRPC (no ln-service)', function () {
  this.timeout(20_000);
  let net: LightningNetwork;
  const clients: Client[] = [];
  const client = (alias: string, pkg: string, service: string, certOf = alias) => {
    const c = new root[pkg][service](net.node(alias).socket, credentials.createSsl(Buffer.from(net.node(certOf).certPem())));
    clients.push(c);
    return c as Client;
  };
  const admin = (alias: string) => metadataWith(net.node(alias).macaroon('admin'));

  before(async () => {
    net = await startNetwork({
      nodes: [{ alias: 'alice' }, { alias: 'bob' }],
      channels: [{ from: 'alice', to: 'bob', capacitySat: 500_000, localSat: 500_000 }],
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await net.stop();
  });

  it('GetInfo over TLS with the node\'s own cert and admin macaroon', async () => {
    const info = await call(client('alice', 'lnrpc', 'Lightning'), 'getInfo', {}, admin('alice'));
    assert.equal(info.identityPubkey, net.node('alice').pubkey);
    assert.deepEqual(info.chains, [{ chain: 'bitcoin', network: 'regtest' }]);
    assert.equal(info.blockHeight, 100);
  });

  it('AddInvoice (invoice macaroon), then SendPaymentV2: IN_FLIGHT, IN_FLIGHT with the HTLC, SUCCEEDED, end', async () => {
    const bob = client('bob', 'lnrpc', 'Lightning');
    const invoice = await call(bob, 'addInvoice', { valueMsat: '42000', memo: 'raw' }, metadataWith(net.node('bob').macaroon('invoice')));
    assert.equal(invoice.rHash.length, 32);
    assert.equal(invoice.paymentAddr.length, 32);
    const router = client('alice', 'routerrpc', 'Router');
    const { messages, error } = await collect(router, 'sendPaymentV2', { paymentRequest: invoice.paymentRequest, timeoutSeconds: 10, feeLimitSat: '10' }, admin('alice'));
    assert.equal(error, undefined);
    assert.deepEqual(messages.map((m) => [m.status, (m.htlcs ?? []).map((h: { status?: string }) => h.status ?? 'IN_FLIGHT')]), [
      ['IN_FLIGHT', []],
      ['IN_FLIGHT', ['IN_FLIGHT']],
      ['SUCCEEDED', ['SUCCEEDED']],
    ]);
    const last = messages[2];
    assert.equal(last.paymentHash, invoice.rHash.toString('hex'));
    assert.equal(createHash('sha256').update(Buffer.from(last.paymentPreimage, 'hex')).digest('hex'), last.paymentHash);
    assert.equal(last.valueMsat, '42000');
    assert.equal(last.htlcs[0].route.hops[0].pubKey, net.node('bob').pubkey);
    assert.equal(messages[0].paymentPreimage, '0'.repeat(64), 'all zeros until an HTLC settles');

    const tracked = await collect(router, 'trackPaymentV2', { paymentHash: invoice.rHash }, admin('alice'));
    assert.deepEqual(tracked.messages.map((m) => m.status), ['SUCCEEDED']);
    assert.equal(tracked.error, undefined);

    const again = await collect(router, 'sendPaymentV2', { paymentRequest: invoice.paymentRequest, timeoutSeconds: 10 }, admin('alice'));
    refusal(6, 'invoice is already paid')(again.error as ServiceError);
    assert.equal(again.messages.length, 0);

    const looked = await call(bob, 'lookupInvoice', { rHash: invoice.rHash }, admin('bob'));
    assert.equal(looked.state, 'SETTLED');
    assert.equal(looked.amtPaidMsat, '42000');
  });

  it('TrackPaymentV2 for a hash never sent: NOT_FOUND "payment isn\'t initiated"', async () => {
    const { messages, error } = await collect(client('alice', 'routerrpc', 'Router'), 'trackPaymentV2', { paymentHash: randomBytes(32) }, admin('alice'));
    assert.equal(messages.length, 0);
    refusal(5, "payment isn't initiated")(error as ServiceError);
  });

  it('SendPaymentV2 request checks, with lnd\'s texts', async () => {
    const router = client('alice', 'routerrpc', 'Router');
    const bad = async (request: object) => (await collect(router, 'sendPaymentV2', request, admin('alice'))).error as ServiceError;
    const dest = Buffer.from(net.node('bob').pubkey, 'hex');
    refusal(2, 'amount must be specified')(await bad({ dest, paymentHash: randomBytes(32) }));
    refusal(2, 'sat and msat arguments are mutually exclusive')(await bad({ dest, paymentHash: randomBytes(32), amt: '1', amtMsat: '1000' }));
    refusal(2, 'invalid vertex length of 3, want 33')(await bad({ dest: Buffer.from('abc'), amt: '1', paymentHash: randomBytes(32) }));
    refusal(2, 'invalid hash length of 5, want 32')(await bad({ dest, amt: '1', paymentHash: Buffer.alloc(5) }));
    refusal(2, 'self-payments not allowed')(await bad({ dest: Buffer.from(net.node('alice').pubkey, 'hex'), amt: '1', paymentHash: randomBytes(32) }));
    const lnd = client('bob', 'lnrpc', 'Lightning');
    const invoice = await call(lnd, 'addInvoice', { value: '5' }, admin('bob'));
    refusal(2, 'amount must not be specified when paying a non-zero amount invoice')(await bad({ paymentRequest: invoice.paymentRequest, amt: '5' }));
    refusal(2, 'dest and payment_request cannot appear together')(await bad({ paymentRequest: invoice.paymentRequest, dest }));
  });

  it('AddInvoice and AddHoldInvoice checks, with lnd\'s texts', async () => {
    const lnd = client('bob', 'lnrpc', 'Lightning');
    const invoices = client('bob', 'invoicesrpc', 'Invoices');
    const md = admin('bob');
    await assert.rejects(call(lnd, 'addInvoice', { memo: 'x'.repeat(1025) }, md), refusal(2, 'memo too large: 1025 bytes (maxsize=1024)'));
    await assert.rejects(call(lnd, 'addInvoice', { cltvExpiry: '17' }, md), refusal(2, 'CLTV delta of 17 must be greater than minimum of 18'));
    await assert.rejects(call(lnd, 'addInvoice', { rPreimage: Buffer.alloc(31) }, md), refusal(2, 'invalid preimage length of 31, want 32'));
    await assert.rejects(call(lnd, 'addInvoice', { descriptionHash: Buffer.alloc(5) }, md), refusal(2, 'description hash is 5 bytes, must be 32'));
    await assert.rejects(call(lnd, 'addInvoice', { expiry: String(366 * 24 * 3600) }, md), refusal(2, /^expiry of 31622400 seconds greater than max expiry of 31536000 seconds$/));
    const preimage = randomBytes(32);
    await call(lnd, 'addInvoice', { rPreimage: preimage }, md);
    await assert.rejects(call(lnd, 'addInvoice', { rPreimage: preimage }, md), refusal(2, 'invoice with payment hash already exists'));
    await assert.rejects(call(invoices, 'addHoldInvoice', { hash: createHash('sha256').update(preimage).digest() }, md), refusal(2, 'invoice with payment hash already exists'));
    await assert.rejects(call(invoices, 'addHoldInvoice', { hash: Buffer.alloc(3) }, md), refusal(2, 'invalid hash length of 3, want 32'));
    const defaults = await call(lnd, 'lookupInvoice', { rHash: createHash('sha256').update(preimage).digest() }, md);
    assert.deepEqual([defaults.expiry, defaults.cltvExpiry, defaults.state], ['86400', '80', 'OPEN']);
  });

  it('SubscribeInvoices: the backlog after add_index, then new invoices', async () => {
    const lnd = client('bob', 'lnrpc', 'Lightning');
    const first = await call(lnd, 'addInvoice', { value: '1' }, admin('bob'));
    const second = await call(lnd, 'addInvoice', { value: '2' }, admin('bob'));
    const stream = (lnd as any).subscribeInvoices({ addIndex: first.addIndex }, admin('bob'));
    const seen: string[] = [];
    const third = await new Promise<any>((resolve, reject) => {
      stream.on('data', (i: { addIndex: string }) => {
        seen.push(i.addIndex);
        if (seen.length === 1) call(lnd, 'addInvoice', { value: '3' }, admin('bob')).then(resolve, reject);
      });
      stream.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 50));
    stream.cancel();
    assert.deepEqual(seen, [second.addIndex, third.addIndex]);
  });

  it('LookupInvoiceV2 by hash; ListInvoices pages by add_index as lnd does', async () => {
    const lnd = client('bob', 'lnrpc', 'Lightning');
    const invoices = client('bob', 'invoicesrpc', 'Invoices');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await call(lnd, 'addInvoice', { value: String(i + 1) }, admin('bob')));
    const looked = await call(invoices, 'lookupInvoiceV2', { paymentHash: made[1].rHash }, admin('bob'));
    assert.equal(looked.value, '2');
    await assert.rejects(call(invoices, 'lookupInvoiceV2', { paymentHash: randomBytes(32) }, admin('bob')), refusal(2, 'unable to locate invoice'));
    const forward = await call(lnd, 'listInvoices', { indexOffset: made[0].addIndex, numMaxInvoices: '1' }, admin('bob'));
    assert.deepEqual(forward.invoices.map((i: { addIndex: string }) => i.addIndex), [made[1].addIndex]);
    const back = await call(lnd, 'listInvoices', { reversed: true, numMaxInvoices: '2' }, admin('bob'));
    assert.deepEqual(back.invoices.map((i: { addIndex: string }) => i.addIndex), [made[1].addIndex, made[2].addIndex]);
    assert.equal(back.firstIndexOffset, made[1].addIndex);
    assert.equal(back.lastIndexOffset, made[2].addIndex);
  });

  it('an invoice past its expiry is refused by the payer\'s node before anything is sent', async () => {
    const invoice = await call(client('bob', 'lnrpc', 'Lightning'), 'addInvoice', { value: '3', expiry: '1' }, admin('bob'));
    await new Promise((r) => setTimeout(r, 2100));
    const { error, messages } = await collect(client('alice', 'routerrpc', 'Router'), 'sendPaymentV2', { paymentRequest: invoice.paymentRequest, timeoutSeconds: 5 }, admin('alice'));
    assert.equal(messages.length, 0);
    refusal(2, /^invoice expired\. Valid until /)(error as ServiceError);
  });

  it('DecodePayReq of a request the node made equals a full decode of its signed string', async () => {
    const lnd = client('bob', 'lnrpc', 'Lightning');
    for (const invoice of [{ valueMsat: '1234567', memo: 'kWh 3', expiry: '600', cltvExpiry: '40' }, { descriptionHash: randomBytes(32) }]) {
      const { paymentRequest } = await call(lnd, 'addInvoice', invoice, admin('bob'));
      const decoded = await call(client('alice', 'lnrpc', 'Lightning'), 'decodePayReq', { payReq: paymentRequest }, admin('alice'));
      const full = decodePaymentRequest(paymentRequest);
      assert.deepEqual(
        [decoded.destination, decoded.paymentHash, decoded.numMsat ?? '0', decoded.timestamp, decoded.expiry, decoded.cltvExpiry, decoded.description ?? '', decoded.descriptionHash ?? '', decoded.paymentAddr.toString('hex'), Object.keys(decoded.features).map(Number)],
        [full.destination, full.paymentHash, full.valueMsat.toString(), String(full.createdAtSec), String(full.expirySec), String(full.cltvExpiry), full.description, full.descriptionHash, full.paymentAddr, full.features],
      );
    }
  });

  it('services lnd serves only with build tags (ChainNotifier) answer UNIMPLEMENTED', async () => {
    const { error } = await collect(client('alice', 'chainrpc', 'ChainNotifier'), 'registerBlockEpochNtfn', {}, admin('alice'));
    assert.equal(error?.code, 12);
  });

  describe('macaroons, checked as lnd checks them (code UNKNOWN, lnd\'s text)', () => {
    it('none: "expected 1 macaroon, got 0"; two: "... got 2"', async () => {
      const lnd = client('alice', 'lnrpc', 'Lightning');
      await assert.rejects(call(lnd, 'getInfo', {}, new Metadata()), refusal(2, 'expected 1 macaroon, got 0'));
      const m = net.node('alice').macaroon();
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith(m, m)), refusal(2, 'expected 1 macaroon, got 2'));
    });

    it('another node\'s macaroon: "verification failed: signature mismatch after caveat verification"', async () => {
      await assert.rejects(call(client('alice', 'lnrpc', 'Lightning'), 'getInfo', {}, admin('bob')), refusal(2, 'verification failed: signature mismatch after caveat verification'));
    });

    it('not hex, or not a macaroon: Go\'s hex and go-macaroon\'s errors', async () => {
      const lnd = client('alice', 'lnrpc', 'Lightning');
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith('zz')), refusal(2, "encoding/hex: invalid byte: U+007A 'z'"));
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith('0')), refusal(2, 'encoding/hex: odd length hex string'));
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith('0201')), refusal(2, /^unmarshal v2: /));
    });

    it('the invoice macaroon cannot pay or read payments, the readonly one cannot create invoices: "permission denied"', async () => {
      const invoiceMac = metadataWith(net.node('alice').macaroon('invoice'));
      const { error } = await collect(client('alice', 'routerrpc', 'Router'), 'sendPaymentV2', { dest: Buffer.from(net.node('bob').pubkey, 'hex'), amt: '1', paymentHash: randomBytes(32) }, invoiceMac);
      refusal(2, 'permission denied')(error as ServiceError);
      const lnd = client('alice', 'lnrpc', 'Lightning');
      await assert.rejects(call(lnd, 'listPayments', {}, invoiceMac), refusal(2, 'permission denied'));
      await assert.rejects(call(lnd, 'addInvoice', { value: '1' }, metadataWith(net.node('alice').macaroon('readonly'))), refusal(2, 'permission denied'));
      assert.ok((await call(lnd, 'listPayments', {}, metadataWith(net.node('alice').macaroon('readonly')))).payments !== undefined);
      assert.ok((await call(lnd, 'addInvoice', { value: '1' }, invoiceMac)).paymentRequest);
    });

    it('a caveat the holder added is enforced: time-before in the past, an ipaddr of another host', async () => {
      const lnd = client('alice', 'lnrpc', 'Lightning');
      const mac = Buffer.from(net.node('alice').macaroon(), 'hex');
      const expired = addFirstPartyCaveat(mac, 'time-before 2001-01-01T00:00:00Z').toString('hex');
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith(expired)), refusal(2, 'caveat "time-before 2001-01-01T00:00:00Z" not satisfied: macaroon has expired'));
      const elsewhere = addFirstPartyCaveat(mac, 'ipaddr 10.9.8.7').toString('hex');
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith(elsewhere)), refusal(2, /locked to different IP address/));
      const here = addFirstPartyCaveat(addFirstPartyCaveat(mac, 'ipaddr 127.0.0.1'), 'time-before 2999-01-01T00:00:00Z').toString('hex');
      assert.equal((await call(lnd, 'getInfo', {}, metadataWith(here))).alias, 'alice');
      const tampered = Buffer.from(here, 'hex');
      tampered[tampered.length - 1] ^= 1;
      await assert.rejects(call(lnd, 'getInfo', {}, metadataWith(tampered.toString('hex'))), refusal(2, /signature mismatch/));
    });
  });

  it('TLS: a client that trusts another node\'s certificate cannot connect', async () => {
    await assert.rejects(call(client('alice', 'lnrpc', 'Lightning', 'bob'), 'getInfo', {}, admin('alice')), (err: ServiceError) => err.code === 14);
  });
});
