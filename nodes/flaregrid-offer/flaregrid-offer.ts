// flaregrid-offer: builds an Order or Cancel from its dialog and the message (lib/participant/offer), signs it
// with its participant's key and sends it on the market's orders topic, ready for an mqtt out node or a wire to a
// matcher. Price and quantity are typed inputs, so they can follow a dashboard slider or a computed value.
import {
  buildCancel,
  buildOrder,
  offerOverrides,
  timeMs,
  wholeNumber,
  type DeliveryWindowSpec,
  type OfferOverrides,
} from '../../lib/participant/offer';
import { ID_PATTERN } from '../../lib/schemas/kit';
import {
  DELIVERY_WINDOWS,
  OFFER_ACTIONS,
  ORDER_SIDES,
  ORDER_TYPES,
  type DeliveryWindowKind,
  type OfferAction,
  type OrderSide,
  type OrderType,
} from '../../lib/schemas';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { asError, asyncInput, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { participantOf, type ParticipantHandle } from '../shared/participant';
import type { NodeDefinition, NodeMessage, NodeRedAPI, NodeSend, RuntimeNode } from '../shared/red';
import { formatEnergyWh, formatPriceMsatPerKwh } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { evaluateTyped, typedSource } from '../shared/typed-input';
import { OFFER_MIGRATIONS } from './migrations';

const TYPE = 'flaregrid-offer';

interface OfferConfig extends NodeDefinition {
  participant?: string;
  market?: string;
  action?: string;
  side?: string;
  orderType?: string;
  quantity?: string;
  quantityType?: string;
  price?: string;
  priceType?: string;
  minFillWh?: string | number;
  window?: string;
  slotMinutes?: string | number;
  slotAt?: string;
  slotAtType?: string;
  deliveryStart?: string;
  deliveryEnd?: string;
  expiresAfterS?: string | number;
}

interface Typed {
  value: string;
  type: string;
}

interface OfferSettings {
  market: string;
  action: OfferAction;
  side: OrderSide;
  orderType: OrderType;
  quantity: Typed;
  price: Typed;
  minFillWh?: number;
  window: DeliveryWindowKind;
  slotMs: number;
  slotAt: Typed;
  deliveryStart: string;
  deliveryEnd: string;
  expiresAfterMs: number;
}

function pick<T extends string>(value: unknown, values: readonly T[], label: string): T {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw new Error(`${label} must be one of ${values.join(', ')}, got '${String(value)}'`);
}

function readSettings(config: OfferConfig): OfferSettings {
  const market = String(config.market ?? '').trim();
  if (!new RegExp(ID_PATTERN).test(market)) throw new Error(`Market must be 1 to 64 letters, digits or _ . : -, got '${market}'`);
  const minFill = String(config.minFillWh ?? '').trim();
  const window = pick(config.window ?? 'next-slot', DELIVERY_WINDOWS, 'Delivery');
  const slotMs = positiveNumber(config.slotMinutes, 'Slot (min)') * 60_000;
  if (!Number.isInteger(slotMs)) throw new Error(`Slot (min) must be a whole number of ms, got '${String(config.slotMinutes)}'`);
  const settings: OfferSettings = {
    market,
    action: pick(config.action ?? 'order', OFFER_ACTIONS, 'Action'),
    side: pick(config.side, ORDER_SIDES, 'Side'),
    orderType: pick(config.orderType ?? 'limit', ORDER_TYPES, 'Order type'),
    quantity: { value: String(config.quantity ?? ''), type: config.quantityType || 'num' },
    price: { value: String(config.price ?? ''), type: config.priceType || 'num' },
    ...(minFill === '' ? {} : { minFillWh: wholeNumber(minFill, 'Min fill (Wh)', 1) }),
    window,
    slotMs,
    slotAt: { value: String(config.slotAt ?? ''), type: config.slotAtType || 'msg' },
    deliveryStart: String(config.deliveryStart ?? '').trim(),
    deliveryEnd: String(config.deliveryEnd ?? '').trim(),
    expiresAfterMs: positiveNumber(config.expiresAfterS, 'Expires after (s)') * 1000,
  };
  // Numbers typed in the dialog are checked now, so a wrong one shows on deploy rather than on the first message.
  if (settings.quantity.type === 'num') wholeNumber(settings.quantity.value, 'Quantity (Wh)', 1);
  if (settings.price.type === 'num') wholeNumber(settings.price.value, 'Price (msat/kWh)', 0);
  if (window === 'absolute') {
    for (const [field, value] of [['Delivery start', settings.deliveryStart], ['Delivery end', settings.deliveryEnd]]) {
      if (value !== '') timeMs(value, field);
    }
  }
  return settings;
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, TYPE, OFFER_MIGRATIONS);
  const t = (key: string, substitutions?: Record<string, string | number>) => RED._(`${TYPE}.status.${key}`, substitutions);

  function OfferNode(this: RuntimeNode, saved: OfferConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    let settings: OfferSettings;
    let topic: string;
    let participant: ParticipantHandle;
    try {
      settings = readSettings(migrateConfig(saved, OFFER_MIGRATIONS));
      topic = topicsOf(RED).orders(settings.market);
      const state = participantOf(RED, saved.participant);
      if (!state) throw new Error('no participant: pick a flaregrid-participant in the dialog');
      if ('problem' in state) throw new Error(`its participant is not usable: ${state.problem}`);
      participant = state.handle;
    } catch (err) {
      refuseUnconfigured(node, TYPE, t('configError'), err);
      return;
    }
    const fill = participant.signs ? 'green' : 'yellow';
    // Until its first message it says what it will do, so a healthy node that has nothing to offer yet is not blank.
    const first = settings.action === 'cancel' ? t('idleCancel') : t('idle', { side: settings.side });
    node.status({ fill, shape: 'ring', text: participant.signs ? first : t('unsigned') });
    let lastOrderId: string | undefined;

    async function typedNumber(typed: Typed, label: string, min: number, msg: NodeMessage): Promise<number> {
      const value = await evaluateTyped(RED, node, typed.value, typed.type, msg);
      try {
        return wholeNumber(value, label, min);
      } catch (err) {
        throw new Error(`${asError(err).message} (from ${typedSource(typed.value, typed.type)})`);
      }
    }

    async function windowOf(overrides: OfferOverrides, msg: NodeMessage): Promise<DeliveryWindowSpec> {
      if (overrides.deliveryStart !== undefined || overrides.deliveryEnd !== undefined) {
        if (overrides.deliveryStart === undefined || overrides.deliveryEnd === undefined) {
          throw new Error('msg.payload must set both deliveryStart and deliveryEnd, or neither');
        }
        return { kind: 'absolute', deliveryStart: overrides.deliveryStart, deliveryEnd: overrides.deliveryEnd };
      }
      if (overrides.deliveryAt !== undefined) return { kind: 'slot-at', atMs: overrides.deliveryAt };
      switch (settings.window) {
        case 'next-slot':
          return { kind: 'next-slot' };
        case 'slot-at': {
          const at = await evaluateTyped(RED, node, settings.slotAt.value, settings.slotAt.type, msg);
          return { kind: 'slot-at', atMs: timeMs(at, `Slot at (${typedSource(settings.slotAt.value, settings.slotAt.type)})`) };
        }
        case 'absolute':
          if (settings.deliveryStart === '' || settings.deliveryEnd === '') {
            throw new Error('an absolute delivery window needs Delivery start and end in the dialog, or msg.payload.deliveryStart and deliveryEnd');
          }
          return { kind: 'absolute', deliveryStart: settings.deliveryStart, deliveryEnd: settings.deliveryEnd };
      }
    }

    async function handle(msg: NodeMessage, send: NodeSend): Promise<void> {
      const overrides = offerOverrides(msg.payload);
      const nowMs = clock.nowMs();
      const identity = participant.identity;
      if ((overrides.action ?? settings.action) === 'cancel') {
        const orderId = overrides.id ?? lastOrderId;
        if (orderId === undefined) throw new Error('a cancel needs msg.payload.id, or an order sent by this node before');
        const cancel = participant.sign(buildCancel(identity, settings.market, orderId, { nowMs, expiresAfterMs: settings.expiresAfterMs }));
        send({ topic, payload: cancel, qos: 1 });
        node.status({ fill, shape: 'dot', text: t('cancel', { id: orderId.slice(0, 12) }) });
        return;
      }
      const quantityWh = overrides.quantityWh ?? (await typedNumber(settings.quantity, 'Quantity (Wh)', 1, msg));
      const priceMsatPerKwh = overrides.priceMsatPerKwh ?? (await typedNumber(settings.price, 'Price (msat/kWh)', 0, msg));
      const order = buildOrder(
        identity,
        settings.market,
        {
          id: overrides.id,
          side: overrides.side ?? settings.side,
          orderType: overrides.orderType ?? settings.orderType,
          quantityWh,
          priceMsatPerKwh,
          minFillWh: overrides.minFillWh ?? settings.minFillWh,
          window: await windowOf(overrides, msg),
          expiresAt: overrides.expiresAt,
        },
        { nowMs, expiresAfterMs: settings.expiresAfterMs, slotMs: settings.slotMs },
      );
      const signed = participant.sign(order);
      lastOrderId = order.id;
      send({ topic, payload: signed, qos: 1 });
      node.status({ fill, shape: 'dot', text: `${order.side} ${formatEnergyWh(order.quantityWh)} @${formatPriceMsatPerKwh(order.priceMsatPerKwh)}` });
    }

    node.on(
      'input',
      asyncInput(async (msg, send) => {
        try {
          await handle(msg, send);
        } catch (err) {
          node.status({ fill: 'red', shape: 'ring', text: t('invalid') });
          throw err;
        }
      }),
    );
  }

  RED.nodes.registerType(TYPE, OfferNode);
};
