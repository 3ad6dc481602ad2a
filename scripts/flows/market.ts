// flows/20-market.json: the site's energy market. The matcher takes orders from MQTT (the simulated prosumers,
// or anyone in its registry) and from the site operator, whose offers are made here: its firm supply once per
// slot at the asking price the dashboard sets, and in economic mode the surplus that would otherwise be mined.
import { Flow, note, type FlowNode } from './kit';
import { fn, listen, marketTopics, siteTopics } from './dashboard/listen';
import { BEST_BID, FIRM_SUPPLY, START_ASK, SURPLUS_OFFER } from './market-code';
import { operationsGroup, type Operations } from './operations';
import { SHARED, env } from './site';

export const MARKET_FILE = '20-market.json';
/** The global context key of the operator's asking price, msat/kWh: the offer node's price, the dashboard's control. */
export const OPERATOR_ASK_KEY = 'flaregrid_operator_ask_msat_per_kwh';

const ABOUT = note(
  '## Market',
  '',
  'The matcher of the site\'s market FLAREGRID_MARKET: orders and cancels arrive on `flaregrid/<market>/orders`',
  '(signed by a participant of its registry, FLAREGRID_MARKET_REGISTRY_FILE, or by the operator\'s participant node',
  'here); trades, rejects and the book (retained) go out on `flaregrid/<market>/trades`, `…/rejects/<participant>`',
  'and `…/book`. Slots, gate closure, tick and price limits are the site settings FLAREGRID_MARKET_*.',
  '',
  'The site operator (FLAREGRID_OPERATOR) sells:',
  '- its **firm supply**: once per slot, the energy the prosumers draw now (20% over) for the next slot, at the asking price',
  '  that the dashboard\'s Settings page sets (global context `' + OPERATOR_ASK_KEY + '`);',
  '- in dispatch\'s **economic mode**, the power its miners take, when a buyer bids more than mining earns: dispatch',
  '  hears the best bid from the book and offers its surplus at what mining earns.',
  '',
  '### For a real site',
  '',
  '- The operator\'s signing key is a credential of its participant node (Generate key in its dialog); give its registry',
  '  entry to the market operator. Its payTo is its Lightning node (FLAREGRID_LND_OPERATOR_PUBKEY).',
  '- Outside participants: list them in the registry file (a JSON array of {id, publicKey, zone, payTo}).',
);

export interface Market {
  flow: Flow;
  operations: Operations;
  /** dispatch's surplus offers come in here (from the site control flow) */
  surplusIn: FlowNode;
  /** the best bid goes to dispatch from here */
  bestBidOut: FlowNode;
  participant: FlowNode;
}

function publish(flow: Flow, key: string, name: string, broker: string, at: { col: number; row: number }): FlowNode {
  return flow.node(key, 'mqtt out', { name, topic: '', qos: '1', retain: '', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker }, at);
}

function offerNode(flow: Flow, key: string, name: string, participant: FlowNode, price: { price: string; priceType: string }, at: { col: number; row: number }): FlowNode {
  return flow.node(
    key,
    'flaregrid-offer',
    {
      name,
      configVersion: 0,
      participant: participant.id,
      market: env('FLAREGRID_MARKET'),
      action: 'order',
      side: 'sell',
      orderType: 'limit',
      quantity: 'payload.quantityWh',
      quantityType: 'msg',
      ...price,
      minFillWh: '',
      window: 'next-slot',
      slotMinutes: env('FLAREGRID_MARKET_SLOT_MIN'),
      slotAt: 'deliveryAt',
      slotAtType: 'msg',
      deliveryStart: '',
      deliveryEnd: '',
      expiresAfterS: 900,
    },
    at,
  );
}

