// The one place where a site is described: the global environment of flows/00-site.json. Every reference flow
// reads these through ${NAME} in node properties, env.get() in function nodes and $env() in JSONata, so an
// integrator moving the flows to a real plant edits this list (Node-RED: Settings > Environment, or the global
// configuration node) and the addresses in the process environment (FLAREGRID_MODBUS_HOST, FLAREGRID_MQTT_URL,
// FLAREGRID_MINER_*, which npm start sets to the simulator's).
import { CONTAINERS, siteMiners } from '../site-fleet';
import { modbusTcpClientSettings, stableId, type FlowNode } from './kit';

export interface SiteVariable {
  name: string;
  value: string;
  type: 'str' | 'num' | 'bool' | 'json';
  /** what it is, with its unit and source, for docs/flows.md and the settings node's description */
  meaning: string;
}

/** Unit ids on the plant's Modbus gateway (sim/README.md): gensets 11…, prosumers 21…, bus meter 1, miner feeder 2. */
export const GENSETS = [1, 2].map((n) => ({ meterId: `genset-${n}`, unitVar: `FLAREGRID_GENSET_${n}_UNIT`, unit: 10 + n }));
export const PROSUMERS = [1, 2, 3, 4].map((n) => ({ meterId: `prosumer-${n}`, unitVar: `FLAREGRID_PROSUMER_${n}_UNIT`, unit: 20 + n }));

export const SITE_VARIABLES: readonly SiteVariable[] = [
  { name: 'FLAREGRID_SITE', value: 'site-1', type: 'str', meaning: 'site id: readings, balances and telemetry carry it, and their MQTT topics name it' },
  { name: 'FLAREGRID_MARKET', value: 'market-1', type: 'str', meaning: 'market id: orders, trades and the book travel on flaregrid/<market>/…' },
  { name: 'FLAREGRID_OPERATOR', value: 'operator', type: 'str', meaning: "the site operator's participant id on the market: it sells the gensets' energy" },
  { name: 'FLAREGRID_OPERATOR_ASK_SAT_PER_KWH', value: '70', type: 'num', meaning: "the operator's asking price at start, sat/kWh; the dashboard's Settings page changes it while it runs" },
  ...GENSETS.map((g) => ({ name: g.unitVar, value: String(g.unit), type: 'num' as const, meaning: `Modbus unit id of ${g.meterId}'s controller` })),
  { name: 'FLAREGRID_BUS_METER_UNIT', value: '1', type: 'num', meaning: 'Modbus unit id of the DC bus meter' },
  { name: 'FLAREGRID_MINER_FEEDER_UNIT', value: '2', type: 'num', meaning: "Modbus unit id of the miner containers' feeder meter" },
  ...PROSUMERS.map((p) => ({ name: p.unitVar, value: String(p.unit), type: 'num' as const, meaning: `Modbus unit id of ${p.meterId}'s meter (its supply contactor is coil 0)` })),
  {
    name: 'FLAREGRID_MINER_GROUPS',
    value: JSON.stringify(
      Object.fromEntries(Array.from({ length: CONTAINERS }, (_, i) => [`container ${i + 1}`, siteMiners().filter((m) => m.container === i + 1).map((m) => m.minerId)])),
    ),
    type: 'json',
    meaning: 'the miners of each group (container), as its flaregrid-miner node lists them: dispatch targets are routed by it, the dashboard sums by it',
  },
  { name: 'FLAREGRID_METER_POLL_S', value: '1', type: 'num', meaning: 'seconds between two reads of each meter' },
  { name: 'FLAREGRID_MINER_POLL_S', value: '5', type: 'num', meaning: 'seconds between two reads of each miner' },
  { name: 'FLAREGRID_GENSET_RATED_KW', value: '400', type: 'num', meaning: 'prime rating of one genset, kW (docs/domain.md: 2 × 400 kWe)' },
  { name: 'FLAREGRID_GENSET_MIN_LOAD_PCT', value: '30', type: 'num', meaning: 'hard minimum stable load of a genset, % of rating (Caterpillar)' },
  { name: 'FLAREGRID_GENSET_SOFT_MIN_PCT', value: '50', type: 'num', meaning: 'soft minimum load, % of rating: limited hours below it (Caterpillar)' },
  { name: 'FLAREGRID_BUS_NOMINAL_V', value: '380', type: 'num', meaning: 'DC bus nominal voltage, V' },
  { name: 'FLAREGRID_BUS_NORMAL_MIN_V', value: '370', type: 'num', meaning: 'lower edge of the normal bus band, V (EMerge / ETSI EN 300 132-3)' },
  { name: 'FLAREGRID_BUS_NORMAL_MAX_V', value: '390', type: 'num', meaning: 'upper edge of the normal bus band, V' },
  { name: 'FLAREGRID_BUS_EXCURSION_MIN_V', value: '361', type: 'num', meaning: 'below it the bus is in excursion (−5%), V' },
  { name: 'FLAREGRID_BUS_EXCURSION_MAX_V', value: '399', type: 'num', meaning: 'above it the bus is in excursion (+5%), V' },
  { name: 'FLAREGRID_GAS_HEATING_VALUE_BTU_PER_SCF', value: '1200', type: 'num', meaning: 'heating value of the associated gas, BTU/scf (docs/domain.md, rich gas)' },
  { name: 'FLAREGRID_GENSET_HEAT_RATE_BTU_PER_KWH', value: '10500', type: 'num', meaning: 'genset heat rate, BTU/kWh (docs/domain.md, about 33% electrical)' },
  { name: 'FLAREGRID_GAS_METHANE_FRACTION', value: '0.7', type: 'num', meaning: 'methane mole fraction of the gas (rich associated gas, 70 mol%)' },
  { name: 'FLAREGRID_FLARE_DESTRUCTION_EFFICIENCY', value: '0.91', type: 'num', meaning: "the flare's effective methane destruction (docs/domain.md: Plant et al., Science 2022)" },
  { name: 'FLAREGRID_GENSET_METHANE_DESTRUCTION', value: '0.999', type: 'num', meaning: "the gensets' methane destruction (docs/domain.md)" },
  { name: 'FLAREGRID_METHANE_GWP100', value: '29.8', type: 'num', meaning: 'methane global warming potential over 100 years (IPCC AR6, fossil)' },
  { name: 'FLAREGRID_CO2_KG_PER_MMBTU', value: '53.06', type: 'num', meaning: 'CO2 from burning the gas, kg per MMBtu (US EPA)' },
  { name: 'FLAREGRID_MARKET_SLOT_MIN', value: '15', type: 'num', meaning: "delivery slot length of the market, minutes (the matcher's and every participant's)" },
  { name: 'FLAREGRID_MARKET_GATE_CLOSURE_S', value: '300', type: 'num', meaning: "no order for a slot is taken this many seconds before it starts" },
  { name: 'FLAREGRID_MARKET_TICK_MSAT_PER_KWH', value: '1000', type: 'num', meaning: 'price grid of the market, msat/kWh (1 sat/kWh)' },
  { name: 'FLAREGRID_MARKET_PRICE_FLOOR_MSAT_PER_KWH', value: '0', type: 'num', meaning: 'lowest price the market takes, msat/kWh' },
  { name: 'FLAREGRID_MARKET_PRICE_CAP_MSAT_PER_KWH', value: '1000000', type: 'num', meaning: 'highest price the market takes, msat/kWh (1,000 sat/kWh)' },
  { name: 'FLAREGRID_HASHPRICE_SAT_PER_TH_DAY', value: '44', type: 'num', meaning: 'what a TH/s of hashrate earns in a day, sat (docs/domain.md: 40–60)' },
];

