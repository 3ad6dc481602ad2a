// The JavaScript of the Miners page's function node: the fleet from each miner's telemetry and the site balance,
// grouped by FLAREGRID_MINER_GROUPS, with the sats each miner has earned at FLAREGRID_HASHPRICE_SAT_PER_TH_DAY.

export const FLEET_FIGURES = `// msg: a MinerTelemetry (topic .../miners/<id>/telemetry), a SiteBalance (.../balance), or the 5 s tick.
const fleet = context.get('fleet') || { miners: {}, balance: null };
const p = msg.payload || {};
if (typeof p.minerId === 'string') {
    const before = fleet.miners[p.minerId];
    const atMs = Date.parse(p.ts);
    let sats = before ? before.sats : 0;
    // Earned since the last telemetry at the hashrate then, on the plant's clock; gaps over 5 minutes do not count.
    if (before && atMs > before.atMs && atMs - before.atMs <= 300000) {
        sats += before.hashrateThs * Number(env.get('FLAREGRID_HASHPRICE_SAT_PER_TH_DAY')) * (atMs - before.atMs) / 86400000;
    }
    fleet.miners[p.minerId] = {
        atMs: atMs, state: p.state, powerW: p.powerW || 0, targetW: p.targetW || 0,
        hashrateThs: p.hashrateThs || 0, temperatureC: p.temperatureC, sats: sats
    };
    context.set('fleet', fleet);
    return null;
}
if (typeof p.surplusW === 'number') {
    fleet.balance = { surplusW: p.surplusW, minerW: p.minerW };
    context.set('fleet', fleet);
    return null;
}
if (msg.topic !== 'tick') return null;

const groups = env.get('FLAREGRID_MINER_GROUPS') || {};
const groupOf = {};
Object.keys(groups).forEach((name) => groups[name].forEach((id) => { groupOf[id] = name; }));
const kw = (w) => Math.round(w / 100) / 10;
const ids = Object.keys(fleet.miners).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const perGroup = {};
const states = {};
let hashrateThs = 0;
let sats = 0;
let targetW = 0;
const rows = ids.map((id) => {
    const m = fleet.miners[id];
    const group = groupOf[id] || 'ungrouped';
    const g = perGroup[group] || (perGroup[group] = { powerW: 0, targetW: 0 });
    g.powerW += m.powerW;
    g.targetW += m.targetW;
    states[m.state] = (states[m.state] || 0) + 1;
    hashrateThs += m.hashrateThs;
    sats += m.sats;
    targetW += m.targetW;
    return {
        miner: id, group: group, state: m.state, power: kw(m.powerW) + ' kW', target: kw(m.targetW) + ' kW',
        hashrate: Math.round(m.hashrateThs) + ' TH/s',
        temperature: m.temperatureC === undefined ? '' : Math.round(m.temperatureC) + ' °C',
        sats: Math.floor(m.sats).toLocaleString('en-US')
    };
});
// The bar chart, whole: target and actual of each group.
const bars = [];
Object.keys(perGroup).sort().forEach((name) => {
    bars.push({ series: 'target', x: name, y: kw(perGroup[name].targetW) });
    bars.push({ series: 'actual', x: name, y: kw(perGroup[name].powerW) });
});
const surplus = fleet.balance
    ? [
        { topic: 'miners may take', payload: kw(Math.max(0, fleet.balance.minerW + fleet.balance.surplusW)) },
        { topic: 'miners draw', payload: kw(fleet.balance.minerW) },
        { topic: 'targets', payload: kw(targetW) }
    ]
    : null;
const hashing = states.hashing || 0;
return [
    { payload: bars },
    surplus,
    { payload: rows },
    { payload: (hashrateThs / 1000).toFixed(2) + ' PH/s' },
    { payload: hashing + ' of ' + ids.length + ' hashing' + Object.keys(states).filter((s) => s !== 'hashing').map((s) => ', ' + states[s] + ' ' + s).join('') },
    { payload: Math.floor(sats).toLocaleString('en-US') + ' sat' }
];`;
