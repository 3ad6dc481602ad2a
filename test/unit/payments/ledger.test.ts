import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyLedger } from '../../../lib/payments/ledger-verify';
import { owedMsat } from '../../../lib/payments/money';
import { reading, T0 } from './fixtures';
import { Harness } from './harness';

const P = 91_124;
const LEDGER_SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'ledger.js');

async function tradeToTheEnd(h: Harness, stopPayingAtS?: number): Promise<void> {
  const stream = await h.openStream({ mode: 'keysend', stepWh: 100, stepMs: 60_000, toleranceWh: 5, minPaymentMsat: 1000, closeAfterMs: 30_000, giveUpAfterMs: 60_000 });
  const gate = await h.openGate({
    mode: 'keysend',
    credit: { creditWh: 300, creditMsat: 30_000, warnPct: 50, restorePct: 20, graceMs: 5000 },
    stepWh: 100,
    stepMs: 60_000,
    invoiceExpiryMs: 20_000,
    closeAfterMs: 30_000,
    giveUpAfterMs: 60_000,
  });
  const t = h.trade({ quantityWh: 500, deliveryEnd: new Date(T0 + 120_000).toISOString() });
  await stream.admitTrade(t);
  await gate.admitTrade(t);
  let counter = 10_000;
  for (let s = 0; s <= 60; s++) {
    if (s === stopPayingAtS) h.buyerNode.down = true;
    h.clock.advanceTo(T0 + s * 1000);
    const r = reading(counter, T0 + s * 1000 - 500);
    stream.admitReading(r);
    gate.admitReading(r);
    counter += 10;
    await h.flush();
  }
  await h.until(() => gate.summary().unpaidMsat === 0 || stopPayingAtS !== undefined, 'paid up');
  for (let s = 61; s <= 240; s++) {
    h.clock.advanceTo(T0 + s * 1000);
    await h.flush();
  }
  await h.until(() => gate.trade(t.id) === undefined && (stopPayingAtS !== undefined || stream.stream(t.id) === undefined), 'closed');
}

describe('payments: the ledger audit (npm run ledger -- verify)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('a gate ledger and a stream journal of a trade paid in full verify: chain, preimages, signatures, money to the msat', async () => {
    h = new Harness();
    await tradeToTheEnd(h);
    const gate = await verifyLedger(join(h.root, 'gate'));
    assert.deepEqual(gate.problems, []);
    assert.equal(gate.kind, 'pay-gate');
    assert.deepEqual(
      gate.trades.map((t) => [t.closed, t.deliveredWh, t.owedMsat, t.paidMsat, t.operatorShareMsat]),
      [[true, 500, owedMsat(500, P), owedMsat(500, P), owedMsat(500, 1001)]],
    );
    const stream = await verifyLedger(join(h.root, 'stream'));
    assert.deepEqual(stream.problems, []);
    assert.equal(stream.trades[0].paidMsat, owedMsat(500, P));
    const out = execFileSync(process.execPath, [LEDGER_SCRIPT, 'verify', join(h.root, 'gate')], { encoding: 'utf8' });
    assert.match(out, /^OK: every closed trade was paid to the msat/m);
  });

  it('finds a trade closed unpaid, and a ledger whose chain was edited', async () => {
    h = new Harness();
    await tradeToTheEnd(h, 30);
    const report = await verifyLedger(join(h.root, 'gate'));
    assert.equal(report.ok, false);
    assert.match(report.problems.join('\n'), /500 Wh delivered owe 45562 msat, 18224 msat were received \(underpaid by 27338\)/);
    await h.gate!.close();
    const dir = join(h.root, 'gate');
    const segment = join(dir, readdirSync(dir).find((n) => n.startsWith('segment-'))!);
    writeFileSync(segment, readFileSync(segment, 'utf8').replace('"amountMsat":9112', '"amountMsat":9113'));
    const edited = await verifyLedger(dir);
    assert.equal(edited.chain.ok, false);
    assert.match(edited.problems[0], /hash chain is broken/);
    assert.throws(() => execFileSync(process.execPath, [LEDGER_SCRIPT, 'verify', dir], { encoding: 'utf8', stdio: 'pipe' }), (err: { status: number }) => err.status === 1);
    h.gate = undefined;
  });
});
