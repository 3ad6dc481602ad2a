// The JavaScript of the market flow's function nodes.

/**
 * Once per delivery slot, on the plant's clock (the readings' ts): the operator offers what the prosumers draw
 * now, 20% over, for the next slot, so that every prosumer's bid can be filled at the ask.
 */
export const FIRM_SUPPLY = `// msg: a MeterReading. Out: an order's quantity for flaregrid-offer ("the next slot"), once per slot.
const r = msg.payload || {};
if (r.role !== 'prosumer' || typeof r.powerW !== 'number' || typeof r.ts !== 'string') return null;
const draws = context.get('draws') || {};
draws[r.meterId] = Math.max(0, -r.powerW);
context.set('draws', draws);
const slotMs = Number(env.get('FLAREGRID_MARKET_SLOT_MIN')) * 60000;
const slot = Math.floor(Date.parse(r.ts) / slotMs);
if (context.get('slot') === slot) return null;
context.set('slot', slot);
const drawW = Object.keys(draws).reduce((sum, id) => sum + draws[id], 0);
const quantityWh = Math.round(drawW * 1.2 * slotMs / 3600000);
if (quantityWh < 1) return null;
return { payload: { quantityWh: quantityWh } };`;

/**
 * Economic mode: dispatch offers the power its miners take when a buyer pays more than mining earns. Sold once per
 * slot, at what mining earns (the floor), for the energy of the offered power over a slot.
 */
export const SURPLUS_OFFER = `// msg: dispatch's SurplusOffer {offerW, floorPriceMsatPerKwh, ts}. Out: a sell order's quantity and price.
const o = msg.payload || {};
if (typeof o.offerW !== 'number' || typeof o.floorPriceMsatPerKwh !== 'number' || typeof o.ts !== 'string') return null;
const slotMs = Number(env.get('FLAREGRID_MARKET_SLOT_MIN')) * 60000;
const slot = Math.floor(Date.parse(o.ts) / slotMs);
if (context.get('slot') === slot) return null;
context.set('slot', slot);
const tick = Number(env.get('FLAREGRID_MARKET_TICK_MSAT_PER_KWH'));
const quantityWh = Math.round(o.offerW * slotMs / 3600000);
if (quantityWh < 1) return null;
return { payload: { quantityWh: quantityWh, priceMsatPerKwh: Math.ceil(o.floorPriceMsatPerKwh / tick) * tick } };`;

/** The best bid of the book, for dispatch's marketPriceMsatPerKwh: sent when it changes. */
export const BEST_BID = `// msg: the matcher's BookSnapshot. Out: the best bid over every open slot, as a dispatch parameter change.
const slots = (msg.payload && msg.payload.slots) || [];
let best = 0;
slots.forEach((s) => (s.bids || []).forEach((level) => { best = Math.max(best, level.priceMsatPerKwh); }));
if (context.get('best') === best) return null;
context.set('best', best);
return { topic: 'params', payload: { marketPriceMsatPerKwh: best } };`;

/** The operator's asking price at start: from the site settings, unless the dashboard has set one. */
export const START_ASK = `// Sets the operator's ask (global context, the offer node's price) from FLAREGRID_OPERATOR_ASK_SAT_PER_KWH when
// nothing (the dashboard's Settings page) has set it yet; a persistent context store keeps the dashboard's value.
const key = 'flaregrid_operator_ask_msat_per_kwh';
if (typeof global.get(key) !== 'number') global.set(key, Number(env.get('FLAREGRID_OPERATOR_ASK_SAT_PER_KWH')) * 1000);
return null;`;
