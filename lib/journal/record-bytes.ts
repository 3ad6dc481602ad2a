// The bytes of a batch of journal records, written as each record is appended, so that a record's data is
// turned into UTF-8 once: its hash is taken over those bytes, and the same bytes (moved into place) are the
// line that goes to disk. Building the hash input and the line as two strings, then joining the lines of a
// batch into one more string for the write, turned every record's text into bytes three times (for the hash,
// for the join, for the write) and was the journal's largest cost on the market's hot path.
//
// For each record, at the free end of the current chunk:
//
//   prev {"data":DATA,"kind":K,"seq":S,"v":V}          ← hashed: sha256(prev + canonicalJson({v,seq,kind,data}))
//   {"data":DATA,"hash":"H","kind":K,"prev":"P","seq":S,"v":V}\n   ← the line (format.ts), in place of the above
//
// A test holds the line to the format's definition: canonicalJson({v, seq, kind, data, prev, hash}) and a newline.

import { hash } from 'node:crypto';

const CHUNK_BYTES = 1 << 20;
/** chunks kept for the next batches: a fresh chunk costs the kernel a page fault per 4 KiB on first write */
const SPARE_CHUNKS = 16;
/** what surrounds the data and the kind in the line and the hash input, with room to spare: hash, prev, seq, v */
const FRAME_BYTES = 512;

/** The chunks of a journal's batches, used again once their batch is on disk. */
export class ChunkPool {
  private readonly spare: Buffer[] = [];

  take(minBytes: number): Buffer {
    const chunk = this.spare.pop();
    if (chunk !== undefined && chunk.length >= minBytes) return chunk;
    if (chunk !== undefined) this.spare.push(chunk);
    return Buffer.allocUnsafe(Math.max(CHUNK_BYTES, minBytes));
  }

  give(chunk: Buffer): void {
    if (chunk.length === CHUNK_BYTES && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk);
  }
}

export class RecordBytes {
  /** the chunks filled before the current one, and how much of each */
  private readonly filled: { chunk: Buffer; used: number }[] = [];
  private chunk: Buffer | undefined;
  private used = 0;
  /** bytes of the lines so far */
  length = 0;

  constructor(private readonly pool: ChunkPool) {}

  /**
   * Appends the record's line; returns its hash. `dataJson` must be the canonical JSON of the data and
   * `kindJson` that of the kind.
   */
  append(v: number, seq: number, kindJson: string, prev: string, dataJson: string): string {
    // UTF-16 code units × 3 bounds the UTF-8 bytes; a chunk always has room for the whole record.
    const bound = FRAME_BYTES + (prev.length + kindJson.length + dataJson.length) * 3;
    if (this.chunk === undefined || this.chunk.length - this.used < bound) this.next(bound);
    const buf = this.chunk as Buffer;
    const start = this.used;
    const prevBytes = buf.write(prev, start, 'utf8');
    let at = start + prevBytes;
    at += buf.write('{"data":', at, 'latin1');
    at += buf.write(dataJson, at, 'utf8');
    const dataEnd = at;
    at += buf.write(`,"kind":${kindJson},"seq":${seq},"v":${v}}`, at, 'utf8');
    const recordHash = hash('sha256', buf.subarray(start, at), 'hex');
    buf.copyWithin(start, start + prevBytes, dataEnd);
    at = dataEnd - prevBytes;
    at += buf.write(`,"hash":"${recordHash}","kind":${kindJson},"prev":"${prev}","seq":${seq},"v":${v}}\n`, at, 'utf8');
    this.length += at - start;
    this.used = at;
    return recordHash;
  }

  /** the lines, in order, as the buffers to write */
  buffers(): Buffer[] {
    const out = this.filled.map((f) => f.chunk.subarray(0, f.used));
    if (this.chunk !== undefined && this.used > 0) out.push(this.chunk.subarray(0, this.used));
    return out;
  }

  /** Hands the chunks back to the pool: call once the lines are written, never before. */
  release(): void {
    for (const f of this.filled) this.pool.give(f.chunk);
    if (this.chunk !== undefined) this.pool.give(this.chunk);
    this.filled.length = 0;
    this.chunk = undefined;
  }

  private next(bound: number): void {
    if (this.chunk !== undefined) this.filled.push({ chunk: this.chunk, used: this.used });
    this.chunk = this.pool.take(bound);
    this.used = 0;
  }
}
