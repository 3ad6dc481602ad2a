// The examples of examples/ (Import > Examples > @flaregrid/node-red-microgrid): one small flow per node, each
// read left to right in groups, with a comment that says what it shows and what to change for real equipment.
import { Flow, modbusTcpClientSettings, note, type FlowNode } from './kit';
import { flexGetter, meterNode, type MeterSpec } from './meters';

export interface Example {
  path: string;
  flow: Flow;
  /** false: the nodes go onto the tab the user imports them into (as Node-RED's own examples do) */
  ownTab: boolean;
}

function debug(flow: Flow, key: string, name: string, at: { col: number; row: number; dy?: number }, options: { status?: string; complete?: string; active?: boolean } = {}): FlowNode {
  return flow.node(
    key,
    'debug',
    {
      name,
      active: options.active ?? true,
      tosidebar: true,
      console: false,
      tostatus: options.status !== undefined,
      complete: options.complete ?? 'payload',
      targetType: 'msg',
      statusVal: options.status ?? '',
      statusType: options.status === undefined ? 'auto' : 'msg',
    },
    at,
  );
}

/**
 * The comment that explains an example dropped onto the user's tab: its first node, above every group and in
 * none. The editor hangs such an import on the pointer at a point between its first node and the top left corner
 * of all it holds (that corner when the pointer was never over the workspace or last left it near an edge), and
 * a click that lands on a group there ends the drag without marking the flows changed: Deploy stays off.
 */
function droppedExampleNote(flow: Flow, name: string, info: string): FlowNode {
  return flow.node('about', 'comment', { name, info }, { col: 0, row: 0 });
}

function catchNode(flow: Flow, key: string, name: string, scope: FlowNode[] | null, at: { col: number; row: number }): FlowNode {
  return flow.node(key, 'catch', { name, scope: scope === null ? null : scope.map((n) => n.id), uncaught: false }, at);
}

const METER_ABOUT = note(
  'Four meters on the simulator\'s Modbus TCP gateway, one unit id each:',
  '',
  '- unit 11: genset 1\'s controller, profile **FG-GC1**',
  '- unit 1: the DC bus meter, found by **SunSpec discovery**',
  '- unit 21: prosumer 1\'s meter, profile **FG-PM1**',
  '- unit 2: the miner container\'s **Eastron SDM630**',
  '',
  'Each debug node shows its meter\'s power under it; click the button of a debug node to see that meter\'s whole',
  'readings in the Debug sidebar.',
  '',
  'Each meter sends its read requests from its second output through a link to one shared `modbus-flex-getter`, whose',
  'answers go to every meter; a meter keeps the answers for its own unit id. *Empty message on fail* is on in the',
  'getter, so failed reads reach the meters.',
  '',
  'The `modbus-client` takes its host and port from the environment variables `FLAREGRID_MODBUS_HOST` and',
  '`FLAREGRID_MODBUS_PORT`, which `npm start` sets to the simulator. For a real meter, put its address there, pick',
  'its profile and unit id.',
);

const EXAMPLE_METERS: MeterSpec[] = [
  { meterId: 'genset-1', role: 'genset', profile: 'flaregrid-gc1', unit: 11 },
  { meterId: 'bus-main', role: 'bus', profile: 'sunspec-meter', unit: 1 },
  { meterId: 'prosumer-1', role: 'prosumer', profile: 'flaregrid-pm1', unit: 21 },
  { meterId: 'miners', role: 'miner', profile: 'eastron-sdm630', unit: 2 },
];

/** An example's own Modbus client: its address from the environment npm start sets. */
export function exampleModbusClient(flow: Flow): FlowNode {
  return flow.config('modbus-client', 'modbus-client', {
    name: 'plant Modbus gateway',
    ...modbusTcpClientSettings('${FLAREGRID_MODBUS_HOST}', '${FLAREGRID_MODBUS_PORT}'),
  });
}

export function meterExample(): Example {
  const path = "examples/flaregrid-meter/Read the simulator's meters.json";
  const flow = new Flow(path, { label: 'Meters', info: '' });
  droppedExampleNote(flow, "Read the simulator's meters (start it with npm start)", METER_ABOUT);
  const client = exampleModbusClient(flow);
  const polls = flow.node('link:polls', 'link in', { name: 'Modbus polls' }, { col: 0, row: (3.5 * 4) / 3 });
  const getter = flexGetter(flow, 'getter', { col: 0.25, row: (3.5 * 4) / 3 }, client.id);
  flow.wire(polls, getter);
  const members: FlowNode[] = [polls, getter];
  const meters: FlowNode[] = [];
  EXAMPLE_METERS.forEach((m, i) => {
    const row = ((i + 2) * 4) / 3;
    const meter = meterNode(flow, m, { col: 1, row }, { site: 'site-1', pollIntervalS: 1 });
    const poll = flow.node(`link:poll:${m.meterId}`, 'link out', { name: `${m.meterId} poll`, mode: 'link' }, { col: 1.75, row, dy: 0.33 });
    const shown = debug(flow, `debug:${m.meterId}`, `${m.meterId} reading`, { col: 2, row, dy: -0.33 }, { status: 'payload.powerW', active: false });
    flow.wire(getter, meter);
    flow.wire(meter, shown, 0);
    flow.wire(meter, poll, 1);
    flow.link(poll, polls);
    meters.push(meter);
    members.push(meter, poll, shown);
  });
  flow.group('group:meters', 'Four meters, one shared getter', members);
  const caught = catchNode(flow, 'catch', 'meter errors', meters, { col: 0, row: 8.5 });
  const shown = debug(flow, 'debug:errors', 'meter errors', { col: 1, row: 8.5 }, { complete: 'error' });
  flow.wire(caught, shown);
  flow.group('group:errors', 'Errors', [caught, shown]);
  return { path, flow, ownTab: false };
}

