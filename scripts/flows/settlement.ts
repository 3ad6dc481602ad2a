// flows/30-settlement.json: every trade paid as its energy is delivered. The buyer's flaregrid-pay-stream pays
// the seller's Lightning node by keysend for each step of energy its meter shows; the seller's
// flaregrid-pay-gate compares what it received with what was delivered and cuts the buyer's supply (coil 0 of
// the buyer's prosumer meter, through a modbus-flex-write) when payment lags, restoring it once paid.
import { Flow, note, type FlowNode } from './kit';
import { fn, listen } from './dashboard/listen';
import { operationsGroup, type Operations } from './operations';
import { CONTACTOR, routeCode } from './settlement-code';
import { PROSUMERS, SHARED, env, siteDefault } from './site';

export const SETTLEMENT_FILE = '30-settlement.json';

const BUYERS = PROSUMERS.map((p) => p.meterId);
/** The operator sells the gensets' energy; the prosumers buy (docs/flows-needs.md: one seller per buyer and slot). */
export const SELLERS = [siteDefault('FLAREGRID_OPERATOR')];
/** Every participant has a Lightning node: the sellers to be paid, the buyers to pay. */
const PARTICIPANTS = [...SELLERS, ...BUYERS];

/** FLAREGRID_LND_PROSUMER_1 for prosumer-1 (npm start sets <prefix>_SOCKET and _PUBKEY). */
export function lndEnv(participant: string, what: 'SOCKET' | 'PUBKEY'): string {
  return `FLAREGRID_LND_${participant.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;
}

const ABOUT = note(
  '## Settlement',
  '',
  'Trades (`flaregrid/<market>/trades`) and the prosumers\' meter readings (`flaregrid/<site>/meters/<id>`) go to',
  "the buyer's **pay-stream**, which pays the seller by keysend for every 100 Wh (or 10 s) its meter shows, and to",
  "the seller's **pay-gate**, which counts what it was paid against what was delivered. When a buyer owes more than",
  "500 Wh or 50 sat for 10 s, the gate's CutOff opens the buyer's supply contactor (coil 0 of its prosumer meter,",
  'FC 05 through a modbus-flex-write); once the buyer has paid up, its Restore closes it. Receipts go out on',
  '`flaregrid/<market>/receipts/<buyer>`; cut-offs, restores and warnings go to the dashboard.',
  '',
  '### For a real site',
  '',
  "- Each participant's Lightning node: its socket is FLAREGRID_LND_<PARTICIPANT>_SOCKET; its TLS certificate and",
  '  macaroon are credentials of its flaregrid-lnd node (enter them in its dialog; npm start writes the simulator\'s).',
  "  Spending caps are the flaregrid-lnd nodes'.",
  '- The supply contactor of a buyer is coil 0 at the Modbus unit FLAREGRID_<BUYER>_UNIT; for another contactor,',
  '  change the *contactor command* function.',
);

export interface Settlement {
  flow: Flow;
  operations: Operations;
  cutoffsOut: FlowNode;
  /** the flaregrid-lnd config node of each participant, by participant id */
  lnd: Map<string, FlowNode>;
}

function publish(flow: Flow, key: string, name: string, at: { col: number; row: number }): FlowNode {
  return flow.node(key, 'mqtt out', { name, topic: '', qos: '1', retain: '', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: SHARED.broker }, at);
}

function lndNode(flow: Flow, participant: string): FlowNode {
  return flow.config(`lnd:${participant}`, 'flaregrid-lnd', {
    name: `${participant}'s node`,
    configVersion: 0,
    socket: env(lndEnv(participant, 'SOCKET')),
    perPaymentMsat: 1000000,
    perTradeMsat: 100000000,
    perHourMsat: 200000000,
    perDayMsat: 2000000000,
    maxFeeMsat: 10000,
    maxFeePpm: 5000,
    paymentTimeoutS: 30,
    callTimeoutS: 10,
  });
}

