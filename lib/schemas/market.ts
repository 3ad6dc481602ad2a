// Market contracts (docs/contracts.md): Order and Cancel in (signed by their participant), Trade and Reject out.
// Quantities are whole Wh, prices whole msat per kWh; a trade is one payment obligation of quantityWh ×
// (priceMsatPerKwh + feeMsatPerKwh + surplusMsatPerKwh) / 1000 msat to the seller's payTo, the remainder carried by
// the payment stream (docs/contracts.md (Money)); the seller owes the fee and surplus on to the market operator.
//
// Signatures: `sig` is an Ed25519 signature (hex) by the participant's signing key over the RFC 8785 canonical
// JSON of the message without its `sig` property (lib/canonical-json.ts).

import { Hex32, Id, IsoTime, Msat, NodePubkey, PriceMsatPerKwh, StringEnum, Type, WholeWh, type Static } from './kit';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

/** limit rests; ioc fills what it can now and drops the rest; fok fills completely now or not at all; post-only never takes */
export const ORDER_TYPES = ['limit', 'ioc', 'fok', 'post-only'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const MATCHING_MODES = ['continuous', 'auction'] as const;
export type MatchingMode = (typeof MATCHING_MODES)[number];

/** How a call auction prices its trades (docs/market.md): one uniform price, or McAfee-style trade reduction */
export const MARKET_MECHANISMS = ['pay-as-clear', 'trade-reduction'] as const;
export type MarketMechanism = (typeof MARKET_MECHANISMS)[number];

/** Which order leaves when a participant's orders would trade with each other */
export const SELF_TRADE_RULES = ['cancel-newest', 'cancel-oldest', 'cancel-both'] as const;
export type SelfTradeRule = (typeof SELF_TRADE_RULES)[number];

/** Machine codes of a Reject: why the matcher refused an order or cancel (docs/market.md lists each) */
export const REJECT_REASONS = [
  'malformed', 'oversized', 'forbidden-key', 'unknown-market', 'bad-field', 'bad-quantity', 'bad-price', 'price-out-of-range',
  'off-tick', 'window-unaligned', 'window-past', 'gate-closed', 'expired', 'stale', 'order-type-not-allowed', 'duplicate-id',
  'unknown-participant', 'unsigned', 'bad-signature', 'replay', 'zone-mismatch', 'missing-pay-to', 'too-many-open-orders',
  'rate-limited', 'unknown-order', 'not-owner',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const Signature = Type.String({ pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature, hex, over the RFC 8785 canonical JSON of the message without sig' });
const Nonce = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'unique per participant; a nonce seen before is a replay' });

export const OrderSchema = Type.Object(
  {
    type: Type.Literal('order'),
    id: Id('the order, unique within its market'),
    market: Id('the market'),
    participant: Id('who places the order'),
    side: StringEnum(ORDER_SIDES),
    orderType: Type.Optional(StringEnum(ORDER_TYPES, { description: 'default limit' })),
    quantityWh: Type.Integer({ minimum: 1, description: 'whole Wh to deliver within the window' }),
    priceMsatPerKwh: PriceMsatPerKwh('limit price: the most a buyer pays (fees included), the least a seller takes'),
    minFillWh: Type.Optional(Type.Integer({ minimum: 1, description: 'no fill smaller than this' })),
    deliveryStart: IsoTime('start of the delivery slot'),
    deliveryEnd: IsoTime('end of the delivery slot'),
    zone: Type.Optional(Id('the grid zone of the participant')),
    payTo: Type.Optional(NodePubkey("seller: the Lightning node that receives payment")),
    createdAt: IsoTime('when the participant made the order'),
    expiresAt: Type.Optional(IsoTime('the order leaves the book at this time')),
    nonce: Nonce,
    sig: Type.Optional(Signature),
  },
  { title: 'FlareGrid Order', description: 'An offer to buy or sell energy in one delivery slot. Unknown fields are allowed and ignored, but they are covered by the signature.' },
);
export type Order = Static<typeof OrderSchema>;

export const CancelSchema = Type.Object(
  {
    type: Type.Literal('cancel'),
    id: Id('the order to cancel'),
    market: Id('the market'),
    participant: Id('who placed the order'),
    createdAt: IsoTime('when the participant made the cancel'),
    expiresAt: Type.Optional(IsoTime('the cancel is refused after this time')),
    nonce: Nonce,
    sig: Type.Optional(Signature),
  },
  { title: 'FlareGrid Cancel', description: 'Withdraws an order (what is left of it).' },
);
export type Cancel = Static<typeof CancelSchema>;

export const TradeSchema = Type.Object(
  {
    type: Type.Literal('trade'),
    id: Id('deterministic: market, slot and sequence'),
    market: Id('the market'),
    buyOrderId: Id('the buy order'),
    sellOrderId: Id('the sell order'),
    buyer: Id('the buying participant'),
    seller: Id('the selling participant'),
    payTo: NodePubkey("the seller's Lightning node"),
    quantityWh: Type.Integer({ minimum: 1, description: 'whole Wh' }),
    priceMsatPerKwh: PriceMsatPerKwh('what the seller receives per kWh'),
    feeMsatPerKwh: PriceMsatPerKwh('zone fee per kWh the buyer pays on top of the price; 0 within a zone'),
    surplusMsatPerKwh: Type.Optional(PriceMsatPerKwh('trade reduction: what the buyer pays per kWh on top of price and fee, the market operator\'s; absent is 0')),
    deliveryStart: IsoTime('start of the delivery slot'),
    deliveryEnd: IsoTime('end of the delivery slot'),
    matchedAt: IsoTime('when the trade was made'),
    mode: StringEnum(MATCHING_MODES),
    buyerZone: Type.Optional(Id("the buyer's zone")),
    sellerZone: Type.Optional(Id("the seller's zone")),
  },
  { title: 'FlareGrid Trade', description: "A match, and one payment obligation: the buyer pays quantityWh × (priceMsatPerKwh + feeMsatPerKwh + surplusMsatPerKwh) / 1000 msat to payTo as the energy is delivered. The seller keeps its price and owes the fee and the surplus (the operator's share) to the market operator, outside the stream." },
);
export type Trade = Static<typeof TradeSchema>;

export const RejectSchema = Type.Object(
  {
    type: Type.Literal('reject'),
    orderId: Type.String({ description: 'the id of the refused order or cancel, as given (may be invalid)' }),
    reason: StringEnum(REJECT_REASONS, { description: 'machine code, e.g. bad-signature, replay, off-tick' }),
    message: Type.String({ minLength: 1, description: 'a sentence naming the field' }),
    order: Type.Unknown({ description: 'the message as received' }),
  },
  { title: 'FlareGrid Reject', description: 'Why an order or cancel was refused; the book is untouched.' },
);
export type Reject = Static<typeof RejectSchema>;

/** A participant's public identity, as a matcher's registry lists it. */
export const ParticipantSchema = Type.Object(
  {
    id: Id('the participant'),
    publicKey: Hex32('Ed25519 public key, hex (32 bytes)'),
    zone: Type.Optional(Id('grid zone')),
    payTo: Type.Optional(NodePubkey('Lightning node that receives payment')),
  },
  { title: 'FlareGrid Participant', description: 'An entry of the matcher\'s participant registry.' },
);
export type Participant = Static<typeof ParticipantSchema>;

const Level = Type.Object(
  {
    priceMsatPerKwh: PriceMsatPerKwh('the price level'),
    quantityWh: WholeWh('open quantity at this price'),
    orders: Type.Integer({ minimum: 1, description: 'open orders at this price' }),
  },
);

const ZoneClearing = Type.Object(
  {
    zone: Type.String({ description: "the sellers' zone ('' when the market has no zones)" }),
    priceMsatPerKwh: PriceMsatPerKwh('what every seller of this zone receives'),
    soldWh: WholeWh("sold by the zone's sellers"),
  },
);

/** What one clearing did: a call auction of a slot, or a continuous slot at its gate closure. */
export const ClearingSummarySchema = Type.Object(
  {
    type: Type.Literal('clearing'),
    market: Id('the market'),
    mode: StringEnum(MATCHING_MODES, { description: 'auction: one call auction; continuous: the slot\'s trades up to its gate closure' }),
    mechanism: StringEnum(MARKET_MECHANISMS),
    deliveryStart: IsoTime('start of the delivery slot'),
    deliveryEnd: IsoTime('end of the delivery slot'),
    clearedAt: IsoTime('when the clearing ran'),
    priceMsatPerKwh: Type.Optional(PriceMsatPerKwh('auction: the uniform price sellers receive (of the first zone with trades)')),
    buyerPriceMsatPerKwh: Type.Optional(PriceMsatPerKwh('trade reduction: what buyers pay, fee aside')),
    zones: Type.Array(ZoneClearing, { description: 'auction: the price of each zone that sold' }),
    volumeWh: WholeWh('energy traded'),
    trades: Type.Integer({ minimum: 0, description: 'trades made' }),
    welfareMsat: Msat('gains from trade realised: the sum over trades of quantity × (buy limit − sell limit − fee) / 1000, rounded down'),
    bestWelfareMsat: Msat('the most any clearing of the same orders could realise (zone fees and caps respected)'),
    efficiencyPerMille: Type.Integer({ minimum: 0, maximum: 1000, description: 'welfareMsat / bestWelfareMsat in thousandths, rounded down; 1000 when nothing could be gained' }),
    feesMsat: Msat('zone fees the buyers pay, rounded down'),
    budgetSurplusMsat: Msat("trade reduction: buyers' payments minus sellers' receipts and fees, rounded down; kept by the operator"),
  },
  { title: 'FlareGrid ClearingSummary', description: 'The result of one clearing of one delivery slot, with its welfare against the best possible. Amounts are integers; rounding is down.' },
);
export type ClearingSummary = Static<typeof ClearingSummarySchema>;

/** The book as the matcher publishes it (retained, on the book topic). */
export const BookSnapshotSchema = Type.Object(
  {
    type: Type.Literal('book'),
    market: Id('the market'),
    ts: IsoTime('when the snapshot was taken'),
    mode: StringEnum(MATCHING_MODES),
    slots: Type.Array(
      Type.Object(
        {
          deliveryStart: IsoTime('start of the delivery slot'),
          deliveryEnd: IsoTime('end of the delivery slot'),
          gateClosure: IsoTime('orders for the slot are refused from this time on'),
          zone: Type.String({ description: "the orders' zone ('' when the market has no zones)" }),
          bids: Type.Array(Level, { description: 'best first, at most the requested depth' }),
          asks: Type.Array(Level, { description: 'best first, at most the requested depth' }),
        },
      ),
    ),
    lastPriceMsatPerKwh: Type.Optional(PriceMsatPerKwh('the price of the latest trade')),
    lastClearing: Type.Optional(ClearingSummarySchema),
    openOrders: Type.Integer({ minimum: 0, description: 'orders resting in the book' }),
    seq: Type.Integer({ minimum: 0, description: 'journal sequence number the snapshot reflects' }),
    stateHash: Hex32('sha256 of the canonical JSON of the market state; a replay of the journal gives the same'),
  },
  { title: 'FlareGrid BookSnapshot', description: 'The open orders per slot, zone and price level, the latest clearing and the state hash.' },
);
export type BookSnapshot = Static<typeof BookSnapshotSchema>;

// Enums of the market nodes' settings (not contracts), served to the edit dialogs with the contracts' own.

/** flaregrid-offer: what a message makes */
export const OFFER_ACTIONS = ['order', 'cancel'] as const;
export type OfferAction = (typeof OFFER_ACTIONS)[number];

/** flaregrid-offer: the delivery slot of an order, from the time it is made, from a given time, or as given */
export const DELIVERY_WINDOWS = ['next-slot', 'slot-at', 'absolute'] as const;
export type DeliveryWindowKind = (typeof DELIVERY_WINDOWS)[number];

/** flaregrid-matcher: where the participant registry comes from */
export const REGISTRY_SOURCES = ['config', 'file', 'msg'] as const;
export type RegistrySource = (typeof REGISTRY_SOURCES)[number];
