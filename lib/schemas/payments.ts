// Payment contracts (DESIGN.md §4, money rules §5): Receipt, one per Lightning payment of a trade's delivered
// energy, and CutOff / Restore, which a payee's gate sends when payment lags delivery and when it has caught up.
// Amounts are integer msat; the amount owed for E Wh at P msat/kWh is E × P / 1000, the remainder carried to the
// next payment, so a trade's payments sum to its energy times its price to the msat.

import { Hex32, Id, IsoTime, Msat, NodePubkey, StringEnum, Type, WholeWh, type Static } from './kit';

export const ReceiptSchema = Type.Object(
  {
    type: Type.Literal('receipt'),
    tradeId: Id('the trade paid for'),
    seq: Type.Integer({ minimum: 0, description: 'the payment interval of this trade, from 0' }),
    energyWh: WholeWh('cumulative energy of the trade paid for, including this payment'),
    amountMsat: Msat('this payment'),
    totalMsat: Msat('cumulative amount paid for the trade, including this payment'),
    feeMsat: Msat('routing fee of this payment'),
    paymentHash: Hex32('the payment hash'),
    preimage: Type.Optional(Hex32('proof of payment; absent while an escrow payment is held')),
    ts: IsoTime('when the payment settled'),
    final: Type.Optional(Type.Boolean({ description: 'the closing receipt of the trade, with its totals' })),
    payee: Type.Optional(NodePubkey('the node paid')),
    signature: Type.Optional(Type.String({ description: "the payee node's signature (LND signMessage, zbase32) over the receipt without it" })),
  },
  { title: 'FlareGrid Receipt', description: 'One Lightning payment for delivered energy.' },
);
export type Receipt = Static<typeof ReceiptSchema>;

export const CUTOFF_TYPES = ['cutoff', 'restore'] as const;
export type CutOffType = (typeof CUTOFF_TYPES)[number];

export const CutOffSchema = Type.Object(
  {
    type: StringEnum(CUTOFF_TYPES),
    tradeId: Id('the trade'),
    participant: Id('the buyer to cut off or restore'),
    unpaidMsat: Msat('energy delivered but not paid, in msat'),
    unpaidWh: WholeWh('energy delivered but not paid, in Wh'),
    reason: Type.String({ minLength: 1, description: 'why, in a sentence' }),
    ts: IsoTime('when the gate decided'),
  },
  { title: 'FlareGrid CutOff', description: "A payee gate's decision to cut a buyer's supply (cutoff) or give it back (restore)." },
);
export type CutOff = Static<typeof CutOffSchema>;
