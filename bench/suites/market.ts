// Suite `market`: lib/market against nodejs-order-book (devDependency, the peer) on the same random streams.
// continuousOrdersPerSec / peerContinuousOrdersPerSec: 1,000,000 random limit orders, mixed sides, prices
//   spread around one mid so that about half cross; each book takes the same orders in the same order.
//   Ours: Engine.place (the matching core: match, rest, report trades, and remember ids and nonces for the
//   duplicate and replay checks; no validation and no journal), the peer's limit(). Orders are built in chunks
//   outside the timed part. Each book runs in a fresh process, three times in turn; the medians are reported,
//   per second of the process's CPU time (the cores are shared; wall time would measure the neighbours).
// cancelCrowdedLevelUs / peerCancelCrowdedLevelUs: one cancel in a level of 10,000 resting orders (the median
//   of 200 cancels at spread positions, the level refilled after each).
// auctionClear100kMs: one call auction over 100,000 orders of one slot (CPU time; the median of 5, after 2
//   warm-ups).
// journaledOrdersPerSec: the same kind of stream through Market.submitMany (validation, journal with group
//   commit and fdatasync, matching) in bursts of 500, unsigned-allowed: what a node can expect from lib.
// nodeOrdersPerSec, nodeSignedOrdersPerSec (and their peers marketSubmitOrdersPerSec, ed25519VerifiesPerSec):
//   the market behind flaregrid-matcher in a running Node-RED, market-node.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderBook, Side } from 'nodejs-order-book';
import { Engine, type OrderMeta } from '../../lib/market/engine';
import { Market, ParticipantRegistry, validateMarketSettings, defaultMarketSettings } from '../../lib/market';
import { emptyOutcome } from '../../lib/market/outcome';
import type { Order } from '../../lib/schemas';
import type { BenchResult, BenchSuite } from '../types';
import { marketNodeBench } from './market-node';

const SLOT_START = '2030-01-01T12:00:00.000Z';
const SLOT_END = '2030-01-01T12:15:00.000Z';
const AT_MS = Date.parse(SLOT_START) - 3_600_000;
const PAY_TO = `02${'ab'.repeat(32)}`;
const TICK = 1_000;
const MID_TICKS = 500;

/** mulberry32: a small seeded PRNG, so that both books get the same stream on every run */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface StreamOrder {
  id: string;
  buy: boolean;
  quantityWh: number;
  priceTicks: number;
  participant: string;
}

/**
 * Prices uniform within ±25 ticks of the mid for both sides: a new order crosses the book about half the time.
 * 1,000 participants, each a buyer or a seller in the slot (as prosumers are), so no order meets its own.
 */
export function stream(seed: number, count: number, first = 0): StreamOrder[] {
  const random = prng(seed + first);
  return Array.from({ length: count }, (_, i) => {
    const buy = random() < 0.5;
    return {
      id: `o${first + i}`,
      buy,
      quantityWh: 1 + Math.floor(random() * 1000),
      priceTicks: MID_TICKS - 25 + Math.floor(random() * 51),
      participant: `p${(buy ? 0 : 500) + Math.floor(random() * 500)}`,
    };
  });
}

function orderOf(s: StreamOrder): Order {
  return {
    type: 'order', id: s.id, market: 'bench', participant: s.participant, side: s.buy ? 'buy' : 'sell', quantityWh: s.quantityWh,
    priceMsatPerKwh: s.priceTicks * TICK, deliveryStart: SLOT_START, deliveryEnd: SLOT_END, createdAt: SLOT_START, nonce: `n-${s.id.padStart(7, '0')}`,
  };
}

const META: OrderMeta = { zone: '', payTo: PAY_TO, fingerprint: 'bench' };

function settings(mode: 'continuous' | 'auction') {
  return validateMarketSettings({ ...defaultMarketSettings('bench'), mode, maxOpenOrdersPerParticipant: 1_000_000, rateLimit: { orders: 1_000_000_000, perMs: 1 }, allowUnsigned: true, maxClockSkewMs: 1e12 });
}

/** orders built per timed chunk: few enough that the young generation does not copy them inside the timing */
const CHUNK = 2_000;

/** the median: robust to a garbage collection or a burst of other load in the middle of one measurement */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * CPU time of this process (user + system, garbage collector threads included), in ms. The machine's cores
 * are shared: wall time would count the time other processes had the CPU, and so vary from run to run.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One book through the whole stream, in this process, per CPU second; what a child process of the suite runs. */
export function continuousRate(book: 'ours' | 'peer', seed: number, count: number): number {
  const engine = new Engine(settings('continuous'));
  const peer = new OrderBook();
  let elapsed = 0;
  let trades = 0;
  for (let first = 0; first < count; first += CHUNK) {
    const chunk = stream(seed, Math.min(CHUNK, count - first), first);
    if (book === 'ours') {
      const orders = chunk.map(orderOf);
      const out = emptyOutcome();
      const started = cpuMs();
      for (const order of orders) engine.place(order, META, AT_MS, out);
      elapsed += cpuMs() - started;
      trades += out.trades.length;
    } else {
      const orders = chunk.map((s) => ({ id: s.id, side: s.buy ? Side.BUY : Side.SELL, size: s.quantityWh, price: s.priceTicks * TICK }));
      const started = cpuMs();
      for (const order of orders) peer.limit(order);
      elapsed += cpuMs() - started;
    }
  }
  if (book === 'ours' && trades < count / 4) throw new Error(`bench stream made only ${trades} trades; it should cross about half the time`);
  return count / (elapsed / 1000);
}

/**
 * Each book runs the stream in a fresh process, three times, ours and the peer's in turn, and the medians are
 * compared: two cores are shared by several processes, and a minute apart the same code can run at half the
 * speed; a fresh process also keeps one book's garbage out of the other's timing.
 */
