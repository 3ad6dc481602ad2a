import assert from 'node:assert/strict';
import { join } from 'node:path';
import { verifyJournal } from '../../../lib/journal';
import type { GateSettings } from '../../../lib/payments/gate';
import { owedMsat } from '../../../lib/payments/money';
import { verifyNodeSignature } from '../../../lib/payments/receipt-signature';
import { receiptSigningText } from '../../../lib/payments/receipts';
import type { StreamSettings } from '../../../lib/payments/stream';
import { Harness } from './harness';
import { reading, T0 } from './fixtures';

const P = 91_124;
const streamSettings = (mode: StreamSettings['mode']): StreamSettings => ({ mode, stepWh: 100, stepMs: 60_000, toleranceWh: 5, minPaymentMsat: 1000, closeAfterMs: 30_000, giveUpAfterMs: 600_000 });
const gateSettings = (mode: GateSettings['mode'], over: Partial<GateSettings> = {}): GateSettings => ({
  mode,
  credit: { creditWh: 300, creditMsat: 30_000, warnPct: 50, restorePct: 20, graceMs: 5000 },
  stepWh: 100,
  stepMs: 60_000,
  invoiceExpiryMs: 20_000,
  closeAfterMs: 30_000,
  giveUpAfterMs: 600_000,
  ...over,
});

let counterWh = 10_000;

/** Both sides read the buyer's meter once a second; it draws whPerS each second. */
async function deliver(h: Harness, fromS: number, toS: number, whPerS = 10): Promise<void> {
  for (let s = fromS; s <= toS; s++) {
    h.clock.advanceTo(T0 + s * 1000);
    counterWh += whPerS;
    const r = reading(counterWh, T0 + s * 1000);
    h.stream?.admitReading(r);
    h.gate?.admitReading(r);
    await h.flush();
  }
}

async function start(h: Harness, streamMode: StreamSettings['mode'], gateMode: GateSettings['mode'], gateOver: Partial<GateSettings> = {}) {
  const stream = await h.openStream(streamSettings(streamMode));
  const gate = await h.openGate(gateSettings(gateMode, gateOver));
  const t = h.trade({ quantityWh: 1000 });
  await stream.admitTrade(t);
  await gate.admitTrade(t);
  counterWh = 10_000;
  const first = reading(counterWh, T0 - 500);
  stream.admitReading(first);
  gate.admitReading(first);
  return { stream, gate, t };
}

