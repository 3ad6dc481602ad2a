// The JavaScript of the settlement flow's function nodes.

/**
 * A gate's CutOff or Restore to the buyer's supply contactor: coil 0 of the buyer's prosumer meter (sim/README.md,
 * FG-PM1), written with FC 05 by a modbus-flex-write. The buyer's meter is its participant id; its unit id is the
 * site setting FLAREGRID_<METER>_UNIT.
 */
export const CONTACTOR = `// msg: a CutOff or Restore (type cutoff | restore, participant). Out: a Modbus write of the buyer's coil 0.
const c = msg.payload || {};
if (c.type !== 'cutoff' && c.type !== 'restore') return null;
const unitVar = 'FLAREGRID_' + String(c.participant).toUpperCase().replace(/[^A-Z0-9]/g, '_') + '_UNIT';
const unit = Number(env.get(unitVar));
if (!Number.isInteger(unit)) {
    node.error('no Modbus unit for ' + c.participant + ' (site setting ' + unitVar + ')', msg);
    return null;
}
node.status({ fill: c.type === 'cutoff' ? 'red' : 'green', shape: 'dot', text: c.participant + ' ' + (c.type === 'cutoff' ? 'cut off' : 'restored') });
return { topic: c.participant, cutoff: c, payload: { value: c.type === 'restore', fc: 5, unitid: unit, address: 0, quantity: 1 } };`;

/**
 * Sends each trade to its buyer's stream and its seller's gate, and each prosumer meter's reading to that
 * prosumer's stream and to every gate: outputs 1 … B are the buyers' streams, then one per seller's gate.
 */
export function routeCode(buyers: readonly string[], sellers: readonly string[]): string {
  return `// msg: a Trade (topic .../trades) or a prosumer's MeterReading. Out: one output per stream, then per gate.
const buyers = ${JSON.stringify(buyers)};
const sellers = ${JSON.stringify(sellers)};
const out = new Array(buyers.length + sellers.length).fill(null);
const p = msg.payload || {};
const copy = () => RED.util.cloneMessage(msg);
if (p.type === 'trade') {
    const b = buyers.indexOf(p.buyer);
    const s = sellers.indexOf(p.seller);
    if (b >= 0) out[b] = copy();
    if (s >= 0) out[buyers.length + s] = copy();
    return out;
}
const b = buyers.indexOf(p.meterId);
if (b < 0) return null;
out[b] = copy();
// A seller's gate counts what its buyers draw, never its own meter.
sellers.forEach((seller, s) => { if (seller !== p.meterId) out[buyers.length + s] = copy(); });
return out;`;
}