const BALANCE_ABOUT = note(
  'Five inject nodes stand in for flaregrid-meter nodes and send a hand-written MeterReading every 2 s (timestamps',
  'from $now(), so the readings stay fresh).',
  '',
  'Sign convention: powerW is positive into the DC bus, negative out of it.',
  '',
  '- genset-1 makes 250 kW; the gas could carry 320 kW (availablePowerW)',
  '- bus-1 measures the feeder (250 kW at 381.2 V); it gives the bus voltage and stays out of the sums',
  '- prosumer-a draws 42 kW, prosumer-b exports 6 kW',
  '- miners-feeder draws 213.5 kW',
  '',
  'Expected balance: firmDemandW 36 000, minerW 213 500, reserveW max(20 kW, 5% of 320 kW) = 20 000, surplusW',
  '320 000 - 36 000 - 20 000 = 264 000, imbalanceW 500 (within tolerance), quality good.',
  '',
  'Disable the genset inject and deploy: after 5 s the balance turns stale (red status) and names genset-1. Errors',
  '(a payload that is not a MeterReading) reach the catch node. With real meters, wire each flaregrid-meter\'s first',
  'output where an inject is (see the reference flow flows/10-site-control.json).',
);

const HAND_WRITTEN: { meterId: string; role: string; fields: string }[] = [
  { meterId: 'genset-1', role: 'genset', fields: '"powerW": 250000, "availablePowerW": 320000, "voltageV": 382' },
  { meterId: 'bus-1', role: 'bus', fields: '"powerW": 250000, "voltageV": 381.2' },
  { meterId: 'prosumer-a', role: 'prosumer', fields: '"powerW": -42000' },
  { meterId: 'prosumer-b', role: 'prosumer', fields: '"powerW": 6000' },
  { meterId: 'miners-feeder', role: 'miner', fields: '"powerW": -213500' },
];

