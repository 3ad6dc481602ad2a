// Which price levels of a ladder hold orders: a two-level bitmap, so that finding the next level with orders
// after the best one empties costs a few word operations, not a walk over every empty tick.

function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function highestBit(word: number): number {
  return 31 - Math.clz32(word);
}

export class LevelBits {
  private readonly words: Uint32Array;
  /** bit w is set when words[w] is not 0 */
  private readonly summary: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  set(index: number): void {
    const w = index >>> 5;
    this.words[w] |= 1 << (index & 31);
    this.summary[w >>> 5] |= 1 << (w & 31);
  }

  clear(index: number): void {
    const w = index >>> 5;
    this.words[w] &= ~(1 << (index & 31));
    if (this.words[w] === 0) this.summary[w >>> 5] &= ~(1 << (w & 31));
  }

  /** the lowest set index at or above `from`, or -1 */
  nextUp(from: number): number {
    if (from >= this.size) return -1;
    let w = from >>> 5;
    const bits = this.words[w] & (0xffffffff << (from & 31));
    if (bits !== 0) return (w << 5) + lowestBit(bits);
    w++;
    let s = w >>> 5;
    if (s >= this.summary.length) return -1;
    let sbits = (w & 31) === 0 ? this.summary[s] : this.summary[s] & (0xffffffff << (w & 31));
    while (sbits === 0) {
      if (++s >= this.summary.length) return -1;
      sbits = this.summary[s];
    }
    const word = (s << 5) + lowestBit(sbits);
    return (word << 5) + lowestBit(this.words[word]);
  }

  /** the highest set index at or below `from`, or -1 */
  nextDown(from: number): number {
    if (from < 0) return -1;
    let w = from >>> 5;
    const b = from & 31;
    const bits = b === 31 ? this.words[w] : this.words[w] & ((1 << (b + 1)) - 1);
    if (bits !== 0) return (w << 5) + highestBit(bits);
    if (--w < 0) return -1;
    let s = w >>> 5;
    const sb = w & 31;
    let sbits = sb === 31 ? this.summary[s] : this.summary[s] & ((1 << (sb + 1)) - 1);
    while (sbits === 0) {
      if (--s < 0) return -1;
      sbits = this.summary[s];
    }
    const word = (s << 5) + highestBit(sbits);
    return (word << 5) + highestBit(this.words[word]);
  }
}
