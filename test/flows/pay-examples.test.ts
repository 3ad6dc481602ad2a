// The two payment examples, as shipped (on a tab each, as an import puts them), run together in a Node-RED child
// process against the LND simulator: the pay-stream example's buyer pays the pay-gate example's seller, and the
// gate's ledger holds a signed receipt for each payment.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLedger } from '../../lib/payments/ledger-verify';
import { startLightningNetwork, type LightningNetwork } from '../../sim/lnd';
import { RedChild } from './red-child';

const ROOT = join(__dirname, '..', '..', '..');

function onTab(file: string, tab: string): Record<string, unknown>[] {
  const flow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Record<string, unknown>[];
  return [{ id: tab, type: 'tab', label: tab }, ...flow.map((n) => ('x' in n ? { ...n, z: tab } : n))];
}

describe('the payment examples in Node-RED on the LND simulator', function () {
  this.timeout(90_000);
  let dir: string;
  let net: LightningNetwork;
  const child = new RedChild();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-pay-examples-'));
    net = await startLightningNetwork({ dir: join(dir, 'lightning'), nodes: [{ alias: 'buyer' }, { alias: 'seller', acceptsKeysend: true }], channels: [{ from: 'buyer', to: 'seller', capacitySat: 1_000_000 }] });
  });

  after(async () => {
    await child.stop();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the stream pays the gate by keysend, and the gate ledgers a signed receipt of each payment', async () => {
    const stream = onTab('flaregrid-pay-stream/Pay a trade by keysend.json', 'stream-tab');
    const gate = onTab('flaregrid-pay-gate/Gate a buyer on its payments.json', 'gate-tab');
    const lndId = (flow: Record<string, unknown>[]) => flow.find((n) => n.type === 'flaregrid-lnd')!.id as string;
    const gateId = gate.find((n) => n.type === 'flaregrid-pay-gate')!.id as string;
    const admin = (alias: string) => ({ cert: net.node(alias).certPem(), macaroon: net.node(alias).macaroon('admin') });
    const userDir = join(dir, 'red');
    mkdirSync(userDir);
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify([...stream, ...gate]));
    writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify({ [lndId(stream)]: admin('buyer'), [lndId(gate)]: admin('seller') }));
    await child.start(userDir, {
      LND_BUYER_SOCKET: net.node('buyer').socket,
      LND_SELLER_SOCKET: net.node('seller').socket,
      LND_SELLER_PUBKEY: net.node('seller').pubkey,
    });
    const ledger = join(userDir, 'flaregrid', 'pay-gate', gateId);
    let report: Awaited<ReturnType<typeof verifyLedger>> | undefined;
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => setTimeout(r, 100));
      report = await verifyLedger(ledger).catch(() => undefined);
      const t = report?.trades[0];
      if (t && (t.signedReceipts ?? 0) > 0 && t.signedReceipts === t.payments) break;
    }
    assert.ok(report, 'the gate keeps a ledger');
    assert.deepEqual(report.problems, []);
    const [trade] = report.trades;
    assert.ok(trade.payments > 0 && trade.signedReceipts === trade.payments, `${trade.payments} payments, ${trade.signedReceipts} signed receipts`);
    assert.equal(Number(net.truth().balances[0].toMsat), trade.paidMsat, 'the seller holds what the ledger says it received');
  });
});