export function balanceExample(): Example {
  const path = 'examples/flaregrid-balance/Site power balance.json';
  const flow = new Flow(path, { label: 'Site power balance', info: '' });
  const about = flow.node('about', 'comment', { name: 'Site power balance from five meters', info: BALANCE_ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this example', [about]);
  const injects = HAND_WRITTEN.map((m, i) =>
    flow.node(
      `inject:${m.meterId}`,
      'inject',
      {
        name: m.meterId,
        props: [{ p: 'payload' }],
        repeat: '2',
        crontab: '',
        once: true,
        onceDelay: '0.5',
        topic: '',
        payload: `{"site": "well-7", "meterId": "${m.meterId}", "role": "${m.role}", "ts": $now(), ${m.fields}, "energyInWh": 0, "energyOutWh": 0, "quality": "good"}`,
        payloadType: 'jsonata',
      },
      { col: 0, row: 2 + i * (2 / 3) },
    ),
  );
  flow.group('group:readings', 'Hand-written MeterReadings', injects);
  const balance = flow.node(
    'balance',
    'flaregrid-balance',
    {
      name: '',
      configVersion: 1,
      site: 'well-7',
      reserveKw: 20,
      reservePct: 5,
      staleAfterS: 5,
      maxSkewS: 30,
      imbalanceKw: 2,
      imbalancePct: 3,
      minIntervalS: 1,
      heartbeatS: 10,
      expectedMeters: HAND_WRITTEN.map((m) => m.meterId).join(', '),
    },
    { col: 1.25, row: 2 + 4 / 3 },
    { label: 'site balance well-7' },
  );
  for (const inject of injects) flow.wire(inject, balance);
  const shown = debug(flow, 'debug:balance', 'SiteBalance', { col: 2.25, row: 2 + 4 / 3 });
  flow.wire(balance, shown);
  flow.group('group:balance', 'Balance', [balance, shown]);
  const caught = catchNode(flow, 'catch', 'bad readings', [balance], { col: 1.25, row: 6 });
  const why = debug(flow, 'debug:error', 'error', { col: 2.25, row: 6 }, { complete: 'error' });
  flow.wire(caught, why);
  flow.group('group:errors', 'Errors', [caught, why]);
  return { path, flow, ownTab: true };
}

const MINER_ABOUT = note(
  "Three miners on the simulator (npm start runs them): miner-1 on LuxOS, miner-2 on Braiins OS, miner-3 on stock",
  'Antminer firmware (read only). The flaregrid-miner node reads each one every 5 s and sends a MinerTelemetry per',
  'miner; the buttons send PowerTargets (a change node stamps their time), or a shed that sleeps every miner at once.',
  '',
  'The hosts and ports come from FLAREGRID_MINER_HOST and FLAREGRID_MINER_<n>_PORT (FLAREGRID_MINER_2_REST_PORT for',
  "Braiins OS's REST API), which npm start sets to the simulated miners. For real miners put their addresses there",
  "(4028 and 80 on a real miner) and, for Braiins OS, its login in the access node's credentials. Under npm start",
  "the reference flow's container 1 drives these miners too: disable the Site control flow to drive them from here.",
  '',
  "A target for miner-3 is refused (its firmware takes no power command), as is 700 W for any miner (below its",
  '1,400 W floor): a Catch node shows both.',
);

const BUTTONS: { name: string; payload: string }[] = [
  { name: 'miner-1 to 2 kW', payload: '{"minerId": "miner-1", "targetW": 2000, "reason": "operator", "ts": "1970-01-01T00:00:00Z"}' },
  { name: 'miner-2 asleep', payload: '{"minerId": "miner-2", "targetW": 0, "reason": "operator", "ts": "1970-01-01T00:00:00Z"}' },
  {
    name: 'all to full power',
    payload:
      '[{"minerId": "miner-1", "targetW": 3500, "reason": "operator", "ts": "1970-01-01T00:00:00Z"}, {"minerId": "miner-2", "targetW": 3500, "reason": "operator", "ts": "1970-01-01T00:00:00Z"}]',
  },
  { name: 'miner-1 to 700 W (refused)', payload: '{"minerId": "miner-1", "targetW": 700, "reason": "operator", "ts": "1970-01-01T00:00:00Z"}' },
];

function button(flow: Flow, key: string, name: string, payload: string, at: { col: number; row: number }): FlowNode {
  return flow.node(key, 'inject', { name, props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload, payloadType: 'json' }, at);
}

export function minerExample(): Example {
  const path = "examples/flaregrid-miner/Drive the simulator's miners.json";
  const flow = new Flow(path, { label: 'Miners', info: '' });
  droppedExampleNote(flow, "Drive the simulator's miners (start it with npm start)", MINER_ABOUT);
  const targets = BUTTONS.map((b, i) => button(flow, `inject:${i}`, b.name, b.payload, { col: 0, row: 2 + i * (2 / 3) }));
  const stamp = flow.node(
    'stamp',
    'change',
    {
      name: 'stamp ts',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: "$type(payload) = 'array' ? payload.$merge([$, {'ts': $now()}]) : $merge([payload, {'ts': $now()}])", tot: 'jsonata' }],
      action: '',
      property: '',
      from: '',
      to: '',
      reg: false,
    },
    { col: 1.25, row: 3 },
  );
  for (const t of targets) flow.wire(t, stamp);
  const shed = button(flow, 'inject:shed', 'shed all now', '{"shed":true,"reason":"operator"}', { col: 0, row: 2 + 4 * (2 / 3) });
  flow.group('group:buttons', 'Power targets and a shed', [...targets, stamp, shed]);
  const access = flow.config('access', 'flaregrid-miner-api', { name: 'simulated miners', dialect: 'auto', apiPort: 4028, restPort: 80, commandTimeoutS: 5, breakerFailures: 3 });
  const miners = flow.node(
    'miners',
    'flaregrid-miner',
    {
      name: '',
      configVersion: 0,
      site: 'site-1',
      access: access.id,
      miners: [
        { minerId: 'miner-1', host: '${FLAREGRID_MINER_HOST}', apiPort: '${FLAREGRID_MINER_1_PORT}', restPort: '', dialect: 'luxos' },
        { minerId: 'miner-2', host: '${FLAREGRID_MINER_HOST}', apiPort: '${FLAREGRID_MINER_2_PORT}', restPort: '${FLAREGRID_MINER_2_REST_PORT}', dialect: 'braiins' },
        { minerId: 'miner-3', host: '${FLAREGRID_MINER_HOST}', apiPort: '${FLAREGRID_MINER_3_PORT}', restPort: '', dialect: 'bmminer' },
      ],
      pollIntervalS: 5,
      confirmTimeoutS: 120,
      ratedPowerW: 3500,
    },
    { col: 2.5, row: 3.5 },
    { label: '3 miners' },
  );
  flow.wire(stamp, miners);
  flow.wire(shed, miners);
  const telemetry = debug(flow, 'debug:telemetry', 'MinerTelemetry', { col: 3.25, row: 3.5 });
  flow.wire(miners, telemetry);
  flow.group('group:miners', 'Three miners', [miners, telemetry]);
  const caught = catchNode(flow, 'catch', 'refused targets', [miners], { col: 2.5, row: 6 });
  const why = debug(flow, 'debug:why', 'why', { col: 3.5, row: 6 }, { complete: 'error.message' });
  flow.wire(caught, why);
  flow.group('group:errors', 'Errors', [caught, why]);
  return { path, flow, ownTab: false };
}

export function examples(): Example[] {
  return [meterExample(), balanceExample(), minerExample()];
}
