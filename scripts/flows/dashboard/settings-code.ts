// The Settings page's sections and the JavaScript of its function nodes.
import { NUMERIC_PARAMS } from '../../../lib/control/dispatch';
import { DISPATCH_FROM_SITE } from '../control-code';

/** The dispatch node's dialog sections, with the parameters a plant engineer adjusts in each. */
export const SETTINGS_SECTIONS: readonly { key: string; params: readonly string[] }[] = [
  { key: 'reserve', params: ['reserveKw', 'deficitImmediateKw', 'hysteresisKw'] },
  { key: 'timing', params: ['cycleS', 'enableDelayS', 'disableDelayS', 'rampUpKwPerS', 'maxStepKw', 'stepIntervalS'] },
  { key: 'miners', params: ['minOnS', 'minOffS', 'minerMinPct', 'minerMaxKw', 'minerStepW', 'confirmTimeoutS'] },
  { key: 'gensets', params: ['gensetRatingKw', 'gensetCount', 'gensetMinLoadPct', 'gensetSoftMinPct', 'gensetMaxLoadPct'] },
  { key: 'failsafe', params: ['staleAfterS', 'failSafePct', 'busMinV', 'busMaxV'] },
  { key: 'economics', params: ['hashpriceSatPerThDay'] },
  { key: 'fleet', params: [] },
];

// Every threshold is on the page but the market bid, which the market flow sets from the book.
const shown = new Set(SETTINGS_SECTIONS.flatMap((s) => s.params));
const missing = NUMERIC_PARAMS.filter((p) => p.key !== 'marketPriceMsatPerKwh' && !shown.has(p.key)).map((p) => p.key);
if (missing.length > 0) throw new Error(`dispatch parameters missing from the Settings page: ${missing.join(', ')}`);

/**
 * The starting values of a section's inputs: dispatch's defaults, or the site settings the site control flow gives
 * dispatch. The fleet section's dropdowns and the economics switch start at dispatch's dialog values.
 */
export function sectionStartCode(params: readonly { key: string; value: number }[], section: string): string {
  const values = params.map(({ key, value }) => (key in DISPATCH_FROM_SITE ? `Number(env.get('${DISPATCH_FROM_SITE[key]}'))` : JSON.stringify(value)));
  if (section === 'economics') values.push('false');
  if (section === 'fleet') values.push("'efficiency'", "'decay'");
  return `// The values dispatch starts with, shown in the inputs (which do not send them on).
return [${values.map((v) => `{ payload: ${v} }`).join(', ')}];`;
}

/** The operator's ask: shown at start, set from the input within the market's floor and cap, refused outside. */
export function askCode(key: string): string {
  return `// msg: the input's value (sat/kWh), or the start. Out: the ask in force, and a notice.
const floor = Number(env.get('FLAREGRID_MARKET_PRICE_FLOOR_MSAT_PER_KWH'));
const cap = Number(env.get('FLAREGRID_MARKET_PRICE_CAP_MSAT_PER_KWH'));
const tick = Number(env.get('FLAREGRID_MARKET_TICK_MSAT_PER_KWH'));
const shown = () => ({ payload: (global.get('${key}') / 1000) + ' sat/kWh' });
if (msg.topic !== 'ask') return [shown(), null];
const msat = Math.round(Number(msg.payload) * 1000);
if (!Number.isFinite(msat) || msat < floor || msat > cap || (msat - floor) % tick !== 0) {
    const refused = "the ask must be a number from " + floor / 1000 + " to " + cap / 1000 + " sat/kWh on the market's " + tick / 1000 + ' sat/kWh grid, not ' + msg.payload;
    return [shown(), { payload: refused }];
}
global.set('${key}', msat);
return [shown(), { payload: "the operator's ask is " + msat / 1000 + ' sat/kWh from its next offer' }];`;
}

/** What dispatch decided last: its mode, the miners' budget, the reserve it holds free, the targets and why. */
export function dispatchNowCode(): string {
  return `// msg: dispatch's summary of a decision. Out: five texts, at most once a second.
const d = msg.payload || {};
const now = Date.now();
if (now - (context.get('sentMs') || 0) < 1000) return null;
context.set('sentMs', now);
const kw = (w) => (Math.round(w / 100) / 10).toFixed(1) + ' kW';
return [
    { payload: d.mode + (d.economic ? ' (economic)' : '') },
    { payload: kw(d.budgetW) },
    { payload: kw(d.reserveHeldW) },
    { payload: kw(d.totalTargetW) + ' for ' + d.minersOn + ' miners' },
    { payload: (d.reasons || []).join(' ') || 'nothing to change' }
];`;
}

/** The last value dispatch refused, with its reason, from the errors the control flows report. */
export function lastRefusalCode(): string {
  return `// msg: an error from a control flow's operations group. Out: dispatch's refusals only.
const e = msg.payload || {};
if (e.node !== 'dispatch') return null;
return { payload: e.message };`;
}