function continuous(seed: number, count: number): { ours: number; peer: number } {
  const runs = { ours: [] as number[], peer: [] as number[] };
  for (let round = 0; round < 3; round++) {
    for (const book of ['ours', 'peer'] as const) {
      const child = spawnSync(process.execPath, [__filename, book, String(seed), String(count)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`the ${book} continuous bench failed: ${child.stderr}`);
      runs[book].push(Number(child.stdout));
    }
  }
  return { ours: median(runs.ours), peer: median(runs.peer) };
}

const CROWD = 10_000;
const CANCELS = 200;

function crowdedOrder(i: number): Order {
  return { ...orderOf({ id: `c${i}`, buy: true, quantityWh: 10, priceTicks: MID_TICKS, participant: `p${i % 1000}` }) };
}


function cancelOurs(): number {
  const engine = new Engine(settings('continuous'));
  const out = emptyOutcome();
  for (let i = 0; i < CROWD; i++) engine.place(crowdedOrder(i), META, AT_MS, out);
  const times: number[] = [];
  for (let k = 0; k < CANCELS; k++) {
    const victim = crowdedOrder((k * 7919) % CROWD);
    const cancel = { type: 'cancel' as const, id: victim.id, market: 'bench', participant: victim.participant, createdAt: SLOT_START, nonce: `x-${String(k).padStart(8, '0')}` };
    const started = performance.now();
    engine.cancel(cancel, 'bench', AT_MS, out);
    times.push((performance.now() - started) * 1000);
    engine.place({ ...victim, id: `${victim.id}r${k}`, nonce: `r-${String(k).padStart(8, '0')}` }, META, AT_MS, out);
  }
  return median(times);
}

function cancelPeer(): number {
  const book = new OrderBook();
  for (let i = 0; i < CROWD; i++) book.limit({ id: `c${i}`, side: Side.BUY, size: 10, price: MID_TICKS * TICK });
  const times: number[] = [];
  for (let k = 0; k < CANCELS; k++) {
    const id = `c${(k * 7919) % CROWD}`;
    const started = performance.now();
    book.cancel(id);
    times.push((performance.now() - started) * 1000);
    book.limit({ id: `${id}r${k}`, side: Side.BUY, size: 10, price: MID_TICKS * TICK });
  }
  return median(times);
}

function auctionOnce(seed: number, count: number): number {
  const engine = new Engine(settings('auction'));
  const out = emptyOutcome();
  for (const order of stream(seed, count).map(orderOf)) engine.place(order, META, AT_MS, out);
  const started = cpuMs();
  engine.clear(AT_MS, out);
  const elapsed = cpuMs() - started;
  if (out.trades.length === 0) throw new Error('the bench auction made no trade');
  return elapsed;
}

/** The median of 5 auctions, each on a fresh book, after 2 that warm the code up (a matcher runs for days). */
function auctionOurs(seed: number, count: number): number {
  for (let i = 0; i < 2; i++) auctionOnce(seed + 100 + i, count);
  const times = Array.from({ length: 5 }, (_, i) => auctionOnce(seed + i, count));
  return median(times);
}

async function journaledOurs(seed: number, count: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'flaregrid-bench-market-'));
  const market = await Market.open(settings('continuous'), { journalDir: dir, registry: new ParticipantRegistry() });
  try {
    const orders = stream(seed, count).map((s) => ({ ...orderOf(s), payTo: PAY_TO }));
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < orders.length; i += 500) {
      pending.push(market.submitMany(orders.slice(i, i + 500), AT_MS));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const results = (await Promise.all(pending)) as { accepted: unknown[] }[];
    const accepted = results.reduce((sum, r) => sum + r.accepted.length, 0);
    if (accepted !== count) throw new Error(`the journalled bench accepted ${accepted} of ${count} orders`);
    return count / ((performance.now() - started) / 1000);
  } finally {
    await market.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MarketBenchOptions {
  orders?: number;
  auctionOrders?: number;
  journaledOrders?: number;
}

export async function marketBench(options: MarketBenchOptions = {}): Promise<BenchResult[]> {
  const seed = 20261201;
  const orders = options.orders ?? 1_000_000;
  const { ours, peer } = continuous(seed, orders);
  const cancel = cancelOurs();
  const peerCancel = cancelPeer();
  const auction = auctionOurs(seed + 1, options.auctionOrders ?? 100_000);
  const journaled = await journaledOurs(seed + 2, options.journaledOrders ?? 200_000);
  const result = (metric: string, value: number, unit: string): BenchResult => ({ suite: 'market', metric, value, unit });
  return [
    result('continuousOrdersPerSec', Math.round(ours), 'orders/s'),
    result('peerContinuousOrdersPerSec', Math.round(peer), 'orders/s'),
    result('cancelCrowdedLevelUs', Number(cancel.toFixed(3)), 'µs'),
    result('peerCancelCrowdedLevelUs', Number(peerCancel.toFixed(3)), 'µs'),
    result('auctionClear100kMs', Number(auction.toFixed(2)), 'ms'),
    result('journaledOrdersPerSec', Math.round(journaled), 'orders/s'),
  ];
}

export const marketSuite: BenchSuite = {
  name: 'market',
  // the engine's figures, then the same market behind flaregrid-matcher in a running Node-RED (market-node.ts)
  run: async () => [...(await marketBench()), ...(await marketNodeBench())],
};

// `node market.js ours|peer SEED COUNT`: one continuous run, as the suite's child process.
if (require.main === module) {
  const [book, seed, count] = process.argv.slice(2);
  process.stdout.write(String(continuousRate(book === 'peer' ? 'peer' : 'ours', Number(seed), Number(count))));
}
