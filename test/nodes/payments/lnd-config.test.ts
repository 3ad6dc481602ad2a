// flaregrid-lnd's "Test connection" endpoint, on the runtime's admin HTTP API, against the LND simulator: the
// dialog's values, or the deployed node's credentials when the dialog shows them unchanged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { startLightningNetwork, type LightningNetwork } from '../../../sim/lnd';

const lndNode = require('../../../nodes/flaregrid-lnd/flaregrid-lnd');

describe('flaregrid-lnd Test connection', function () {
  this.timeout(30_000);
  let net: LightningNetwork;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-lnd-test-'));
    net = await startLightningNetwork({ dir, nodes: [{ alias: 'buyer' }, { alias: 'seller' }], channels: [{ from: 'buyer', to: 'seller', capacitySat: 2_000_000 }] });
    await helper.startServer();
  });

  after(async () => {
    await helper.unload();
    await helper.stopServer();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: object) => (await helper.request().post('/flaregrid-lnd/test').send(body).expect(200)).body;

  it('names the node, its sync state and its channels, with the deployed credentials when the dialog shows them unchanged', async () => {
    const node = net.node('buyer');
    const caps = { perPaymentMsat: 1, perTradeMsat: 1, perHourMsat: 1, perDayMsat: 1, maxFeeMsat: 1, maxFeePpm: 1, paymentTimeoutS: 5, callTimeoutS: 5 };
    await helper.load(lndNode, [{ id: 'lnd', type: 'flaregrid-lnd', socket: node.socket, ...caps }], { lnd: { cert: node.certPem(), macaroon: node.macaroon('admin') } });
    const answer = await post({ id: 'lnd', socket: node.socket, cert: '__PWRD__', macaroon: '__PWRD__' });
    assert.equal(answer.ok, true, answer.error);
    assert.equal(answer.info.alias, 'buyer');
    assert.equal(answer.info.pubkey, node.pubkey);
    assert.equal(typeof answer.info.syncedToChain, 'boolean');
    assert.equal(answer.channels.length, 1);
    assert.equal(answer.channels[0].capacitySat, 2_000_000);
    assert.ok(!JSON.stringify(answer).includes(node.macaroon('admin')), 'no credential in the answer');
  });

  it('says why when the macaroon is forged or the node is down, and what an invoice macaroon cannot see', async () => {
    const node = net.node('seller');
    const forged = node.macaroon('admin').replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const refused = await post({ socket: node.socket, cert: node.certPem(), macaroon: forged });
    assert.equal(refused.ok, false);
    assert.match(refused.error, /verification failed|macaroon|permission/i);
    const limited = await post({ socket: node.socket, cert: node.certPem(), macaroon: node.macaroon('invoice') });
    assert.equal(limited.ok, true);
    assert.match(limited.limited, /invoice macaroon/);
    const down = await post({ socket: '127.0.0.1:1', cert: node.certPem(), macaroon: node.macaroon('admin'), callTimeoutS: 2 });
    assert.equal(down.ok, false);
  });
});
