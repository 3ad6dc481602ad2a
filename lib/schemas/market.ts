// Market contracts (DESIGN.md §4): Order and Cancel in (signed by their participant), Trade and Reject out.
// Quantities are whole Wh, prices whole msat per kWh; a trade owes quantityWh × (priceMsatPerKwh +
// feeMsatPerKwh) / 1000 msat, the remainder carried by the payment stream (DESIGN.md §5).
//
// Signatures: `sig` is an Ed25519 signature (hex) by the participant's signing key over the RFC 8785 canonical
// JSON of the message without its `sig` property (lib/canonical-json.ts).

import { Hex32, Id, IsoTime, NodePubkey, PriceMsatPerKwh, StringEnum, Type, type Static } from './kit';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

/** limit rests; ioc fills what it can now and drops the rest; fok fills completely now or not at all; post-only never takes */
export const ORDER_TYPES = ['limit', 'ioc', 'fok', 'post-only'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const MATCHING_MODES = ['continuous', 'auction'] as const;
export type MatchingMode = (typeof MATCHING_MODES)[number];

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
    deliveryStart: IsoTime('start of the delivery slot'),
    deliveryEnd: IsoTime('end of the delivery slot'),
    matchedAt: IsoTime('when the trade was made'),
    mode: StringEnum(MATCHING_MODES),
    buyerZone: Type.Optional(Id("the buyer's zone")),
    sellerZone: Type.Optional(Id("the seller's zone")),
  },
  { title: 'FlareGrid Trade', description: 'A match: one payment obligation of quantityWh × (priceMsatPerKwh + feeMsatPerKwh) / 1000 msat from buyer to seller.' },
);
export type Trade = Static<typeof TradeSchema>;

export const RejectSchema = Type.Object(
  {
    type: Type.Literal('reject'),
    orderId: Type.String({ description: 'the id of the refused order or cancel, as given (may be invalid)' }),
    reason: Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'machine code, e.g. bad-signature, replay, off-tick' }),
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
