// The JavaScript of the Plant page's function nodes. Figures come from the site's balance and its gensets'
// readings (MQTT), the site's constants from the global environment of flows/00-site.json.

/** Gas-limited capacity against generation, gas utilisation, the flare rate and the CO2e avoided against flaring. */
export const GAS_FIGURES = `// msg: a SiteBalance (topic .../balance) or a MeterReading (topic .../meters/<id>); only gensets count here.
const num = (name) => Number(env.get(name));
const state = context.get('gas') || { gensets: {}, avoidedKg: 0, sentMs: 0 };
const p = msg.payload || {};
const heatingValue = num('FLAREGRID_GAS_HEATING_VALUE_BTU_PER_SCF');
// kg CO2e per scf burned with a methane destruction d: the methane let through (mole fraction x 0.019186 kg/scf,
// 16.043 g/mol at 379.3 scf/lb-mol) at its GWP100, and the CO2 of the share that burns (53.06 kg/MMBtu).
const methaneKgPerScf = num('FLAREGRID_GAS_METHANE_FRACTION') * 0.019186;
const co2KgPerScf = (heatingValue / 1e6) * num('FLAREGRID_CO2_KG_PER_MMBTU');
const perScf = (d) => methaneKgPerScf * (1 - d) * num('FLAREGRID_METHANE_GWP100') + co2KgPerScf * d;
const avoidedKgPerScf = perScf(num('FLAREGRID_FLARE_DESTRUCTION_EFFICIENCY')) - perScf(num('FLAREGRID_GENSET_METHANE_DESTRUCTION'));

if (p.role === 'genset') {
    const before = state.gensets[p.meterId];
    const atMs = Date.parse(p.ts);
    // The gas burned since this genset's last reading, on the plant's clock; a gap of over a minute is not counted.
    if (before && atMs > before.atMs && atMs - before.atMs <= 60000) {
        state.avoidedKg += (before.fuelScfm * (atMs - before.atMs) / 60000) * avoidedKgPerScf;
    }
    state.gensets[p.meterId] = { atMs: atMs, fuelScfm: p.fuelScfm || 0 };
    context.set('gas', state);
    return null;
}
if (p.availableW === undefined) return null;
context.set('gas', state);
// At most one point every 5 s: a chart of 15 minutes then holds 180 points a series.
const now = Date.now();
if (now - state.sentMs < 5000) return null;
state.sentMs = now;

const kw = (w) => Math.round(w / 100) / 10;
const burnedScfm = Object.values(state.gensets).reduce((sum, g) => sum + g.fuelScfm, 0);
// The gas the site receives, from the gas-limited capacity: what the gensets could burn at their heat rate.
const suppliedScfm = (p.availableW / 1000) * num('FLAREGRID_GENSET_HEAT_RATE_BTU_PER_KWH') / heatingValue / 60;
const utilisationPct = suppliedScfm > 0 ? Math.min(100, (100 * burnedScfm) / suppliedScfm) : 0;
const flareMcfd = Math.max(0, suppliedScfm - burnedScfm) * 1440 / 1000;
const avoidedTPerDay = burnedScfm * 1440 * avoidedKgPerScf / 1000;
return [
    [
        { topic: 'gas-limited capacity', payload: kw(p.availableW) },
        { topic: 'generation', payload: kw(p.generationW) },
        { topic: 'firm demand', payload: kw(p.firmDemandW) },
        { topic: 'miners', payload: kw(p.minerW) }
    ],
    { payload: Math.round(utilisationPct * 10) / 10 },
    { topic: 'flare', payload: Math.round(flareMcfd * 10) / 10 },
    { payload: flareMcfd.toFixed(1) + ' Mcf/d (' + (flareMcfd * 1000 / 1440).toFixed(1) + ' scfm)' },
    { payload: (state.avoidedKg / 1000).toFixed(3) + ' t CO2e' },
    { payload: avoidedTPerDay.toFixed(2) + ' t CO2e/day' }
];`;

/** The bus voltage against its normal band and its excursion limits. */
export const BUS_FIGURES = `// msg: a SiteBalance; its busVoltageV comes from the bus meter.
const v = msg.payload && msg.payload.busVoltageV;
if (typeof v !== 'number') return null;
const now = Date.now();
const sentMs = context.get('sentMs') || 0;
const gauge = { payload: Math.round(v * 10) / 10 };
if (now - sentMs < 5000) return [gauge, null];
context.set('sentMs', now);
const band = (topic, name) => ({ topic: topic, payload: Number(env.get(name)) });
return [
    gauge,
    [
        { topic: 'bus', payload: Math.round(v * 10) / 10 },
        band('normal min', 'FLAREGRID_BUS_NORMAL_MIN_V'),
        band('normal max', 'FLAREGRID_BUS_NORMAL_MAX_V'),
        band('excursion min', 'FLAREGRID_BUS_EXCURSION_MIN_V'),
        band('excursion max', 'FLAREGRID_BUS_EXCURSION_MAX_V')
    ]
];`;

/** Each genset's load, % of its rating, against the hard and soft minimum. */
export const GENSET_LOAD = `// msg: a MeterReading; only gensets count here. Every genset's load is drawn after the two minimum lines,
// in the order of their ids, so that each series keeps its colour.
const p = msg.payload || {};
if (p.role !== 'genset') return null;
const ratedW = Number(env.get('FLAREGRID_GENSET_RATED_KW')) * 1000;
const state = context.get('gensets') || { loadPct: {}, sentMs: 0 };
state.loadPct[p.meterId] = Math.round((1000 * p.powerW) / ratedW) / 10;
const now = Date.now();
if (now - state.sentMs < 5000) {
    context.set('gensets', state);
    return null;
}
state.sentMs = now;
context.set('gensets', state);
const lines = [
    { topic: 'hard minimum', payload: Number(env.get('FLAREGRID_GENSET_MIN_LOAD_PCT')) },
    { topic: 'soft minimum', payload: Number(env.get('FLAREGRID_GENSET_SOFT_MIN_PCT')) }
];
Object.keys(state.loadPct).sort().forEach((id) => lines.push({ topic: id, payload: state.loadPct[id] }));
return [lines];`;
