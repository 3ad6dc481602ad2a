import assert from 'node:assert/strict';
import { GateTrade, type GateSettings } from '../../../lib/payments/gate';
import { intervalMsat, owedMsat } from '../../../lib/payments/money';
import { T0, trade } from './fixtures';

const settings = (over: Partial<GateSettings> = {}): GateSettings => ({
  mode: 'keysend',
  credit: { creditWh: 200, creditMsat: 20_000, warnPct: 50, restorePct: 20, graceMs: 0 },
  stepWh: 100,
  stepMs: 10_000,
  invoiceExpiryMs: 60_000,
  closeAfterMs: 30_000,
  giveUpAfterMs: 600_000,
  ...over,
});
const P = 91_124;
const END = Date.parse(trade().deliveryEnd);

describe('payments: the gate account of a trade', () => {
  it('sets money received against energy delivered, and cuts off and restores with the window', () => {
    const gate = GateTrade.start(trade(), 'genset-co', settings(), T0);
    gate.setDelivered(150);
    assert.deepEqual(gate.exposure(), { unpaidWh: 150, unpaidMsat: owedMsat(150, P) });
    assert.equal(gate.assess(T0).event, 'warning');
    gate.setDelivered(250);
    assert.equal(gate.assess(T0 + 1).event, 'cutoff');
    const r = gate.receive({ amountMsat: owedMsat(240, P), record: { interval: 0, fromWh: 0, toWh: 240 } });
    assert.deepEqual([r.fromWh, r.toWh, r.totalMsat], [0, 240, owedMsat(240, P)]);
    assert.deepEqual(gate.exposure(), { unpaidWh: 10, unpaidMsat: owedMsat(250, P) - owedMsat(240, P) });
    assert.equal(gate.assess(T0 + 2).event, 'restore');
  });

  it('a keysend toWh never runs past what its money covers', () => {
    const gate = GateTrade.start(trade(), 'genset-co', settings(), T0);
    const r = gate.receive({ amountMsat: owedMsat(100, P), record: { interval: 0, fromWh: 0, toWh: 400 } });
    assert.equal(r.toWh, 100);
  });

  it('flags an overpayment and a payment after the close, and counts both', () => {
    const gate = GateTrade.start(trade({ quantityWh: 100 }), 'genset-co', settings(), T0);
    assert.equal(gate.receive({ amountMsat: owedMsat(100, P) + 1 }).problem?.code, 'OVERPAYMENT');
    const other = GateTrade.start(trade(), 'genset-co', settings(), T0);
    other.close(END + 40_000, 'done');
    const late = other.receive({ amountMsat: 5 });
    assert.equal(late.problem?.code, 'TRADE_OVER');
    assert.equal(other.state.receivedMsat, 5);
  });

  it('refuses a trade of another seller and one that is over', () => {
    assert.throws(() => GateTrade.start(trade(), 'someone', settings(), T0), { code: 'NOT_OUR_TRADE' });
    assert.throws(() => GateTrade.start(trade(), 'genset-co', settings(), END + 30_000), { code: 'TRADE_OVER' });
  });

  it('invoice mode: invoices delivered energy by step, cancels an unpaid one at expiry, and invoices the rest at the close', () => {
    const gate = GateTrade.start(trade(), 'genset-co', settings({ mode: 'invoice' }), T0);
    gate.setDelivered(60);
    assert.equal(gate.invoiceAction(T0 + 1000), undefined);
    gate.setDelivered(120);
    const issue = gate.invoiceAction(T0 + 2000);
    assert.deepEqual(issue, { kind: 'issue', interval: 0, fromWh: 0, toWh: 120, amountMsat: intervalMsat(0, 120, P), hold: false, expiresAtMs: T0 + 62_000 });
    if (issue?.kind !== 'issue') return;
    const open = { ...issue, paymentHash: 'aa'.repeat(32), issuedAtMs: T0 + 2000 };
    gate.issued(open);
    assert.equal(gate.invoiceAction(T0 + 3000), undefined);
    assert.equal(gate.invoiceAction(T0 + 62_000)?.kind, 'cancel');
    gate.dropInvoice(open.paymentHash);
    gate.setDelivered(130);
    const again = gate.invoiceAction(T0 + 63_000);
    assert.ok(again?.kind === 'issue' && again.interval === 1 && again.fromWh === 0 && again.toWh === 130);
    gate.issued({ ...again, paymentHash: 'bb'.repeat(32), issuedAtMs: T0 + 63_000 });
    gate.receive({ amountMsat: again.amountMsat, invoice: gate.state.open });
    gate.setDelivered(170);
    const last = gate.invoiceAction(END + 30_000);
    assert.ok(last?.kind === 'issue' && last.fromWh === 130 && last.toWh === 170);
  });

  it('escrow: locks the next step, settles once delivered, cancels an undelivered one, and counts held money as secured', () => {
    const gate = GateTrade.start(trade(), 'genset-co', settings({ mode: 'escrow' }), T0);
    const issue = gate.invoiceAction(T0);
    assert.ok(issue?.kind === 'issue' && issue.hold && issue.toWh === 100);
    const open = { ...issue, paymentHash: 'cc'.repeat(32), preimage: 'dd'.repeat(32), issuedAtMs: T0 };
    gate.issued(open);
    gate.setDelivered(50);
    assert.equal(gate.invoiceAction(T0 + 1000), undefined, 'not held yet');
    gate.held(open.paymentHash, T0 + 1000);
    assert.deepEqual(gate.exposure(), { unpaidWh: 0, unpaidMsat: 0 }, 'the held HTLC secures the interval');
    assert.equal(gate.invoiceAction(T0 + 2000), undefined, 'not delivered yet');
    assert.equal(gate.invoiceAction(T0 + 60_000)?.kind, 'cancel');
    gate.dropInvoice(open.paymentHash);
    assert.equal(gate.exposure().unpaidWh, 50);
    const next = gate.invoiceAction(T0 + 61_000);
    assert.ok(next?.kind === 'issue' && next.fromWh === 0 && next.toWh === 150);
    gate.issued({ ...next, paymentHash: 'ee'.repeat(32), preimage: 'ff'.repeat(32), issuedAtMs: T0 + 61_000 });
    gate.held('ee'.repeat(32), T0 + 62_000);
    gate.setDelivered(150);
    assert.equal(gate.invoiceAction(T0 + 63_000)?.kind, 'settle');
  });
});
