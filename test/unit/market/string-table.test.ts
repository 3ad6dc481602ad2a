import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StringTable } from '../../../lib/market/string-table';

describe('market string table', () => {
  it('answers as a Map does over random sets, updates and deletes, through growth and tombstones', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'set', 'delete', 'update'), fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3_000 }), (ops) => {
        const table = new StringTable<number>();
        const map = new Map<string, number>();
        const entries = new Map<string, number>();
        for (const [op, key, value] of ops) {
          if (op === 'set') {
            entries.set(key, table.set(key, value));
            map.set(key, value);
          } else if (op === 'update' && map.has(key)) {
            table.setEntry(entries.get(key) as number, value);
            map.set(key, value);
          } else if (op === 'delete') {
            assert.equal(table.delete(key), map.delete(key));
            entries.delete(key);
          }
          assert.equal(table.size, map.size);
        }
        for (const [, key] of ops) assert.equal(table.get(key), map.get(key));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps an entry number while the key lives, across growth', () => {
    const table = new StringTable<string>();
    const first = table.set('order-1', 'resting');
    for (let i = 0; i < 20_000; i++) table.set(`o-${i}`, 'x');
    table.setEntry(first, 'left');
    assert.equal(table.get('order-1'), 'left');
    assert.equal(table.size, 20_001);
  });
});
