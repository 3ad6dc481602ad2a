// A Node-RED child process paying a trade through ln-service against the LND simulator (in this process) is
// killed with SIGKILL between journaling a payment and sending it, and between LND's answer and journaling it;
// started again, it never pays an interval twice, and pays exactly what was delivered.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ln from 'ln-service';
import { owedMsat } from '../../lib/payments/money';
import { startLightningNetwork, type LightningNetwork } from '../../sim/lnd';
import { RedChild as Child } from './red-child';

const P = 91_124;

function flows(net: LightningNetwork) {
  const buyer = net.node('buyer').lndOptions('admin');
  return {
    flows: [
      { id: 'tab', type: 'tab', label: 'crash' },
      { id: 'lnd', type: 'flaregrid-lnd', socket: buyer.socket, perPaymentMsat: 10 ** 9, perTradeMsat: 10 ** 9, perHourMsat: 10 ** 9, perDayMsat: 10 ** 9, maxFeeMsat: 1000, maxFeePpm: 5000, paymentTimeoutS: 10, callTimeoutS: 5 },
      { id: 'in', type: 'http in', z: 'tab', url: '/feed', method: 'post', x: 100, y: 100, wires: [['stream', 'ok']] },
      { id: 'ok', type: 'http response', z: 'tab', statusCode: '200', x: 300, y: 160, wires: [] },
      { id: 'stream', type: 'flaregrid-pay-stream', z: 'tab', lnd: 'lnd', buyer: 'prosumer-a', meterId: 'meter-a', mode: 'keysend', stepWh: 100, stepS: 1, toleranceWh: 5, minPaymentMsat: 1000, closeAfterS: 30, giveUpAfterS: 600, x: 300, y: 100, wires: [[]] },
    ],
    credentials: { lnd: { cert: net.node('buyer').certPem(), macaroon: buyer.macaroon } },
  };
}

describe('a pay-stream in a Node-RED child process killed with SIGKILL', function () {
  this.timeout(120_000);
  let dir: string;
  let net: LightningNetwork;
  let child: Child;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-crash-'));
    net = await startLightningNetwork({ dir: join(dir, 'lightning'), nodes: [{ alias: 'buyer' }, { alias: 'seller', acceptsKeysend: true }], channels: [{ from: 'buyer', to: 'seller', capacitySat: 1_000_000 }] });
    const userDir = join(dir, 'red');
    mkdirSync(userDir);
    const { flows: flow, credentials } = flows(net);
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow));
    writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
    child = new Child();
  });

  afterEach(async () => {
    await child.stop();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const crashAt of ['afterIntent', 'afterOutcome'] as const) {
    it(`${crashAt === 'afterIntent' ? 'between persisting and sending' : 'between sending and recording'}: never pays twice`, async () => {
      const userDir = join(dir, 'red');
      const start = Date.now();
      const trade = {
        type: 'trade', id: 'm1:crash:1', market: 'm1', buyOrderId: 'b', sellOrderId: 's', buyer: 'prosumer-a', seller: 'genset-co',
        payTo: net.node('seller').pubkey, quantityWh: 800, priceMsatPerKwh: 90_123, feeMsatPerKwh: 1_001,
        deliveryStart: new Date(start - 1000).toISOString(), deliveryEnd: new Date(start + 600_000).toISOString(), matchedAt: new Date(start - 2000).toISOString(), mode: 'continuous',
      };
      let counter = 50_000;
      const reading = () => ({ site: 'well-7', meterId: 'meter-a', role: 'prosumer', ts: new Date().toISOString(), powerW: -30_000, energyInWh: 0, energyOutWh: counter, quality: 'good' });
      await child.start(userDir, { FLAREGRID_CRASH_AT: crashAt, FLAREGRID_CRASH_ON: '3' });
      assert.ok(await child.feed(trade));
      assert.ok(await child.feed(reading()));
      // 50 Wh a reading: a payment every 100 Wh (or every second), until the third one kills the child
      for (let i = 0; i < 40 && child.process.signalCode === null; i++) {
        counter += 50;
        await child.feed(reading());
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.equal(await child.exited, 'SIGKILL', 'the child was killed at the crash point');
      await child.start(userDir);
      while (counter < 50_000 + 600) {
        counter += 50;
        assert.ok(await child.feed(reading()));
        await new Promise((r) => setTimeout(r, 100));
      }
      const { lnd } = ln.authenticatedLndGrpc(net.node('buyer').lndOptions('readonly'));
      try {
        let paid: { mtokens: string; id: string }[] = [];
        const total = () => paid.reduce((sum, p) => sum + Number(p.mtokens), 0);
        for (let i = 0; i < 100 && total() < owedMsat(600, P); i++) {
          paid = (await ln.getPayments({ lnd })).payments;
          await new Promise((r) => setTimeout(r, 100));
        }
        // a backlog after the restart may be paid in one payment, the rest a second later: the count varies, the money does not
        assert.equal(total(), owedMsat(600, P), 'exactly what 600 Wh cost, no interval twice');
        assert.equal(new Set(paid.map((p) => p.id)).size, paid.length);
        assert.equal(Number(net.truth().balances[0].toMsat), owedMsat(600, P), 'the seller holds exactly what 600 Wh cost');
      } finally {
        for (const service of Object.values(lnd)) (service as { close?: () => void }).close?.();
      }
    });
  }
});
