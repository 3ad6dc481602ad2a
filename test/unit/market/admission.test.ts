// Admission through Market.submit: every refusal is a Reject with a reason and a sentence naming the field, and
// leaves the book and the journal as they were.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, Market, ParticipantRegistry, signMessage, type MarketSettings } from '../../../lib/market';
import { isReject, type Order } from '../../../lib/schemas';
import { marketSettings, NOW, order, PAY_TO, SLOT, SLOT_MS } from './fixtures';

const alice = generateSigningKey();
const bob = generateSigningKey();
const registry = new ParticipantRegistry([
  { id: 'alice', publicKey: alice.publicKeyHex, zone: 'north', payTo: PAY_TO },
  { id: 'bob', publicKey: bob.publicKeyHex },
]);

export async function openMarket(dir: string, overrides: Partial<MarketSettings> = {}): Promise<Market> {
  return Market.open(marketSettings(overrides), { journalDir: dir, registry, warn: () => undefined });
}

const signed = (o: Order, key = alice.privateKeyHex): Order => signMessage(o, key);
const aliceSells = (extra: Partial<Order> = {}): Order => signed(order('sell', 1_000, 30_000, 'alice', extra));

describe('market admission', () => {
  let dir: string;
  let market: Market;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flaregrid-market-'));
    market = await openMarket(dir);
  });
  afterEach(async () => {
    await market.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a signed order, takes the zone and payTo from the registry, and journals it', async () => {
    const seq = market.seq;
    const events = await market.submit(aliceSells(), NOW);
    assert.equal(events.accepted.length, 1);
    assert.equal(market.seq, seq + 1);
    const bid = await market.submit(signed(order('buy', 400, 31_000, 'bob'), bob.privateKeyHex), NOW);
    assert.equal(bid.trades.length, 1);
    assert.equal(bid.trades[0].payTo, PAY_TO);
    assert.equal(bid.trades[0].sellerZone, 'north');
  });

  const cases: [string, (o: Order) => unknown, RegExp][] = [
    ['malformed', () => 'an order', /must be an object/],
    ['malformed', (o) => ({ ...o, type: 'bid' }), /type must be order or cancel, got "bid"/],
    ['oversized', (o) => ({ ...o, note: 'x'.repeat(5_000) }), /bytes; the market takes at most 4096/],
    ['forbidden-key', (o) => JSON.parse(JSON.stringify(o).replace('{', '{"__proto__":{"x":1},')), /__proto__ is a property name/],
    ['forbidden-key', (o) => ({ ...o, extra: { constructor: 1 } }), /extra\.constructor/],
    ['unknown-market', (o) => ({ ...o, market: 'elsewhere' }), /market must be well-7, got "elsewhere"/],
    ['bad-quantity', (o) => ({ ...o, quantityWh: 1.5 }), /quantityWh must be a whole number of Wh of at least 1, got 1\.5/],
    ['bad-quantity', (o) => ({ ...o, quantityWh: '1000' }), /quantityWh must be a whole number/],
    ['bad-quantity', (o) => ({ ...o, quantityWh: 0 }), /quantityWh/],
    ['bad-quantity', (o) => ({ ...o, minFillWh: 2_000 }), /minFillWh \(2000\) must not exceed quantityWh \(1000\)/],
    ['bad-price', (o) => ({ ...o, priceMsatPerKwh: 30_000.5 }), /priceMsatPerKwh must be a whole number/],
    ['price-out-of-range', (o) => ({ ...o, priceMsatPerKwh: 2_000_000 }), /between the floor 0 and the cap 1000000/],
    ['off-tick', (o) => ({ ...o, priceMsatPerKwh: 30_500 }), /tick grid .* the nearest are 30000 and 31000/],
    ['bad-field', (o) => ({ ...o, side: 'hold' }), /side must be one of buy, sell/],
    ['bad-field', (o) => ({ ...o, nonce: 'x' }), /nonce must match/],
    ['window-unaligned', (o) => ({ ...o, deliveryStart: '2026-12-01T06:05:00.000Z', deliveryEnd: '2026-12-01T06:20:00.000Z' }), /deliveryStart must be the start of a 15-minute slot/],
    ['window-unaligned', (o) => ({ ...o, deliveryEnd: '2026-12-01T06:30:00.000Z' }), /deliveryEnd must be deliveryStart \+ 15 minutes/],
    ['window-past', (o) => ({ ...o, deliveryStart: '2026-11-30T06:00:00.000Z', deliveryEnd: '2026-11-30T06:15:00.000Z' }), /is in the past/],
    ['gate-closed', (o) => ({ ...o, deliveryStart: '2026-12-01T05:00:00.000Z', deliveryEnd: '2026-12-01T05:15:00.000Z' }), /closed at 2026-12-01T04:55/],
    ['expired', (o) => ({ ...o, expiresAt: '2026-12-01T04:00:00.000Z' }), /expiresAt 2026-12-01T04:00:00.000Z has passed/],
    ['stale', (o) => ({ ...o, createdAt: '2026-12-01T04:00:00.000Z' }), /createdAt .* is more than 30000 ms from the market's clock/],
    ['unknown-participant', (o) => ({ ...o, participant: 'mallory' }), /participant mallory is not in the market's registry/],
    ['unsigned', (o) => ({ ...o, sig: undefined }), /sig is missing/],
    ['bad-signature', (o) => ({ ...o, quantityWh: 999 }), /sig is not participant alice's signature/],
    ['zone-mismatch', (o) => ({ ...o, zone: 'south' }), /zone south is not participant alice's zone \(north\)/],
  ];

  for (const [reason, make, says] of cases) {
    it(`refuses ${reason}: ${says.source.slice(0, 50)}`, async () => {
      const base = order('sell', 1_000, 30_000, 'alice');
      let message = make(base) as Record<string, unknown>;
      // Re-sign the changed message unless the case is about the signature itself.
      if (typeof message === 'object' && !['unsigned', 'bad-signature', 'forbidden-key'].includes(reason)) {
        const { sig: _sig, ...unsigned } = message;
        message = signMessage(JSON.parse(JSON.stringify(unsigned)), alice.privateKeyHex);
      } else if (reason === 'bad-signature') {
        message = { ...signed(base), quantityWh: 999 };
      }
      const hash = market.stateHash();
      const seq = market.seq;
      const events = await market.submit(message, NOW);
      assert.equal(events.rejects.length, 1, JSON.stringify(events));
      const reject = events.rejects[0];
      assert.ok(isReject(reject), isReject.problems(reject).join('; '));
      assert.equal(reject.reason, reason);
      assert.match(reject.message, says);
      assert.equal(market.seq, seq, 'nothing journalled');
      assert.equal(market.stateHash(), hash, 'the book is untouched');
      assert.deepEqual(events.accepted, []);
    });
  }

  it('an identical re-submission is a no-op; the same id or nonce on another message is refused', async () => {
    const first = aliceSells();
    await market.submit(first, NOW);
    const seq = market.seq;
    const again = await market.submit(JSON.parse(JSON.stringify(first)), NOW + 1_000);
    assert.equal(again.duplicates, 1);
    assert.equal(market.seq, seq);
    const sameId = await market.submit(signed({ ...first, sig: undefined, nonce: 'another-nonce', priceMsatPerKwh: 31_000 } as Order), NOW);
    assert.equal(sameId.rejects[0].reason, 'duplicate-id');
    const sameNonce = await market.submit(signed({ ...first, sig: undefined, id: 'another-id' } as Order), NOW);
    assert.equal(sameNonce.rejects[0].reason, 'replay');
    assert.match(sameNonce.rejects[0].message, /nonce .* of participant alice was used before/);
  });

  it('cancels: only the owner, only open orders; an identical cancel again is a no-op', async () => {
    const o = aliceSells();
    await market.submit(o, NOW);
    const cancel = { type: 'cancel', id: o.id, market: 'well-7', participant: 'alice', createdAt: new Date(NOW).toISOString(), nonce: 'cancel-nonce-1' };
    const byBob = await market.submit(signMessage({ ...cancel, participant: 'bob' }, bob.privateKeyHex), NOW);
    assert.equal(byBob.rejects[0].reason, 'not-owner');
    const done = await market.submit(signMessage(cancel, alice.privateKeyHex), NOW);
    assert.deepEqual(done.removed.map((r) => [r.orderId, r.reason]), [[o.id, 'cancelled']]);
    assert.equal((await market.submit(signMessage(cancel, alice.privateKeyHex), NOW)).duplicates, 1);
    const unknown = await market.submit(signMessage({ ...cancel, nonce: 'cancel-nonce-2' }, alice.privateKeyHex), NOW);
    assert.equal(unknown.rejects[0].reason, 'unknown-order');
  });

  it('a seller needs payTo from the order or the registry', async () => {
    const events = await market.submit(signed(order('sell', 10, 30_000, 'bob'), bob.privateKeyHex), NOW);
    assert.equal(events.rejects[0].reason, 'missing-pay-to');
    const withPayTo = await market.submit(signed(order('sell', 10, 30_000, 'bob', { payTo: PAY_TO }), bob.privateKeyHex), NOW);
    assert.equal(withPayTo.accepted.length, 1);
  });

  it('floods: a per-participant rate and a cap on open orders', async () => {
    await market.close();
    rmSync(dir, { recursive: true, force: true });
    market = await openMarket(dir, { rateLimit: { orders: 3, perMs: 1_000 }, maxOpenOrdersPerParticipant: 2 });
    const results = await market.submitMany([aliceSells(), aliceSells(), aliceSells()], NOW);
    assert.deepEqual(results.rejects.map((r) => r.reason), ['too-many-open-orders']);
    const buys = await market.submitMany([1, 2, 3].map(() => signed(order('buy', 1, 10_000, 'bob'), bob.privateKeyHex)), NOW);
    assert.deepEqual(buys.rejects.map((r) => r.reason), ['too-many-open-orders']);
    await market.close();
    rmSync(dir, { recursive: true, force: true });
    market = await openMarket(dir, { rateLimit: { orders: 3, perMs: 1_000 } });
    const burst = await market.submitMany([1, 2, 3, 4].map(() => aliceSells()), NOW);
    assert.deepEqual(burst.rejects.map((r) => r.reason), ['rate-limited']);
    // a third of a second refills one message
    const later = await market.submitMany([aliceSells(), aliceSells()], NOW + 334);
    assert.deepEqual(later.rejects.map((r) => r.reason), ['rate-limited']);
  });

  it('unsigned-allowed: unsigned messages from anyone, but a signature present must be right', async () => {
    await market.close();
    rmSync(dir, { recursive: true, force: true });
    market = await openMarket(dir, { allowUnsigned: true });
    const unsigned = await market.submit(order('buy', 10, 30_000, 'walk-in'), NOW);
    assert.equal(unsigned.accepted.length, 1);
    const forged = await market.submit({ ...signed(order('buy', 10, 30_000, 'alice')), quantityWh: 11 }, NOW);
    assert.equal(forged.rejects[0].reason, 'bad-signature');
  });

  it('answers in call order, however the journal groups the writes', async () => {
    const done: number[] = [];
    const calls = Array.from({ length: 50 }, (_, i) =>
      market.submit(i % 7 === 3 ? { broken: true } : aliceSells(), NOW).then(() => done.push(i)),
    );
    await Promise.all(calls);
    assert.deepEqual(done, Array.from({ length: 50 }, (_, i) => i));
    assert.equal(market.snapshot(NOW).slots[0].deliveryStart, SLOT);
    assert.equal(new Date(SLOT_MS).toISOString(), SLOT);
  });
});