describe('payments: the gate driver with a stream (fake Lightning, fake clock)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('keysend: attributes every payment by its records, signs a receipt for each, and its ledger verifies', async () => {
    h = new Harness();
    const { gate, t } = await start(h, 'keysend', 'keysend');
    await deliver(h, 1, 40);
    await h.until(() => h.gateReceipts.length === 4, 'four payee receipts');
    const account = gate.trade(t.id)!.state;
    assert.equal(account.receivedMsat, owedMsat(400, P));
    assert.equal(account.paidToWh, 400);
    assert.deepEqual(h.gateReceipts.map((r) => [r.seq, r.fromWh, r.toWh, r.issuer]), [[0, 0, 100, 'payee'], [1, 100, 200, 'payee'], [2, 200, 300, 'payee'], [3, 300, 400, 'payee']]);
    assert.ok(h.gateReceipts.every((r) => r.signature && verifyNodeSignature(receiptSigningText(r), r.signature, h.sellerNode.pubkey)));
    assert.deepEqual(h.decisions, []);
    const report = await verifyJournal(join(h.root, 'gate'));
    assert.ok(report.ok, JSON.stringify(report.problem));
  });

  it('cuts off a buyer that stops paying once the window is passed for the grace time, and restores it when it has caught up', async () => {
    h = new Harness();
    const { gate, t } = await start(h, 'keysend', 'keysend');
    await deliver(h, 1, 20);
    h.buyerNode.down = true;
    await deliver(h, 21, 60);
    await h.until(() => h.decisions.some((d) => d.type === 'cutoff'), 'a cut-off');
    const [warning, cutoff] = h.decisions;
    assert.equal(warning.type, 'warning');
    assert.equal(cutoff.type, 'cutoff');
    assert.equal(cutoff.participant, 'prosumer-a');
    // unpaid passes 300 Wh at 51 s; the grace time is 5 s
    assert.equal(Date.parse(cutoff.ts) - T0, 56_000);
    assert.ok(cutoff.unpaidWh > 300, `${cutoff.unpaidWh} Wh`);
    assert.equal(gate.summary().cutOff[0], 'prosumer-a');
    h.buyerNode.down = false;
    await deliver(h, 61, 80, 0);
    await h.until(() => h.decisions.some((d) => d.type === 'restore'), 'a restore');
    const restore = h.decisions.find((d) => d.type === 'restore')!;
    assert.ok(restore.unpaidWh <= 60, `${restore.unpaidWh}`);
    assert.equal(gate.trade(t.id)!.state.credit.level, 'ok');
  });

  it('invoice mode: the gate invoices delivered energy, the stream pays each invoice, the totals match to the msat', async () => {
    h = new Harness();
    const { stream, gate, t } = await start(h, 'invoice', 'invoice');
    await deliver(h, 1, 35);
    await h.until(() => gate.trade(t.id)!.state.paidToWh === 300, 'three intervals paid');
    assert.equal(h.invoices.length, 3);
    assert.ok(h.invoices.every((i) => !i.hold && i.toWh - i.fromWh === 100));
    assert.equal(stream.stream(t.id)!.state.paidMsat, owedMsat(300, P));
    assert.equal(h.sellerNode.receivedMsat, owedMsat(300, P));
    assert.deepEqual(h.receipts.map((r) => r.paymentHash), h.invoices.map((i) => i.paymentHash));
  });

  it('escrow: the buyer locks each interval in a hold invoice, the gate settles it once delivered', async () => {
    h = new Harness();
    const { stream, gate, t } = await start(h, 'escrow', 'escrow');
    await deliver(h, 1, 2);
    await h.until(() => gate.trade(t.id)!.state.open?.heldAtMs !== undefined, 'the first interval held');
    assert.equal(h.invoices[0].toWh, 100);
    assert.equal(h.sellerNode.receivedMsat, 0, 'locked, not paid');
    await deliver(h, 3, 25);
    await h.until(() => gate.trade(t.id)!.state.paidToWh >= 200, 'two intervals settled');
    assert.equal(stream.stream(t.id)!.state.paidMsat, gate.trade(t.id)!.state.receivedMsat);
    assert.deepEqual(h.decisions, [], 'neither side extended credit');
  });

  it('escrow: an interval not delivered by its deadline is cancelled, and the buyer’s money is back to the msat', async () => {
    h = new Harness();
    const { stream, gate, t } = await start(h, 'escrow', 'escrow');
    await deliver(h, 1, 12);
    await h.until(() => gate.trade(t.id)!.state.paidToWh === 100 && gate.trade(t.id)!.state.open?.heldAtMs !== undefined, 'the second interval held');
    const paidBefore = h.buyerNode.paidMsat;
    const held = gate.trade(t.id)!.state.open!;
    // delivery stops short of the interval's end; its deadline passes
    await deliver(h, 13, 40, 1);
    await h.until(() => h.sellerNode.invoices.get(held.paymentHash)?.state === 'canceled', 'the interval cancelled');
    await h.until(() => stream.stream(t.id)!.state.pending === undefined || stream.stream(t.id)!.state.pending!.paymentHash !== held.paymentHash, 'the stream dropped it');
    assert.equal(h.buyerNode.payments.get(held.paymentHash)?.status, 'failed');
    assert.equal(h.buyerNode.paidMsat, paidBefore, 'nothing of the cancelled interval was paid');
    assert.equal(stream.stream(t.id)!.state.paidMsat, paidBefore);
  });

  it('refuses a trade of another seller, a reading of an unknown meter, and counts a payment for an unknown trade as unattributed', async () => {
    h = new Harness();
    const gate = await h.openGate(gateSettings('keysend'));
    await assert.rejects(gate.admitTrade(h.trade({ seller: 'other' })), { code: 'NOT_OUR_TRADE' });
    await assert.rejects(gate.admitTrade(h.trade({ buyer: 'prosumer-z' })), { code: 'SETTINGS' });
    assert.throws(() => gate.admitReading(reading(1, T0, { meterId: 'meter-z' })), { code: 'WRONG_METER' });
    const stream = await h.openStream(streamSettings('keysend'));
    await stream.admitTrade(h.trade({ id: 'm1:unknown', quantityWh: 1000 }));
    counterWh = 10_000;
    stream.admitReading(reading(counterWh, T0 - 500));
    await deliver(h, 1, 11);
    await h.until(() => h.problems.some((p) => (p as { code?: string }).code === 'UNKNOWN_TRADE'), 'an unknown-trade problem');
  });
});