export const SITE_FILE = '00-site.json';

/** The config nodes every flow shares, kept in flows/00-site.json beside the site's environment. */
export const SHARED = {
  broker: stableId(SITE_FILE, 'mqtt-broker'),
  /**
   * A second connection for what the market publishes (trades, rejects, book): on the connection that takes the
   * orders in, the acknowledgements of what it sends would queue behind them (docs/market-nodes.md).
   */
  brokerOut: stableId(SITE_FILE, 'mqtt-broker-out'),
  modbus: stableId(SITE_FILE, 'modbus-client'),
};

/** What npm start puts in the process environment: where the plant's parts are (or a real site's). */
export const PROCESS_ENV = /^FLAREGRID_(MODBUS_|MQTT_|MINER_|MARKET_REGISTRY_FILE$|LND_)/;

/** The default of a site variable, for npm start's simulated side of the same site. */
export function siteDefault(name: string): string {
  const variable = SITE_VARIABLES.find((v) => v.name === name);
  if (!variable) throw new Error(`no site variable ${name}`);
  return variable.value;
}

/** `${NAME}` for a node property: Node-RED substitutes a property whose whole value is one variable. */
export function env(name: string): string {
  if (!SITE_VARIABLES.some((v) => v.name === name) && !PROCESS_ENV.test(name)) {
    throw new Error(`${name} is neither a site variable nor an address npm start sets`);
  }
  return `\${${name}}`;
}

/**
 * flows/00-site.json: the global configuration node with the site's environment, the MQTT broker and the plant's
 * Modbus gateway, whose addresses come from the process environment (npm start sets them to the simulator's).
 */
export function siteSettings(): FlowNode[] {
  return [
    {
      id: stableId(SITE_FILE, 'global-config'),
      type: 'global-config',
      name: 'FlareGrid site',
      env: SITE_VARIABLES.map(({ name, value, type }) => ({ name, value, type })),
    },
    broker(SHARED.broker, 'FlareGrid broker'),
    broker(SHARED.brokerOut, 'FlareGrid broker (market out)'),
    {
      id: SHARED.modbus,
      type: 'modbus-client',
      name: 'plant Modbus gateway',
      ...modbusTcpClientSettings(env('FLAREGRID_MODBUS_HOST'), env('FLAREGRID_MODBUS_PORT')),
    },
  ];
}

function broker(id: string, name: string): FlowNode {
  return {
    id,
    type: 'mqtt-broker',
    name,
    broker: env('FLAREGRID_MQTT_HOST'),
    port: env('FLAREGRID_MQTT_PORT'),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
    autoUnsubscribe: true,
    birthTopic: '',
    birthQos: '0',
    birthRetain: 'false',
    birthPayload: '',
    birthMsg: {},
    closeTopic: '',
    closeQos: '0',
    closeRetain: 'false',
    closePayload: '',
    closeMsg: {},
    willTopic: '',
    willQos: '0',
    willRetain: 'false',
    willPayload: '',
    willMsg: {},
    userProps: '',
    sessionExpiry: '',
  };
}
