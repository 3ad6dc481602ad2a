// The dashboard's Payments page: each trade's stream with the energy paid for against the energy delivered, the
// receipts as they come, and the cut-offs and restores of the settlement flow's gates.
import { Flow, note, type FlowNode } from '../kit';
import { PROSUMERS } from '../site';
import { fn, listen } from './listen';
import type { DashboardPage } from './plant';
import { chart, table, uiGroup, uiPage } from './widgets';

const ABOUT = note(
  '## Dashboard: Payments',
  '',
  "Listens to the trades and the payers' receipts (`flaregrid/<FLAREGRID_MARKET>/trades`, `…/receipts/+`) and to",
  "the buyers' meters: a trade's energy delivered is what its buyer's meter counted in the trade's window (the rule",
  'the streams and gates use: increases of energyOutWh, in order of the trades, each up to its quantity), its energy',
  "paid is its last receipt's. The settlement flow sends its cut-offs and restores here (link in *cut-offs*).",
);

const BUYERS = PROSUMERS.map((p) => p.meterId);

const STREAMS = `// msg: a Trade, a payer's Receipt or a buyer's MeterReading. Out: the paid/delivered chart, the streams, the receipts.
const s = context.get('streams') || { trades: {}, counters: {}, receipts: [] };
const p = msg.payload || {};
if (p.type === 'trade') {
    if (!s.trades[p.id]) s.trades[p.id] = { id: p.id, buyer: p.buyer, seller: p.seller, startMs: Date.parse(p.deliveryStart), endMs: Date.parse(p.deliveryEnd), quantityWh: p.quantityWh, price: p.priceMsatPerKwh + (p.feeMsatPerKwh || 0), deliveredWh: 0, paidWh: 0, paidMsat: 0, final: false };
} else if (p.type === 'receipt' && p.issuer === 'payer') {
    const t = s.trades[p.tradeId];
    if (t) {
        t.paidWh = Math.max(t.paidWh, p.energyWh || 0);
        t.paidMsat = Math.max(t.paidMsat, p.totalMsat || 0);
        t.final = t.final || p.final === true;
    }
    if (p.amountMsat > 0) {
        s.receipts.unshift({ time: String(p.ts).slice(11, 19), trade: p.tradeId, buyer: p.buyer || '', seq: p.seq, energy: p.energyWh + ' Wh', amount: (p.amountMsat / 1000).toFixed(3) + ' sat', total: (p.totalMsat / 1000).toFixed(3) + ' sat', hash: String(p.paymentHash || '').slice(0, 16) + '…' });
        s.receipts.length = Math.min(s.receipts.length, 100);
    }
} else if (typeof p.energyOutWh === 'number') {
    const atMs = Date.parse(p.ts);
    s.nowMs = Math.max(s.nowMs || 0, atMs);
    const before = s.counters[p.meterId];
    s.counters[p.meterId] = p.energyOutWh;
    if (before !== undefined && p.energyOutWh > before) {
        let left = p.energyOutWh - before;
        Object.values(s.trades)
            .filter((t) => t.buyer === p.meterId && t.startMs < atMs && atMs <= t.endMs)
            .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id))
            .forEach((t) => { const take = Math.min(left, t.quantityWh - t.deliveredWh); t.deliveredWh += take; left -= take; });
    }
} else {
    return null;
}
// Only the trades of the last hour are kept.
const horizon = Date.parse(p.ts || p.matchedAt || new Date().toISOString()) - 3600000;
Object.keys(s.trades).forEach((id) => { if (s.trades[id].endMs < horizon) delete s.trades[id]; });
context.set('streams', s);
const now = Date.now();
if (now - (context.get('sentMs') || 0) < 2000 && p.type !== 'receipt') return null;
context.set('sentMs', now);
const trades = Object.values(s.trades).sort((a, b) => b.startMs - a.startMs || a.id.localeCompare(b.id));
const bars = [];
${JSON.stringify(BUYERS)}.forEach((buyer) => {
    const mine = trades.filter((t) => t.buyer === buyer);
    bars.push({ series: 'delivered', x: buyer, y: mine.reduce((sum, t) => sum + t.deliveredWh, 0) / 1000 });
    bars.push({ series: 'paid for', x: buyer, y: mine.reduce((sum, t) => sum + t.paidWh, 0) / 1000 });
});
const rows = trades.map((t) => ({
    trade: t.id, buyer: t.buyer, seller: t.seller, window: new Date(t.startMs).toISOString().slice(11, 16) + '–' + new Date(t.endMs).toISOString().slice(11, 16),
    price: t.price / 1000 + ' sat/kWh', traded: t.quantityWh + ' Wh', delivered: t.deliveredWh + ' Wh', paid: t.paidWh + ' Wh, ' + (t.paidMsat / 1000).toFixed(3) + ' sat',
    owed: Math.max(0, Math.floor(t.deliveredWh * t.price / 1000) - t.paidMsat) / 1000 + ' sat',
    // On the plant's clock: the newest meter reading's time.
    state: t.final ? 'closed' : (s.nowMs || 0) <= t.startMs ? 'waiting' : (s.nowMs || 0) <= t.endMs ? 'streaming' : 'closing'
}));
return [{ payload: bars }, { payload: rows }, { payload: s.receipts }];`;

