// flows/10-site-control.json: the plant's meters, the site balance, dispatch and the miners, with every reading,
// balance and miner telemetry published on its MQTT topic (docs/contracts.md). It needs no dashboard: control runs
// without one, and the dashboard flow only listens.
import { CONTAINERS } from '../site-fleet';
import { Flow, note, type FlowNode } from './kit';
import { METER_NOTE, SITE_METERS, meterGroup } from './meters';
import { NUMERIC_PARAMS } from '../../lib/control/dispatch';
import { containerMinerNode, containerName, minerAccess } from './miners';
import { DISPATCH_FROM_SITE, DISPATCH_OVERRIDES, toGroupsCode } from './control-code';
import { fn } from './dashboard/listen';
import { operationsGroup, type Operations } from './operations';
import { GENSETS, SHARED, env } from './site';

export const SITE_CONTROL_FILE = '10-site-control.json';

const ABOUT = note(
  '## Site control',
  '',
  'Reads every genset controller, the DC bus meter, each prosumer meter and the miner feeder over Modbus TCP',
  '(node-red-contrib-modbus), keeps the site power balance, lets dispatch turn the surplus into power targets for',
  'the miners of each container, and publishes readings, balance and miner telemetry on MQTT:',
  '`flaregrid/<site>/meters/<meterId>`, `flaregrid/<site>/balance`, `flaregrid/<site>/miners/<minerId>/telemetry`.',
  '',
  METER_NOTE,
  '',
  '### For a real site',
  '',
  '- Addresses: set FLAREGRID_MODBUS_HOST and FLAREGRID_MODBUS_PORT (the Modbus TCP gateway), FLAREGRID_MQTT_HOST and',
  '  FLAREGRID_MQTT_PORT (the broker) and FLAREGRID_MINER_HOST with FLAREGRID_MINER_<n>_PORT in the environment of',
  '  Node-RED, or put the miners\' addresses in the container nodes.',
  '- Everything else about the site (its id, unit ids, genset rating, bus band, gas figures) is in the global',
  '  environment of flows/00-site.json (Settings > Environment in the editor).',
  '- A meter of another make: open its node and pick its profile (SunSpec, Eastron SDM630 or a custom table).',
  '- Miners: list yours in the container nodes (id, host, ports, firmware); the access node holds their login.',
  '- Dispatch thresholds are in the dispatch node; the dashboard\'s Settings page changes them while it runs.',
);

function publish(flow: Flow, key: string, name: string, at: { col: number; row: number; dy?: number }): FlowNode {
  // An empty topic: each message carries its own (msg.topic), set by the node that made it.
  return flow.node(key, 'mqtt out', { name, topic: '', qos: '1', retain: '', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker: SHARED.broker }, at);
}

export interface SiteControl {
  flow: Flow;
  operations: Operations;
  /** the dashboard's parameter changes come in here */
  settings: FlowNode;
  /** the market's best bid comes in here */
  bestBid: FlowNode;
  summaryOut: FlowNode;
  offersOut: FlowNode;
}

