// Receipts (the Receipt contract): the payer's, one per confirmed payment and a final one per trade, and the
// payee's, one per payment received, signed with the payee node's key so that the buyer holds a proof the seller
// cannot deny. What is signed is the RFC 8785 canonical JSON of the receipt without its signature; LND's
// SignMessage prefixes "Lightning Signed Message:" and signs the double SHA-256 of that (receipt-signature.ts
// checks it without a node).

import { canonicalJson } from '../canonical-json';
import type { Receipt } from '../schemas/payments';
import type { GateTradeState, Received } from './gate';
import { owedMsat } from './money';
import type { PlannedPayment, TradeStreamState } from './stream';

const iso = (ms: number) => new Date(ms).toISOString();

/** The payer's receipt of one confirmed payment; the state is the stream's after the payment. */
export function paymentReceipt(state: Readonly<TradeStreamState>, payment: PlannedPayment, preimage: string, feeMsat: number, atMs: number): Receipt {
  return {
    type: 'receipt',
    tradeId: payment.tradeId,
    seq: payment.interval,
    energyWh: state.paidWh,
    amountMsat: payment.amountMsat,
    totalMsat: state.paidMsat,
    feeMsat,
    paymentHash: payment.paymentHash,
    preimage,
    ts: iso(atMs),
    issuer: 'payer',
    mode: payment.mode,
    buyer: state.buyer,
    seller: state.trade.seller,
    payee: state.trade.payTo,
    meterId: state.meterId,
    fromWh: payment.fromWh,
    toWh: payment.toWh,
    counterStartWh: payment.counterStartWh,
    counterEndWh: payment.counterEndWh,
    priceMsatPerKwh: payment.priceMsatPerKwh,
  };
}

/** The payer's closing receipt of a trade, with its totals. */
export function closingReceipt(state: Readonly<TradeStreamState>, atMs: number): Receipt {
  const receipt: Receipt = {
    type: 'receipt',
    tradeId: state.trade.id,
    seq: state.payments,
    energyWh: state.paidWh,
    amountMsat: 0,
    totalMsat: state.paidMsat,
    feeMsat: state.feeMsat,
    ts: iso(atMs),
    final: true,
    issuer: 'payer',
    mode: state.mode,
    buyer: state.buyer,
    seller: state.trade.seller,
    payee: state.trade.payTo,
    meterId: state.meterId,
    priceMsatPerKwh: state.priceMsatPerKwh,
    deliveredWh: state.deliveredWh,
    unpaidMsat: Math.max(0, owedMsat(state.deliveredWh, state.priceMsatPerKwh) - state.paidMsat),
    closeReason: state.closed?.reason ?? 'closed',
  };
  if (state.lastPaymentHash) receipt.paymentHash = state.lastPaymentHash;
  return receipt;
}

/** The payee's receipt of one payment received, to be signed. */
export function payeeReceipt(
  state: Readonly<GateTradeState>,
  received: Received,
  payment: { paymentHash: string; preimage: string; atMs: number },
  payee: string,
  meterId: string,
): Receipt {
  return {
    type: 'receipt',
    tradeId: state.trade.id,
    seq: received.interval,
    energyWh: received.toWh,
    amountMsat: received.amountMsat,
    totalMsat: received.totalMsat,
    feeMsat: 0,
    paymentHash: payment.paymentHash,
    preimage: payment.preimage,
    ts: iso(payment.atMs),
    issuer: 'payee',
    mode: state.mode,
    buyer: state.trade.buyer,
    seller: state.trade.seller,
    payee,
    meterId,
    fromWh: received.fromWh,
    toWh: received.toWh,
    priceMsatPerKwh: state.priceMsatPerKwh,
  };
}

/** The text a receipt's signature covers. */
export function receiptSigningText(receipt: Receipt): string {
  const { signature: _signature, ...unsigned } = receipt;
  return canonicalJson(unsigned);
}
