// The journal's batch bytes (record-bytes.ts) are the lines the format defines (format.ts, journal.ts): the
// canonical JSON of {v, seq, kind, data, prev, hash} and a newline, hash = sha256(prev + canonicalJson({v, seq,
// kind, data})), across chunk boundaries and for a record larger than a chunk.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../../lib/canonical-json';
import { entryHash, GENESIS_HASH } from '../../../lib/journal/format';
import { ChunkPool, RecordBytes } from '../../../lib/journal/record-bytes';

const data = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function both(records: readonly { kind: string; data: unknown }[], v = 1, pool = new ChunkPool()): void {
  const bytes = new RecordBytes(pool);
  let prev = GENESIS_HASH;
  let expected = '';
  records.forEach((record, i) => {
    const entry = { v, seq: i + 1, kind: record.kind, data: record.data, prev };
    const hash = bytes.append(v, i + 1, canonicalJson(record.kind), prev, canonicalJson(record.data));
    assert.equal(hash, entryHash(entry));
    expected += `${canonicalJson({ ...entry, hash })}\n`;
    prev = hash;
  });
  const written = Buffer.concat(bytes.buffers());
  assert.equal(written.length, bytes.length);
  assert.ok(written.equals(Buffer.from(expected, 'utf8')), 'the bytes are the lines of the format');
  bytes.release();
}

describe('journal: batch bytes', () => {
  it('writes the lines and hashes the format defines', () => {
    fc.assert(fc.property(fc.array(fc.record({ kind: fc.oneof(fc.constantFrom('order', 'trade'), fc.string({ unit: 'grapheme' })), data }), { maxLength: 20 }), fc.integer({ min: 1, max: 3 }), (records, v) => both(records, v)));
  });

  it('runs on over chunk boundaries, and takes a record larger than a chunk', () => {
    const filler = { text: 'x'.repeat(10_000), unicode: 'ü€😀'.repeat(1000) };
    const records: { kind: string; data: unknown }[] = Array.from({ length: 300 }, (_, i) => ({ kind: 'order', data: { i, ...filler } }));
    records.splice(150, 0, { kind: 'big', data: { text: 'y'.repeat(3 << 20) } });
    const pool = new ChunkPool();
    both(records, 1, pool);
    // and again in the chunks the first batch handed back
    both(records.slice(100), 2, pool);
  });
});