export function settlement(): Settlement {
  const flow = new Flow(SETTLEMENT_FILE, { label: 'Settlement', info: ABOUT });
  const comment = flow.node('about', 'comment', { name: 'Settlement: streams pay, gates cut off who does not; for a real site, see here', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this flow', [comment]);
  const lnd = new Map(PARTICIPANTS.map((p) => [p, lndNode(flow, p)]));

  const topics = `["flaregrid/" & $env("FLAREGRID_MARKET") & "/trades", ${BUYERS.map((b) => `"flaregrid/" & $env("FLAREGRID_SITE") & "/meters/${b}"`).join(', ')}]`;
  const heard = listen(flow, 'heard', 'trades and prosumer meters', topics, { col: 0, row: 7 });
  const route = fn(flow, 'fn:route', 'to streams and gates', routeCode(BUYERS, SELLERS), BUYERS.length + SELLERS.length, { col: 2.75, row: 7 }, [
    ...BUYERS.map((b) => `${b}'s stream`),
    ...SELLERS.map((s) => `${s}'s gate`),
  ]);
  flow.wire(heard.mqttIn, route);
  const members: FlowNode[] = [...heard.nodes, route];

  const receipts = flow.node('link:receipts', 'link in', { name: 'receipts' }, { col: 5.5, row: 4 });
  const publishReceipts = publish(flow, 'mqtt:receipts', 'publish receipts', { col: 5.75, row: 4 });
  flow.wire(receipts, publishReceipts);
  const cutoffs = flow.node('link:cutoffs', 'link in', { name: 'cut-offs and restores' }, { col: 5.5, row: 10 });
  const contactor = fn(flow, 'fn:contactor', 'contactor command', CONTACTOR, 1, { col: 5.75, row: 10 });
  const write = flow.node(
    'contactor:write',
    'modbus-flex-write',
    { name: 'supply contactor (coil 0)', showStatusActivities: false, showErrors: true, showWarnings: true, server: SHARED.modbus, emptyMsgOnFail: false, keepMsgProperties: true, delayOnStart: false, startDelayTime: '' },
    { col: 6.75, row: 10 },
    { outputs: 2 },
  );
  const cutoffsOut = flow.node('link:cutoffs-out', 'link out', { name: 'cut-offs to dashboard', mode: 'link', links: [] }, { col: 6.75, row: 11 });
  flow.wire(cutoffs, contactor);
  flow.wire(contactor, write);
  flow.wire(contactor, cutoffsOut);
  members.push(receipts, publishReceipts, cutoffs, contactor, write, cutoffsOut);

  const watched: FlowNode[] = [write];
  BUYERS.forEach((buyer, i) => {
    const row = 2 + i * (4 / 3);
    const stream = flow.node(
      `stream:${buyer}`,
      'flaregrid-pay-stream',
      { name: `${buyer} pays`, configVersion: 0, lnd: lnd.get(buyer)!.id, buyer, meterId: buyer, mode: 'keysend', stepWh: 100, stepS: 10, toleranceWh: 5, minPaymentMsat: 1000, closeAfterS: 30, giveUpAfterS: 3600 },
      { col: 3.75, row },
    );
    flow.wire(route, stream, i);
    const out = flow.node(`link:stream-receipts:${buyer}`, 'link out', { name: `${buyer} payer receipts`, mode: 'link' }, { col: 4.75, row });
    flow.wire(stream, out);
    flow.link(out, receipts);
    members.push(stream, out);
    watched.push(stream);
  });
  SELLERS.forEach((seller, i) => {
    const row = 2 + (BUYERS.length + i) * (4 / 3);
    const gate = flow.node(
      `gate:${seller}`,
      'flaregrid-pay-gate',
      {
        name: `${seller} gets paid`,
        configVersion: 0,
        lnd: lnd.get(seller)!.id,
        seller,
        buyerMeters: BUYERS.filter((b) => b !== seller).map((b) => `${b}=${b}`).join(','),
        mode: 'keysend',
        creditWh: 500,
        creditMsat: 50000,
        warnPct: 50,
        restorePct: 20,
        graceS: 10,
        stepWh: 100,
        stepS: 10,
        invoiceExpiryS: 60,
        closeAfterS: 30,
        giveUpAfterS: 3600,
      },
      { col: 3.75, row },
      { outputs: 4 },
    );
    flow.wire(route, gate, BUYERS.length + i);
    const cut = flow.node(`link:cutoffs:${seller}`, 'link out', { name: `${seller} cut-offs`, mode: 'link' }, { col: 4.75, row, dy: -0.2 });
    const paid = flow.node(`link:gate-receipts:${seller}`, 'link out', { name: `${seller} payee receipts`, mode: 'link' }, { col: 4.75, row, dy: 0.2 });
    flow.wire(gate, cut, 0);
    flow.wire(gate, paid, 2);
    flow.link(cut, cutoffs);
    flow.link(paid, receipts);
    members.push(gate, cut, paid);
    watched.push(gate);
  });
  flow.group('group:settlement', 'Trades and meters → streams and gates → receipts and the supply contactor', members);
  const operations = operationsGroup(flow, watched, { col: 0, row: 17 });
  return { flow, operations, cutoffsOut, lnd };
}
