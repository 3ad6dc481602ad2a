// The most welfare a set of orders can realise across zones, and the flows that realise it: a max-profit flow
// on a small network, solved by successive shortest paths (Bellman-Ford, since arc costs may be negative).
//
//   source → S_z     one arc per ask level of zone z, cost = the ask price (used cheapest first: convex)
//   S_a → D_b        cost = fee(a → b), capacity = what is left of cap(a → b); S_z → D_z costs 0, unbounded
//   D_z → sink       one arc per bid level of zone z, cost = −(the bid price) (used highest first)
//
// Only the marginal level of each curve is an arc at a time; a path may also run a zone-pair arc backwards
// (re-routing energy that already flows). Paths are augmented while their cost is ≤ 0, i.e. while the buyer's
// limit covers the seller's limit plus the fees: welfare first, then the volume of trades that gain nothing.
// Each augmentation empties a level or a cap, so the number of rounds is bounded by the levels and the pairs.
// Prices and volumes are integers; the welfare is exact (Wh × msat/kWh, in an ExactSum).

import { ExactSum } from './exact';

/** A merit-order curve: asks ascending, bids descending; volumes in Wh. */
export interface Curve {
  prices: number[];
  volumes: number[];
}

export interface FlowZone {
  asks: Curve;
  bids: Curve;
}

export interface FlowResult {
  /** Wh sold by each zone's sellers, and bought by each zone's buyers */
  soldWh: number[];
  boughtWh: number[];
  /** flowWh[a][b]: Wh from zone a's sellers to zone b's buyers */
  flowWh: number[][];
  /** Σ quantity × (bid − ask − fee), Wh × msat/kWh */
  welfare: bigint;
}

export interface FlowNetwork {
  zones: FlowZone[];
  fee(a: number, b: number): number;
  /** what is left of the cap from zone a to zone b, Infinity when uncapped */
  capLeftWh(a: number, b: number): number;
}

const SOURCE = 0;

export function maxWelfareFlow(net: FlowNetwork): FlowResult {
  const Z = net.zones.length;
  const sink = 2 * Z + 1;
  const nodes = sink + 1;
  const askAt = new Array<number>(Z).fill(0);
  const askUsed = new Array<number>(Z).fill(0);
  const bidAt = new Array<number>(Z).fill(0);
  const bidUsed = new Array<number>(Z).fill(0);
  const flowWh = Array.from({ length: Z }, () => new Array<number>(Z).fill(0));
  const fee = Array.from({ length: Z }, (_, a) => Array.from({ length: Z }, (_, b) => net.fee(a, b)));
  const capLeft = Array.from({ length: Z }, (_, a) => Array.from({ length: Z }, (_, b) => net.capLeftWh(a, b)));
  const dist = new Array<number>(nodes);
  const pred = new Array<number>(nodes);
  const welfare = new ExactSum();
  const S = (z: number): number => 1 + z;
  const D = (z: number): number => 1 + Z + z;

  for (;;) {
    dist.fill(Infinity);
    pred.fill(-1);
    dist[SOURCE] = 0;
    for (let round = 0; round < nodes; round++) {
      let changed = false;
      for (let z = 0; z < Z; z++) {
        const asks = net.zones[z].asks;
        if (askAt[z] < asks.prices.length && asks.prices[askAt[z]] < dist[S(z)]) {
          dist[S(z)] = asks.prices[askAt[z]];
          pred[S(z)] = SOURCE;
          changed = true;
        }
      }
      for (let a = 0; a < Z; a++) {
        for (let b = 0; b < Z; b++) {
          if (dist[S(a)] !== Infinity && flowWh[a][b] < capLeft[a][b] && dist[S(a)] + fee[a][b] < dist[D(b)]) {
            dist[D(b)] = dist[S(a)] + fee[a][b];
            pred[D(b)] = S(a);
            changed = true;
          }
          if (dist[D(b)] !== Infinity && flowWh[a][b] > 0 && dist[D(b)] - fee[a][b] < dist[S(a)]) {
            dist[S(a)] = dist[D(b)] - fee[a][b];
            pred[S(a)] = D(b);
            changed = true;
          }
        }
      }
      for (let z = 0; z < Z; z++) {
        const bids = net.zones[z].bids;
        if (dist[D(z)] !== Infinity && bidAt[z] < bids.prices.length && dist[D(z)] - bids.prices[bidAt[z]] < dist[sink]) {
          dist[sink] = dist[D(z)] - bids.prices[bidAt[z]];
          pred[sink] = D(z);
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (!(dist[sink] <= 0)) break;

    // Walk the path back from the sink: the bottleneck, then the augmentation.
    let bottleneck = Infinity;
    const last = pred[sink] - 1 - Z;
    bottleneck = Math.min(bottleneck, net.zones[last].bids.volumes[bidAt[last]] - bidUsed[last]);
    let node = pred[sink];
    while (node !== SOURCE) {
      const from = pred[node];
      if (from === SOURCE) {
        const z = node - 1;
        bottleneck = Math.min(bottleneck, net.zones[z].asks.volumes[askAt[z]] - askUsed[z]);
      } else if (node > Z) {
        bottleneck = Math.min(bottleneck, capLeft[from - 1][node - 1 - Z] - flowWh[from - 1][node - 1 - Z]);
      } else {
        bottleneck = Math.min(bottleneck, flowWh[node - 1][from - 1 - Z]);
      }
      node = from;
    }
    welfare.addProduct(bottleneck, -dist[sink]);
    bidUsed[last] += bottleneck;
    if (bidUsed[last] === net.zones[last].bids.volumes[bidAt[last]]) {
      bidAt[last]++;
      bidUsed[last] = 0;
    }
    node = pred[sink];
    while (node !== SOURCE) {
      const from = pred[node];
      if (from === SOURCE) {
        const z = node - 1;
        askUsed[z] += bottleneck;
        if (askUsed[z] === net.zones[z].asks.volumes[askAt[z]]) {
          askAt[z]++;
          askUsed[z] = 0;
        }
      } else if (node > Z) {
        flowWh[from - 1][node - 1 - Z] += bottleneck;
      } else {
        flowWh[node - 1][from - 1 - Z] -= bottleneck;
      }
      node = from;
    }
  }
  const soldWh = flowWh.map((row) => row.reduce((sum, wh) => sum + wh, 0));
  const boughtWh = flowWh[0] === undefined ? [] : flowWh[0].map((_, b) => flowWh.reduce((sum, row) => sum + row[b], 0));
  return { soldWh, boughtWh, flowWh, welfare: welfare.value };
}
