// The dashboard's Market page: the order book's depth, the trades, the clearing price over time and the welfare
// of the latest clearing, from the market's book snapshot and trades on MQTT.
import { Flow, note } from '../kit';
import { fn, listen, marketTopics } from './listen';
import type { DashboardPage } from './plant';
import { chart, table, text, uiGroup, uiPage } from './widgets';

const ABOUT = note(
  '## Dashboard: Market',
  '',
  "Listens to the market's retained book snapshot (`flaregrid/<FLAREGRID_MARKET>/book`) and its trades",
  '(`…/trades`): the depth of the book for the next slot still open (bids and asks in kWh by price level), every',
  'trade, the price of each trade (and an auction\'s clearing price) over time, and the welfare of the latest clearing',
  '(the gains from trade realised against the most any clearing of the same orders could realise; before the first, when',
  'it comes).',
);

const BOOK = `// msg: a BookSnapshot or a Trade. Out: depth (bar chart), prices (line chart), trades (table), welfare, last price.
const p = msg.payload || {};
const sat = (msat) => Math.round(msat / 100) / 10;
if (p.type === 'trade') {
    const trades = context.get('trades') || [];
    if (trades.some((t) => t.id === p.id)) return null;
    trades.unshift({
        id: p.id, time: p.matchedAt.slice(11, 19), slot: p.deliveryStart.slice(11, 16) + '–' + p.deliveryEnd.slice(11, 16),
        buyer: p.buyer, seller: p.seller, energy: (p.quantityWh / 1000).toFixed(2) + ' kWh', price: sat(p.priceMsatPerKwh) + ' sat/kWh'
    });
    trades.length = Math.min(trades.length, 200);
    context.set('trades', trades);
    return [null, { topic: 'trade price', payload: sat(p.priceMsatPerKwh) }, { payload: trades }, null, { payload: sat(p.priceMsatPerKwh) + ' sat/kWh' }];
}
if (p.type !== 'book') return null;
// The first slot that still takes orders: its depth, best price first on both sides.
const open = (p.slots || []).filter((s) => Date.parse(s.gateClosure) > Date.parse(p.ts)).sort((a, b) => a.deliveryStart.localeCompare(b.deliveryStart))[0];
// The bar chart, whole: a bar per price level of each side, in kWh; bids are drawn from the best down.
const depth = [];
if (open) {
    open.bids.slice().reverse().forEach((l) => depth.push({ series: 'bids', x: sat(l.priceMsatPerKwh) + ' sat', y: l.quantityWh / 1000 }));
    open.asks.forEach((l) => depth.push({ series: 'asks', x: sat(l.priceMsatPerKwh) + ' sat', y: l.quantityWh / 1000 }));
}
const c = p.lastClearing;
// Before the first clearing the page says when it comes: the gate closure of the first open slot.
const welfare = c
    ? { payload: (c.welfareMsat / 1000).toFixed(1) + ' sat of ' + (c.bestWelfareMsat / 1000).toFixed(1) + ' sat possible (' + (c.efficiencyPerMille / 10).toFixed(1) + '%), ' + c.trades + ' trades, ' + (c.volumeWh / 1000).toFixed(2) + ' kWh, slot ' + c.deliveryStart.slice(11, 16) }
    : { payload: open ? 'no clearing yet: the ' + open.deliveryStart.slice(11, 16) + ' slot clears at ' + open.gateClosure.slice(11, 16) : 'no clearing yet' };
// An auction's uniform price goes on the price chart beside the trades, once per clearing.
const cleared = c && c.priceMsatPerKwh !== undefined && c.clearedAt !== context.get('clearedAt');
if (c) context.set('clearedAt', c.clearedAt);
const changed = JSON.stringify(depth) !== context.get('depth');
context.set('depth', JSON.stringify(depth));
return [changed ? { payload: depth } : null, cleared ? { topic: 'clearing price', payload: sat(c.priceMsatPerKwh) } : null, null, welfare, null];`;

export function marketPage(file: string, order: number): DashboardPage {
  const flow = new Flow(file, { label: 'Dashboard: Market', info: ABOUT }, { left: 60, top: 60 }, 'market');
  const page = uiPage('page:market', 'Market', '/market', 'scale-balance', order);
  const book = uiGroup('group:market:book', 'Order book of the next open slot', page, 6, 1);
  const prices = uiGroup('group:market:prices', 'Clearing price', page, 6, 2);
  const trades = uiGroup('group:market:trades', 'Trades', page, 12, 3);
  const comment = flow.node('about', 'comment', { name: 'Market page: book depth, trades, prices and welfare', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const heard = listen(flow, 'market', 'book and trades', marketTopics(['book', 'trades']), { col: 0, row: 3 });
  const figures = fn(flow, 'fn:market', 'market figures', BOOK, 5, { col: 3, row: 3 }, ['depth', 'price', 'trades', 'welfare', 'last price']);
  flow.wire(heard.mqttIn, figures);
  const col = 4.25;
  const widgets = [
    chart(flow, 'w:depth', { group: book, order: 1, width: 6, height: 6, label: 'Depth', yLabel: 'kWh', ymin: 0, bars: true, colors: ['#2ca02c', '#d62728'] }, { col, row: 2 }),
    chart(flow, 'w:prices', { group: prices, order: 1, width: 6, height: 5, label: 'Trade and clearing prices', yLabel: 'sat/kWh', ymin: 0, minutes: 60, points: true, colors: ['#e07b39', '#6a3d9a'] }, { col, row: 2.75 }),
    table(
      flow,
      'w:trades',
      {
        group: trades,
        order: 1,
        width: 12,
        label: 'Trades, newest first',
        maxrows: 10,
        columns: [
          { key: 'time', label: 'Matched' },
          { key: 'slot', label: 'Delivery' },
          { key: 'buyer', label: 'Buyer' },
          { key: 'seller', label: 'Seller' },
          { key: 'energy', label: 'Energy' },
          { key: 'price', label: 'Price' },
        ],
      },
      { col, row: 3.5 },
    ),
    text(flow, 'w:welfare', { group: prices, order: 3, width: 6, height: 1, label: 'Welfare of the last clearing' }, { col, row: 4.25 }),
    text(flow, 'w:last', { group: prices, order: 2, width: 6, height: 1, label: 'Last price' }, { col, row: 5 }),
  ];
  widgets.forEach((w, i) => flow.wire(figures, w, i));
  flow.group('group:flow', 'Book and trades → market figures → widgets', [...heard.nodes, figures, ...widgets]);
  return { flow, config: [page, book, prices, trades] };
}