export function siteControl(): SiteControl {
  const flow = new Flow(SITE_CONTROL_FILE, { label: 'Site control', info: ABOUT });
  const comment = flow.node('about', 'comment', { name: 'Site control: meters → balance → dispatch → miners; for a real site, see here', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this flow', [comment]);

  const { meters, readingLinks } = meterGroup(flow, SITE_METERS, { col: 0, row: 2 }, 'Read the plant over Modbus');

  const readings = flow.node('link:readings', 'link in', { name: 'meter readings' }, { col: 2.75, row: 6 });
  for (const link of readingLinks) flow.link(link, readings);
  const publishReadings = publish(flow, 'mqtt:readings', 'publish readings', { col: 3, row: 7 });
  const balance = flow.node(
    'balance',
    'flaregrid-balance',
    {
      name: 'site balance',
      configVersion: 1,
      site: env('FLAREGRID_SITE'),
      reserveKw: 20,
      reservePct: 5,
      staleAfterS: 5,
      maxSkewS: 30,
      imbalanceKw: 15,
      imbalancePct: 3,
      minIntervalS: 1,
      heartbeatS: 10,
      expectedMeters: SITE_METERS.map((m) => m.meterId).join(', '),
    },
    { col: 3, row: 6 },
    { label: 'site balance' },
  );
  flow.wire(readings, balance);
  flow.wire(readings, publishReadings);
  const publishBalance = publish(flow, 'mqtt:balance', 'publish balance', { col: 4, row: 7 });
  flow.wire(balance, publishBalance);

  // Dispatch hears the balance, the gensets' readings (which sets are online), every miner's telemetry, the
  // dashboard's parameter changes and the market's best bid; its targets go to the container of their miner.
  const gensets = flow.node(
    'switch:gensets',
    'switch',
    { name: 'gensets only', property: 'payload.role', propertyType: 'msg', rules: [{ t: 'eq', v: 'genset', vt: 'str' }], checkall: 'true', repair: false, outputs: 1 },
    { col: 3, row: 8 },
  );
  flow.wire(readings, gensets);
  const settings = flow.node('link:settings', 'link in', { name: 'dispatch settings', links: [] }, { col: 3.75, row: 4 });
  const bestBid = flow.node('link:best-bid', 'link in', { name: 'best bid from the market', links: [] }, { col: 3.75, row: 5 });
  const telemetry = flow.node('link:telemetry', 'link in', { name: 'miner telemetry' }, { col: 3.75, row: 10 });
  const dispatch = flow.node(
    'dispatch',
    'flaregrid-dispatch',
    {
      name: 'dispatch',
      configVersion: 0,
      site: env('FLAREGRID_SITE'),
      miners: '',
      priorityMode: 'efficiency',
      priorities: '',
      timerMode: 'decay',
      economicMode: false,
      ...Object.fromEntries(NUMERIC_PARAMS.map((p) => [p.key, p.default])),
      ...Object.fromEntries(Object.entries(DISPATCH_FROM_SITE).map(([key, name]) => [key, env(name)])),
      ...DISPATCH_OVERRIDES,
      gensetCount: GENSETS.length,
    },
    { col: 4.25, row: 6 },
    { outputs: 3 },
  );
  for (const source of [balance, gensets, settings, bestBid, telemetry]) flow.wire(source, dispatch);
  const toGroups = fn(flow, 'fn:groups', 'to its container', toGroupsCode(CONTAINERS), CONTAINERS, { col: 5.25, row: 5 }, Array.from({ length: CONTAINERS }, (_, i) => containerName(i + 1)));
  flow.wire(dispatch, toGroups, 0);
  const summaryOut = flow.node('link:summary', 'link out', { name: 'dispatch summary to dashboard', mode: 'link', links: [] }, { col: 5.5, row: 7 });
  const offersOut = flow.node('link:offers', 'link out', { name: 'surplus offers to the market', mode: 'link', links: [] }, { col: 5.5, row: 8 });
  flow.wire(dispatch, summaryOut, 1);
  flow.wire(dispatch, offersOut, 2);

  const access = minerAccess(flow);
  const containers: FlowNode[] = [];
  const telemetryLinks: FlowNode[] = [];
  for (let c = 1; c <= CONTAINERS; c++) {
    const row = 3 + (c - 1) * 2;
    const node = containerMinerNode(flow, c, access, { col: 6.5, row });
    const out = flow.node(`link:telemetry:${c}`, 'link out', { name: `container ${c} telemetry`, mode: 'link' }, { col: 7.25, row });
    flow.wire(toGroups, node, c - 1);
    flow.wire(node, out);
    flow.link(out, telemetry);
    containers.push(node);
    telemetryLinks.push(out);
  }
  const publishTelemetry = publish(flow, 'mqtt:telemetry', 'publish miner telemetry', { col: 4.25, row: 11 });
  flow.wire(telemetry, publishTelemetry);
  flow.group('group:control', 'Balance, dispatch and miners', [
    readings,
    publishReadings,
    balance,
    publishBalance,
    gensets,
    settings,
    bestBid,
    telemetry,
    dispatch,
    toGroups,
    summaryOut,
    offersOut,
    ...containers,
    ...telemetryLinks,
    publishTelemetry,
  ]);

  const operations = operationsGroup(flow, [...meters, balance, dispatch, ...containers], { col: 0, row: 14 });
  return { flow, operations, settings, bestBid, summaryOut, offersOut };
}
