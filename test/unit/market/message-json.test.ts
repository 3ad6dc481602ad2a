// The fast canonical JSON of orders and cancels (lib/market/message-json.ts) against lib/canonical-json on
// random messages: the contracts' fields with any strings (escapes, astral and lone surrogates), numbers
// (fractions, -0, NaN, exponents), optional fields left out or undefined, and messages it must not take
// (unknown fields, nested values, other prototypes), for which it answers undefined.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../lib/canonical-json';
import { CANCEL_KEYS, cancelJson, messageJson, ORDER_KEYS, orderJson } from '../../../lib/market/message-json';
import { CancelSchema, OrderSchema } from '../../../lib/schemas';

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '"', '\\', '\u0000\u001f\u007f', '\ud800', 'a\udfffb', '\ud83d\ude00', 'ünïcode', '\u2028\u2029', '</script>'),
);
const primitive = fc.oneof(
  { weight: 6, arbitrary: anyString },
  { weight: 3, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.constantFrom(-0, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, true, false, null, undefined) },
);
/** mostly JSON primitives; now and then what the fast way must leave alone */
const value = fc.oneof(
  { weight: 60, arbitrary: primitive },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, {}, []), fc.array(fc.integer(), { maxLength: 2 }), fc.bigInt()) },
);

function messageOf(keys: readonly string[], type: string) {
  return fc
    .record(Object.fromEntries(keys.map((k) => [k, value])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] })
    .chain((fields) =>
      fc.record({
        fields: fc.constant(fields),
        shuffled: fc.shuffledSubarray(Object.keys(fields), { minLength: Object.keys(fields).length }),
        extra: fc.option(fc.record({ key: fc.oneof(fc.string(), fc.constantFrom('note', 'constructor', '__proto__')), v: value }), { freq: 4 }),
        typed: fc.boolean(),
      }),
    )
    .map(({ fields, shuffled, extra, typed }) => {
      // the fields in a random insertion order; mostly of the right type; sometimes a field the contract lacks
      const message: Record<string, unknown> = {};
      for (const key of shuffled) message[key] = fields[key];
      if (typed) message.type = type;
      if (extra) Object.defineProperty(message, extra.key, { value: extra.v, enumerable: true, writable: true, configurable: true });
      return message;
    });
}

/** canonicalJson's text, or undefined where it refuses the value */
function canonicalOrUndefined(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}

describe('market: the fast canonical JSON of orders and cancels', () => {
  it('lists every field of the contracts, in code-unit order', () => {
    assert.deepEqual([...ORDER_KEYS], Object.keys(OrderSchema.properties).sort());
    assert.deepEqual([...CANCEL_KEYS], Object.keys(CancelSchema.properties).sort());
  });

  for (const [name, keys, type, fast] of [['order', ORDER_KEYS, 'order', orderJson], ['cancel', CANCEL_KEYS, 'cancel', cancelJson]] as const) {
    it(`${name}: writes exactly canonicalJson's text, or leaves the message to it`, () => {
      let taken = 0;
      fc.assert(
        fc.property(messageOf(keys, type), (message) => {
          const text = fast(message);
          if (text === undefined) return;
          taken++;
          assert.equal(text, canonicalOrUndefined(message));
          if (message.type === type) assert.equal(messageJson(message), text);
        }),
        { numRuns: 2_000 },
      );
      assert.ok(taken > 200, `the fast way took only ${taken} of 2000 messages`);
    });
  }

  it('takes plain messages of the contracts’ fields, and nothing else', () => {
    const order = { type: 'order', id: 'o-1', market: 'well-7', participant: 'p1', side: 'buy', quantityWh: 1000, priceMsatPerKwh: 95_000, deliveryStart: '2026-12-01T06:15:00.000Z', deliveryEnd: '2026-12-01T06:30:00.000Z', createdAt: '2026-12-01T06:07:30.000Z', nonce: 'nonce0001', zone: undefined };
    assert.equal(orderJson(order), canonicalJson(order));
    assert.equal(orderJson({ ...order, note: 'x' }), undefined, 'an unknown field');
    assert.equal(orderJson({ ...order, zone: { north: true } }), undefined, 'a nested value');
    assert.equal(orderJson({ ...order, id: 'o-\ud800' }), undefined, 'a lone surrogate');
    assert.equal(orderJson({ ...order, quantityWh: NaN }), undefined, 'NaN');
    assert.equal(orderJson(Object.assign(Object.create(null) as object, order)), undefined, 'another prototype');
    const inherited = Object.assign(Object.create({ zone: 'north' }) as object, order);
    assert.equal(orderJson(inherited), undefined, 'an inherited field');
  });
});
