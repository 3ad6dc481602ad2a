// The market's durability: replaying the journal (and a snapshot) rebuilds the same book, trade ids and state
// hash; trades a crash cut off are made again and journalled; a journal that does not replay is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../lib/journal';
import { Market, MarketError, ParticipantRegistry } from '../../../lib/market';
import { isBookSnapshot, isClearingSummary, isTrade, type Trade } from '../../../lib/schemas';
import { GATE_LEAD, marketSettings, NOW, order, PAY_TO, SLOT_MS } from './fixtures';

const registry = new ParticipantRegistry();
const open = (dir: string, overrides = {}, snapshotEveryRecords?: number, warn: (m: string) => void = () => undefined) =>
  Market.open(marketSettings({ allowUnsigned: true, ...overrides }), { journalDir: dir, registry, snapshotEveryRecords, warn });

/** A day's worth of trading in a few dozen messages: orders that cross, rest, expire and are cancelled. */
async function session(market: Market): Promise<Trade[]> {
  const trades: Trade[] = [];
  for (let i = 0; i < 40; i++) {
    const side = i % 3 === 0 ? 'sell' : 'buy';
    const o = order(side, 100 + ((i * 37) % 400), 40_000 + ((i * 7919) % 20) * 1_000, `p${i % 6}`, {
      payTo: PAY_TO,
      createdAt: new Date(NOW + i * 10_000).toISOString(),
      ...(i % 5 === 0 ? { expiresAt: new Date(NOW + i * 10_000 + 60_000 * (1 + (i % 3))).toISOString() } : {}),
      ...(i % 9 === 0 ? { orderType: 'ioc' as const } : {}),
    });
    const events = await market.submit(o, NOW + i * 10_000);
    assert.deepEqual(events.rejects, []);
    trades.push(...events.trades);
    if (i % 11 === 10) await market.submit({ type: 'cancel', id: o.id, market: 'well-7', participant: o.participant, createdAt: new Date(NOW + i * 10_000).toISOString(), nonce: `cancel-${o.nonce}` }, NOW + i * 10_000);
  }
  return trades;
}

describe('market journal and replay', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flaregrid-market-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const snapshotEvery of [undefined, 7]) {
    it(`reopening rebuilds the same book, state hash and trade sequence (${snapshotEvery ? `snapshot every ${snapshotEvery} records` : 'records only'})`, async () => {
      const market = await open(dir, {}, snapshotEvery);
      const trades = await session(market);
      assert.ok(trades.length > 5, 'the session trades');
      const hash = market.stateHash();
      const book = market.snapshot(NOW + 500_000);
      assert.ok(isBookSnapshot(book), isBookSnapshot.problems(book).join('; '));
      await market.close();
      if (snapshotEvery) assert.ok(readdirSync(dir).includes('snapshot.json'));
      const again = await open(dir, {}, snapshotEvery);
      assert.equal(again.stateHash(), hash);
      assert.deepEqual(again.snapshot(NOW + 500_000), book);
      // The trade sequence goes on: a seller at the floor hits the best bid, and its trade has the next id.
      const events = await again.submit(order('sell', 1, 0, 'taker', { payTo: PAY_TO, createdAt: new Date(NOW + 500_000).toISOString() }), NOW + 500_000);
      assert.equal(events.trades[0].id, `well-7:20261201T0600:${trades.length + 1}`);
      await again.close();
    });
  }

  it('journals ticks: expiries and gate closures replay to the same state', async () => {
    const market = await open(dir);
    await session(market);
    const closing = await market.tick(SLOT_MS - GATE_LEAD);
    assert.equal(closing.clearings.length, 1);
    assert.ok(isClearingSummary(closing.clearings[0]), isClearingSummary.problems(closing.clearings[0]).join('; '));
    assert.ok(closing.removed.some((r) => r.reason === 'gate-closed'));
    assert.ok(closing.removed.every((r) => r.reason === 'gate-closed' || r.reason === 'expired'));
    const hash = market.stateHash();
    await market.close();
    const again = await open(dir);
    assert.equal(again.stateHash(), hash);
    assert.equal(again.snapshot(SLOT_MS).openOrders, 0);
    await again.close();
  });

  it('a crash between an order and its trades: the replay makes them again, journals them and hands them over', async () => {
    const market = await open(dir);
    await market.submit(order('sell', 100, 40_000, 'alice', { payTo: PAY_TO }), NOW);
    const { trades } = await market.submit(order('buy', 100, 50_000, 'bob'), NOW);
    assert.ok(trades.every((t) => isTrade(t)));
    const hash = market.stateHash();
    await market.close();
    // Cut the trade record off the end, as a crash before its write would have.
    const file = join(dir, readdirSync(dir).filter((f) => f.startsWith('segment-')).sort().at(-1) as string);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(JSON.parse(lines.at(-1) as string).kind, 'trade');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    const again = await open(dir);
    assert.deepEqual(again.recoveredTrades, trades);
    assert.equal(again.stateHash(), hash);
    await again.close();
    const third = await open(dir);
    assert.deepEqual(third.recoveredTrades, []);
    await third.close();
  });

  it('refuses a journal whose trades the book does not make again (REPLAY_DIVERGED)', async () => {
    const settings = marketSettings({ allowUnsigned: true });
    const { journal } = await Journal.open(dir, { version: 1 });
    await journal.append('settings', settings);
    const sell = order('sell', 100, 40_000, 'alice', { payTo: PAY_TO });
    await journal.append('order', { order: sell, meta: { zone: '', payTo: PAY_TO, fingerprint: 'f1' }, atMs: NOW });
    await journal.append('trade', { type: 'trade', id: 'well-7:20261201T0600:1', invented: true });
    await journal.close();
    await assert.rejects(open(dir), (err: MarketError) => err.code === 'REPLAY_DIVERGED' && /record 3/.test(err.message));
  });

  it('refuses the journal of another market', async () => {
    const market = await open(dir);
    await market.close();
    await assert.rejects(open(dir, { market: 'other' }), (err: MarketError) => err.code === 'JOURNAL_INVALID');
  });

  it('new settings are journalled; resting orders off the new grid are dropped with a warning', async () => {
    const market = await open(dir);
    await market.submit(order('buy', 100, 41_000, 'alice'), NOW);
    await market.submit(order('buy', 100, 42_000, 'bob'), NOW);
    await market.close();
    const warnings: string[] = [];
    const coarser = await open(dir, { tickMsatPerKwh: 2_000 }, undefined, (m) => warnings.push(m));
    assert.deepEqual(coarser.snapshot(NOW).slots[0].bids.map((l) => l.priceMsatPerKwh), [42_000]);
    assert.match(warnings.join(' '), /1 resting orders did not fit the new settings/);
    const hash = coarser.stateHash();
    await coarser.close();
    const same = await open(dir, { tickMsatPerKwh: 2_000 });
    assert.equal(same.stateHash(), hash);
    await same.close();
  });
});