const CUTOFFS = `// msg: a CutOff or Restore from the settlement flow (msg.cutoff). Out: the list, newest first.
const c = msg.cutoff || msg.payload || {};
const list = context.get('cutoffs') || [];
list.unshift({ time: String(c.ts || new Date().toISOString()).slice(11, 19), participant: c.participant, what: c.type === 'cutoff' ? 'cut off' : 'restored', trade: c.tradeId || '', unpaid: (c.unpaidWh || 0) + ' Wh, ' + ((c.unpaidMsat || 0) / 1000).toFixed(3) + ' sat', reason: c.reason || '' });
list.length = Math.min(list.length, 100);
context.set('cutoffs', list);
return { payload: list };`;

export interface PaymentsPage extends DashboardPage {
  cutoffsIn: FlowNode;
}

export function paymentsPage(file: string, order: number): PaymentsPage {
  const flow = new Flow(file, { label: 'Dashboard: Payments', info: ABOUT }, { left: 60, top: 60 }, 'payments');
  const page = uiPage('page:payments', 'Payments', '/payments', 'lightning-bolt', order);
  const paid = uiGroup('group:payments:paid', 'Paid against delivered (the last hour)', page, 6, 1);
  const cut = uiGroup('group:payments:cutoffs', 'Cut-offs and restores', page, 6, 2);
  const streams = uiGroup('group:payments:streams', 'Streams', page, 12, 3);
  const receipts = uiGroup('group:payments:receipts', 'Receipts, newest first', page, 12, 4);
  const comment = flow.node('about', 'comment', { name: 'Payments page: streams, receipts and cut-offs', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const topics = `["flaregrid/" & $env("FLAREGRID_MARKET") & "/trades", "flaregrid/" & $env("FLAREGRID_MARKET") & "/receipts/+", ${BUYERS.map((b) => `"flaregrid/" & $env("FLAREGRID_SITE") & "/meters/${b}"`).join(', ')}]`;
  const heard = listen(flow, 'payments', 'trades, receipts and buyers', topics, { col: 0, row: 3 });
  const figures = fn(flow, 'fn:streams', 'streams', STREAMS, 3, { col: 3, row: 3 }, ['paid and delivered', 'streams', 'receipts']);
  flow.wire(heard.mqttIn, figures);
  const col = 4.25;
  const widgets = [
    chart(flow, 'w:paid', { group: paid, order: 1, width: 6, height: 6, label: 'Energy delivered and paid for', yLabel: 'kWh', ymin: 0, bars: true, colors: ['#3a7bd5', '#2ca02c'] }, { col, row: 2 }),
    table(
      flow,
      'w:streams',
      {
        group: streams,
        order: 1,
        width: 12,
        label: 'Streams',
        maxrows: 10,
        columns: [
          { key: 'trade', label: 'Trade' },
          { key: 'buyer', label: 'Buyer' },
          { key: 'seller', label: 'Seller' },
          { key: 'window', label: 'Delivery' },
          { key: 'price', label: 'Price' },
          { key: 'traded', label: 'Traded' },
          { key: 'delivered', label: 'Delivered' },
          { key: 'paid', label: 'Paid for' },
          { key: 'owed', label: 'Owed' },
          { key: 'state', label: 'State' },
        ],
      },
      { col, row: 3 },
    ),
    table(
      flow,
      'w:receipts',
      {
        group: receipts,
        order: 1,
        width: 12,
        label: 'Receipts',
        maxrows: 10,
        columns: [
          { key: 'time', label: 'Time' },
          { key: 'trade', label: 'Trade' },
          { key: 'seq', label: '#' },
          { key: 'energy', label: 'Energy paid' },
          { key: 'amount', label: 'Payment' },
          { key: 'total', label: 'Total' },
          { key: 'hash', label: 'Payment hash' },
        ],
      },
      { col, row: 4 },
    ),
  ];
  widgets.forEach((w, i) => flow.wire(figures, w, i));
  const cutoffsIn = flow.node('link:cutoffs', 'link in', { name: 'cut-offs', links: [] }, { col: 2, row: 6 });
  const listFn = fn(flow, 'fn:cutoffs', 'cut-off list', CUTOFFS, 1, { col: 3, row: 6 });
  const list = table(
    flow,
    'w:cutoffs',
    {
      group: cut,
      order: 1,
      width: 6,
      label: 'Cut-offs',
      maxrows: 8,
      columns: [
        { key: 'time', label: 'Time' },
        { key: 'participant', label: 'Buyer' },
        { key: 'what', label: 'What' },
        { key: 'unpaid', label: 'Unpaid' },
        { key: 'reason', label: 'Why' },
      ],
    },
    { col, row: 6 },
  );
  flow.wire(cutoffsIn, listFn);
  flow.wire(listFn, list);
  flow.group('group:flow', 'Trades, receipts, meters and cut-offs → widgets', [...heard.nodes, figures, ...widgets, cutoffsIn, listFn, list]);
  return { flow, config: [page, paid, cut, streams, receipts], cutoffsIn };
}
