import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CanonicalJsonError, canonicalJson, sha256Hex } from '../../../lib/canonical-json';

/** IEEE-754 double from its 16 hex digits, as RFC 8785 Appendix B lists them. */
function double(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

function refusal(code: string, path: string) {
  return (err: unknown) => err instanceof CanonicalJsonError && err.code === code && err.path === path;
}

describe('canonical JSON (RFC 8785)', () => {
  it('writes the RFC 8785 §3.2.2 example: literals, numbers and string escapes, keys sorted, no whitespace', () => {
    // The input text of the example, parsed as the RFC's implementations parse it.
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    assert.equal(canonicalJson(JSON.parse(input)), expected);
  });

  it('sorts property names by UTF-16 code units (RFC 8785 §3.2.3 example), non-ASCII and surrogate pairs included', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // U+000D < "1" < U+0080 < U+00F6 < U+20AC < U+D83D (the emoji's high surrogate) < U+FB33: the emoji sorts
    // before U+FB33 by code units although its code point U+1F600 is larger.
    const expected =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    assert.equal(canonicalJson(input), expected);
  });

  it('writes numbers as RFC 8785 Appendix B lists them', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, text] of cases) assert.equal(canonicalJson(double(hex)), text, hex);
  });

  it('switches to exponent form below 1e-6 and from 1e21 on, and writes -0 as 0', () => {
    assert.equal(canonicalJson([1e20, 1e21, 1e-6, 1e-7, -0, 0.1, 100, -1.5]), '[100000000000000000000,1e+21,0.000001,1e-7,0,0.1,100,-1.5]');
  });

  it('escapes control characters in lowercase hex except the five with short forms, and leaves the rest as is', () => {
    assert.equal(canonicalJson('\u0000\u0007\b\t\n\u000b\f\r\u001f \u007f\u00e9\u2028/'), '"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f \u007f\u00e9\u2028/"');
  });

  it('sorts nested objects, keeps array order, and leaves out properties whose value is undefined', () => {
    assert.equal(canonicalJson({ b: [3, { z: 1, a: undefined, m: null }], a: {} }), '{"a":{},"b":[3,{"m":null,"z":1}]}');
    assert.equal(canonicalJson(Object.assign(Object.create(null) as object, { y: 1, x: 2 })), '{"x":2,"y":1}');
  });

  it('writes a shared sub-object each time it is reached', () => {
    const shared = { k: 1 };
    assert.equal(canonicalJson({ a: shared, b: [shared] }), '{"a":{"k":1},"b":[{"k":1}]}');
  });

  it('refuses what is not JSON, with a code and the path of the value', () => {
    assert.throws(() => canonicalJson({ a: [1, Number.NaN] }), refusal('NON_FINITE_NUMBER', '$.a[1]'));
    assert.throws(() => canonicalJson([Infinity]), refusal('NON_FINITE_NUMBER', '$[0]'));
    assert.throws(() => canonicalJson({ list: [1, undefined] }), refusal('UNDEFINED_VALUE', '$.list[1]'));
    assert.throws(() => canonicalJson([1, , 3]), refusal('UNDEFINED_VALUE', '$[1]'));
    assert.throws(() => canonicalJson(undefined), refusal('UNDEFINED_VALUE', '$'));
    assert.throws(() => canonicalJson({ f: () => 1 }), refusal('UNSUPPORTED_TYPE', '$.f'));
    assert.throws(() => canonicalJson({ 'odd key': 10n }), refusal('UNSUPPORTED_TYPE', '$["odd key"]'));
    assert.throws(() => canonicalJson([Symbol('s')]), refusal('UNSUPPORTED_TYPE', '$[0]'));
    assert.throws(() => canonicalJson({ at: new Date(0) }), refusal('UNSUPPORTED_TYPE', '$.at'));
    assert.throws(() => canonicalJson({ m: new Map() }), /a Map is not a plain JSON object at \$\.m/);
    assert.throws(() => canonicalJson({ s: 'a\ud800b' }), refusal('LONE_SURROGATE', '$.s'));
  });

  it('writes an array of primitives as its elements one by one, and refuses it where it refuses one of them', () => {
    const element = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\u0000\u001f', '\ud800', 'a\udfffb', '\ud83d\ude00', '\u2028'),
      fc.double(),
      fc.integer(),
      fc.constantFrom(-0, 1e21, 1e-7, true, false, null, undefined, NaN, Infinity),
    );
    const written = (value: unknown): string | undefined => {
      try {
        return canonicalJson(value);
      } catch {
        return undefined;
      }
    };
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), (array) => {
        const elements = array.map(written);
        const expected = elements.includes(undefined) ? undefined : `[${elements.join(',')}]`;
        assert.equal(written(array), expected);
      }),
      { numRuns: 2_000 },
    );
    const withToJson = Object.assign([1, 2], { toJSON: () => 'other' });
    assert.equal(canonicalJson(withToJson), '[1,2]', 'an array is its elements, whatever its toJSON says');
  });

  it('writes an object of primitives as its sorted members one by one, and refuses it where it refuses one of them', () => {
    const element = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"', '\\', '\ud800', '\ud83d\ude00'),
      fc.double(),
      fc.constantFrom(-0, 1e21, true, false, null, undefined, NaN),
    );
    const key = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('0', '1', '10', '2', '01', '4294967295', '-1', 'toJSON', 'a', 'B', '\u00e9', '\ud83d\ude00'));
    const written = (value: unknown): string | undefined => {
      try {
        return canonicalJson(value);
      } catch {
        return undefined;
      }
    };
    fc.assert(
      fc.property(fc.dictionary(key, element, { maxKeys: 10 }), (object) => {
        const keys = Object.keys(object).filter((k) => object[k] !== undefined).sort();
        const members = keys.map((k) => [written(k), written(object[k])]);
        const expected = members.some(([, v]) => v === undefined) ? undefined : `{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`;
        assert.equal(written(object), expected);
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses cycles, through objects and arrays', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { inner: [loop] };
    assert.throws(() => canonicalJson(loop), refusal('CYCLE', '$.self.inner[0]'));
  });

  it('hashes the UTF-8 bytes with SHA-256 in lowercase hex', () => {
    // FIPS 180-2 test vector for "abc", and the hash of no bytes.
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
