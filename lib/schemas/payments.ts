// Payment contracts (docs/contracts.md, money rules §5): Receipt, one per Lightning payment of a trade's delivered
// energy; Invoice, what a payee's gate offers a payer to pay (an ordinary or a hold invoice for one interval);
// and CutOff / Restore / Warning, which a payee's gate sends when payment lags delivery and when it has caught up.
//
// Money: integer msat. The price of a trade for its buyer is the all-in price priceMsatPerKwh + feeMsatPerKwh
// (the zone fee rides on top); the buyer pays all of it to the seller's node (payTo), and the seller passes the
// zone fee on to the zone operator outside the stream (docs/payments.md). The amount owed for E Wh at P msat/kWh
// is floor(E × P / 1000) of the cumulative energy, so each payment is owed(to) − owed(from) and the remainder is
// carried to the next one: a trade's payments sum to floor(energy × price / 1000), to the msat.

import { Hex32, Id, IsoTime, Msat, NodePubkey, PriceMsatPerKwh, StringEnum, Type, WholeWh, type Static } from './kit';

/**
 * keysend: the payer pays delivered energy by spontaneous payments carrying the interval in TLV records;
 * invoice: the payer pays invoices the payee's gate issues for delivered energy; prepay: keysend, one step ahead
 * of delivery; escrow: the payer locks the next interval in a hold invoice, which the gate settles once it is
 * delivered or cancels (refunding it) when it is not delivered by its deadline.
 */
export const PAYMENT_MODES = ['keysend', 'invoice', 'prepay', 'escrow'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];
/** the modes a payee's gate runs: a prepaying buyer pays by keysend, which the gate's keysend mode takes */
export const GATE_MODES = ['keysend', 'invoice', 'escrow'] as const satisfies readonly PaymentMode[];

export const RECEIPT_ISSUERS = ['payer', 'payee'] as const;
export type ReceiptIssuer = (typeof RECEIPT_ISSUERS)[number];

export const ReceiptSchema = Type.Object(
  {
    type: Type.Literal('receipt'),
    tradeId: Id('the trade paid for'),
    seq: Type.Integer({ minimum: 0, description: 'the payment interval of this trade, from 0; a final receipt has the number of intervals paid' }),
    energyWh: WholeWh('cumulative energy of the trade paid for, including this payment'),
    amountMsat: Msat('this payment (0 on a final receipt)'),
    totalMsat: Msat('cumulative amount paid for the trade, including this payment'),
    feeMsat: Msat('routing fee: of this payment, or of the whole trade on a final receipt; 0 when issued by the payee, who cannot see it'),
    paymentHash: Type.Optional(Hex32('the payment hash; a final receipt carries the last payment\'s, or none when nothing was paid')),
    preimage: Type.Optional(Hex32('proof of payment: sha256(preimage) = paymentHash')),
    ts: IsoTime('when the payment settled'),
    final: Type.Optional(Type.Boolean({ description: 'the closing receipt of the trade, with its totals' })),
    issuer: Type.Optional(StringEnum(RECEIPT_ISSUERS, { description: 'payer: the pay-stream that sent it; payee: the gate that received it' })),
    mode: Type.Optional(StringEnum(PAYMENT_MODES, { description: 'how the trade is paid' })),
    buyer: Type.Optional(Id('the paying participant')),
    seller: Type.Optional(Id('the paid participant')),
    payee: Type.Optional(NodePubkey('the node paid')),
    meterId: Type.Optional(Id("the buyer's meter the energy was read from")),
    fromWh: Type.Optional(WholeWh("the trade's energy at the start of this interval")),
    toWh: Type.Optional(WholeWh("the trade's energy at the end of this interval (ahead of delivery in prepay and escrow)")),
    counterStartWh: Type.Optional(WholeWh("the meter's counter (energyOutWh) when the interval before was paid")),
    counterEndWh: Type.Optional(WholeWh("the meter's counter (energyOutWh) when this interval was paid")),
    priceMsatPerKwh: Type.Optional(PriceMsatPerKwh('the all-in price paid: the trade\'s price plus its zone fee')),
    deliveredWh: Type.Optional(WholeWh('final receipt: energy delivered in the trade by the issuer\'s readings')),
    unpaidMsat: Type.Optional(Msat('final receipt: owed for the delivered energy but not paid')),
    closeReason: Type.Optional(Type.String({ minLength: 1, description: 'final receipt: why the stream ended, in a sentence' })),
    signature: Type.Optional(Type.String({ description: "the payee node's signature (LND signMessage, zbase32) over the RFC 8785 canonical JSON of the receipt without it" })),
  },
  { title: 'FlareGrid Receipt', description: 'One Lightning payment for delivered energy, or the closing totals of a trade (final).' },
);
export type Receipt = Static<typeof ReceiptSchema>;

export const InvoiceSchema = Type.Object(
  {
    type: Type.Literal('invoice'),
    tradeId: Id('the trade'),
    interval: Type.Integer({ minimum: 0, description: 'the payment interval of the trade, from 0' }),
    fromWh: WholeWh("the trade's energy paid before this interval"),
    toWh: WholeWh("the trade's energy paid once this invoice is"),
    amountMsat: Type.Integer({ minimum: 1, description: 'owed(toWh) − owed(fromWh), msat' }),
    priceMsatPerKwh: PriceMsatPerKwh('the all-in price'),
    paymentHash: Hex32('the payment hash of the invoice'),
    request: Type.String({ minLength: 1, description: 'the BOLT 11 payment request' }),
    hold: Type.Boolean({ description: 'a hold invoice (escrow): settled once the interval is delivered, cancelled otherwise' }),
    payee: NodePubkey('the node that issued the invoice; must be the trade\'s payTo'),
    buyer: Id('who is to pay'),
    seller: Id('who is paid'),
    expiresAt: IsoTime('an unpaid invoice, or a held one whose interval is not delivered, is cancelled then'),
    ts: IsoTime('when the gate issued it'),
  },
  { title: 'FlareGrid Invoice', description: "A payee gate's invoice for one interval of a trade, for a payer that pays invoices (invoice and escrow modes)." },
);
export type Invoice = Static<typeof InvoiceSchema>;

/** cutoff: cut the buyer's supply; restore: give it back; warning: unpaid energy or money passed the warning level */
export const CUTOFF_TYPES = ['cutoff', 'restore', 'warning'] as const;
export type CutOffType = (typeof CUTOFF_TYPES)[number];

export const CutOffSchema = Type.Object(
  {
    type: StringEnum(CUTOFF_TYPES),
    tradeId: Id('the trade'),
    participant: Id('the buyer to cut off, restore or warn'),
    unpaidMsat: Msat('energy delivered but not paid, in msat'),
    unpaidWh: WholeWh('energy delivered but not paid, in Wh'),
    reason: Type.String({ minLength: 1, description: 'why, in a sentence' }),
    ts: IsoTime('when the gate decided'),
    seller: Type.Optional(Id('the seller whose gate decided')),
    deliveredWh: Type.Optional(WholeWh('energy of the trade delivered so far')),
    receivedMsat: Type.Optional(Msat('money received for the trade so far (escrow: settled plus held)')),
  },
  { title: 'FlareGrid CutOff', description: "A payee gate's decision to cut a buyer's supply (cutoff), give it back (restore) or warn (warning)." },
);
export type CutOff = Static<typeof CutOffSchema>;
