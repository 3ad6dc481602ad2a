// The plant's meters as one group of a flow: one flaregrid-meter per device on the Modbus gateway, sharing one
// modbus-flex-getter. Each meter's read requests leave by a link out and come back through the getter, so the
// poll loop is drawn without a wire running backwards; its readings leave by a second link out.
import { Flow, note, type FlowNode } from './kit';
import { GENSETS, PROSUMERS, SHARED, env } from './site';

export interface MeterSpec {
  meterId: string;
  role: 'genset' | 'bus' | 'prosumer' | 'miner';
  profile: string;
  /** the site variable holding its unit id, or the unit id itself (an example's) */
  unit: string | number;
}

/** Every device of the reference site (sim/README.md), in the order they are drawn. */
export const SITE_METERS: readonly MeterSpec[] = [
  ...GENSETS.map((g) => ({ meterId: g.meterId, role: 'genset' as const, profile: 'flaregrid-gc1', unit: g.unitVar })),
  { meterId: 'bus-main', role: 'bus', profile: 'flaregrid-bm1', unit: 'FLAREGRID_BUS_METER_UNIT' },
  ...PROSUMERS.map((p) => ({ meterId: p.meterId, role: 'prosumer' as const, profile: 'flaregrid-pm1', unit: p.unitVar })),
  { meterId: 'miners', role: 'miner', profile: 'eastron-sdm630', unit: 'FLAREGRID_MINER_FEEDER_UNIT' },
];

/** The reference flows' site and poll period come from the site's environment; an example gives its own. */
export function meterNode(
  flow: Flow,
  m: MeterSpec,
  at: { col: number; row: number },
  site: { site: string | number; pollIntervalS: string | number } = { site: env('FLAREGRID_SITE'), pollIntervalS: env('FLAREGRID_METER_POLL_S') },
): FlowNode {
  return flow.node(
    `meter:${m.meterId}`,
    'flaregrid-meter',
    {
      // Named by its meter id, so that its errors and status say which meter they are about.
      name: m.meterId,
      configVersion: 1,
      site: site.site,
      meterId: m.meterId,
      role: m.role,
      profile: m.profile,
      customProfile: '',
      unitId: typeof m.unit === 'number' ? m.unit : env(m.unit),
      pollIntervalS: site.pollIntervalS,
      staleAfterS: 5,
      invert: false,
      maxRegistersPerRead: 125,
      contextStore: '',
    },
    at,
    { label: m.meterId, outputs: 2 },
  );
}

export function flexGetter(flow: Flow, key: string, at: { col: number; row: number }, server = SHARED.modbus): FlowNode {
  return flow.node(
    key,
    'modbus-flex-getter',
    {
      name: 'read registers',
      showStatusActivities: false,
      showErrors: false,
      showWarnings: true,
      logIOActivities: false,
      server,
      useIOFile: false,
      ioFile: '',
      useIOForPayload: false,
      // Failed reads reach the meters as such, so they can mark their readings bad.
      emptyMsgOnFail: true,
      keepMsgProperties: false,
      delayOnStart: false,
      startDelayTime: '',
    },
    at,
    { outputs: 2 },
  );
}

export interface MeterGroup {
  group: FlowNode;
  meters: FlowNode[];
  /** the link outs that carry each meter's readings */
  readingLinks: FlowNode[];
}

/** The meters of `specs` in rows from `top`, with their getter and poll loop, framed as one group. */
export function meterGroup(flow: Flow, specs: readonly MeterSpec[], origin: { col: number; row: number }, title: string): MeterGroup {
  // Rows of 80 px: room for the two link outs beside each meter.
  const rowOf = (i: number) => origin.row + (i * 4) / 3;
  const middle = rowOf((specs.length - 1) / 2);
  const polls = flow.node('link:polls', 'link in', { name: 'Modbus polls' }, { col: origin.col, row: middle });
  const getter = flexGetter(flow, 'getter', { col: origin.col + 0.25, row: middle });
  flow.wire(polls, getter);
  const meters: FlowNode[] = [];
  const readingLinks: FlowNode[] = [];
  const members: FlowNode[] = [polls, getter];
  specs.forEach((spec, i) => {
    const row = rowOf(i);
    const meter = meterNode(flow, spec, { col: origin.col + 1.25, row });
    flow.wire(getter, meter);
    const reading = flow.node(`link:reading:${spec.meterId}`, 'link out', { name: `${spec.meterId} reading`, mode: 'link' }, { col: origin.col + 2, row, dy: -0.2 });
    const poll = flow.node(`link:poll:${spec.meterId}`, 'link out', { name: `${spec.meterId} poll`, mode: 'link' }, { col: origin.col + 2, row, dy: 0.2 });
    flow.wire(meter, reading, 0);
    flow.wire(meter, poll, 1);
    flow.link(poll, polls);
    meters.push(meter);
    readingLinks.push(reading);
    members.push(meter, reading, poll);
  });
  return { group: flow.group('group:meters', title, members), meters, readingLinks };
}

export const METER_NOTE = note(
  'Each meter polls its device every FLAREGRID_METER_POLL_S seconds: its second output is a Modbus read request,',
  'which a link carries to the shared `modbus-flex-getter`; the answers come back to every meter, and each keeps',
  'the answers for its own unit id. The getter has *Empty message on fail* on, so failed reads reach the meters.',
);