export function market(): Market {
  const flow = new Flow(MARKET_FILE, { label: 'Market', info: ABOUT });
  const comment = flow.node('about', 'comment', { name: 'Market: the matcher and the operator\'s offers; for a real site, see here', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this flow', [comment]);

  const orders = listen(flow, 'orders', 'orders and cancels', marketTopics(['orders']), { col: 0, row: 2 });
  const matcher = flow.node(
    'matcher',
    'flaregrid-matcher',
    {
      name: 'site market',
      configVersion: 0,
      market: env('FLAREGRID_MARKET'),
      mode: 'continuous',
      slotMinutes: env('FLAREGRID_MARKET_SLOT_MIN'),
      gateClosureLeadS: env('FLAREGRID_MARKET_GATE_CLOSURE_S'),
      auctionIntervalS: 60,
      priceFloorMsatPerKwh: env('FLAREGRID_MARKET_PRICE_FLOOR_MSAT_PER_KWH'),
      priceCapMsatPerKwh: env('FLAREGRID_MARKET_PRICE_CAP_MSAT_PER_KWH'),
      tickMsatPerKwh: env('FLAREGRID_MARKET_TICK_MSAT_PER_KWH'),
      mechanism: 'pay-as-clear',
      selfTrade: 'cancel-newest',
      zones: '',
      maxClockSkewS: 30,
      allowUnsigned: false,
      maxOpenOrders: 100,
      rateOrders: 50,
      ratePerS: 1,
      maxMessageBytes: 4096,
      maxQuantityWh: 1000000000,
      registrySource: 'file',
      registry: '[]',
      registryFile: env('FLAREGRID_MARKET_REGISTRY_FILE'),
      trustLocal: true,
      journalDir: '',
      bookIntervalS: 1,
      confirmDelivery: true,
      retryS: 10,
    },
    { col: 2.5, row: 3 },
    { outputs: 3 },
  );
  flow.wire(orders.mqttIn, matcher);
  const trades = publish(flow, 'mqtt:trades', 'trades', SHARED.brokerOut, { col: 3.5, row: 2 });
  const rejects = publish(flow, 'mqtt:rejects', 'rejects', SHARED.brokerOut, { col: 3.5, row: 3 });
  const book = publish(flow, 'mqtt:book', 'book (retained)', SHARED.brokerOut, { col: 3.5, row: 4 });
  flow.wire(matcher, trades, 0);
  flow.wire(matcher, rejects, 1);
  flow.wire(matcher, book, 2);
  const bestBid = fn(flow, 'fn:best-bid', 'best bid', BEST_BID, 1, { col: 3.5, row: 5 });
  flow.wire(matcher, bestBid, 2);
  const bestBidOut = flow.node('link:best-bid', 'link out', { name: 'best bid to dispatch', mode: 'link', links: [] }, { col: 4.5, row: 5 });
  flow.wire(bestBid, bestBidOut);
  flow.group('group:matcher', 'The matcher: orders in, trades, rejects and the book out', [...orders.nodes, matcher, trades, rejects, book, bestBid, bestBidOut]);

  const participant = flow.config('participant:operator', 'flaregrid-participant', {
    name: 'site operator',
    configVersion: 0,
    participantId: env('FLAREGRID_OPERATOR'),
    zone: '',
    payTo: env('FLAREGRID_LND_OPERATOR_PUBKEY'),
    publicKey: '',
  });
  const start = flow.node('ask:start', 'inject', { name: 'on start', props: [], repeat: '', crontab: '', once: true, onceDelay: 0.1, topic: '' }, { col: 0, row: 7 });
  const startAsk = fn(flow, 'fn:start-ask', 'asking price at start', START_ASK, 0, { col: 0.75, row: 7 });
  flow.wire(start, startAsk);
  const balance = listen(flow, 'meters', 'site meters', siteTopics(['meters/+']), { col: 0, row: 8 });
  const firm = fn(flow, 'fn:firm', 'once per slot', FIRM_SUPPLY, 1, { col: 2.5, row: 8 });
  flow.wire(balance.mqttIn, firm);
  const firmOffer = offerNode(flow, 'offer:firm', 'firm supply at the ask', participant, { price: OPERATOR_ASK_KEY, priceType: 'global' }, { col: 3.5, row: 8 });
  flow.wire(firm, firmOffer);
  const surplusIn = flow.node('link:surplus', 'link in', { name: 'surplus offers from dispatch', links: [] }, { col: 1.75, row: 9 });
  const surplus = fn(flow, 'fn:surplus', 'surplus once per slot', SURPLUS_OFFER, 1, { col: 2.5, row: 9 });
  flow.wire(surplusIn, surplus);
  const surplusOffer = offerNode(flow, 'offer:surplus', 'surplus at mining value', participant, { price: 'payload.priceMsatPerKwh', priceType: 'msg' }, { col: 3.5, row: 9 });
  flow.wire(surplus, surplusOffer);
  const toMarket = publish(flow, 'mqtt:orders', 'orders to the market', SHARED.broker, { col: 4.75, row: 8.5 });
  flow.wire(firmOffer, toMarket);
  flow.wire(surplusOffer, toMarket);
  flow.group('group:operator', "The site operator's offers", [start, startAsk, ...balance.nodes, firm, firmOffer, surplusIn, surplus, surplusOffer, toMarket]);

  const operations = operationsGroup(flow, [matcher, firmOffer, surplusOffer], { col: 0, row: 11 });
  return { flow, operations, surplusIn, bestBidOut, participant };
}
