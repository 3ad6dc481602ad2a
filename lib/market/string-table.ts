// A hash table from strings to values, for the market's million-entry registries of order ids and nonces.
// Why not a Map: with a million short keys, a V8 Map spends most of an insert on cache misses in its ordered
// bucket chains (measured here: about three times this table's cost, and the largest single cost of taking an
// order). This one is open addressing with linear probing over an Int32Array of entry numbers, the keys and
// values in plain arrays beside it, and the hashes kept so that growing never hashes again.
//
// The hash is FNV-1a over the UTF-16 code units, with a per-table random seed so that a participant cannot
// choose ids that collide (the table's answers do not depend on the seed, only its speed does). Deleted slots
// become tombstones that inserts reuse; the table is rebuilt when live entries and tombstones fill half of it.

import { randomInt } from 'node:crypto';

const EMPTY = 0;
const DELETED = -1;

export class StringTable<V> {
  /** per slot: EMPTY, DELETED or entry + 1 */
  private slots = new Int32Array(1024);
  private mask = 1023;
  private keys: (string | undefined)[] = [];
  private values: (V | undefined)[] = [];
  /** per entry; an Int32Array, since most hashes are not small integers and a plain array would box them */
  private hashes = new Int32Array(1024);
  /** entries freed by delete, for reuse */
  private free: number[] = [];
  /** slots that are not EMPTY (live or tombstones) */
  private occupied = 0;
  size = 0;
  private readonly seed = randomInt(0x7fffffff);

  private hash(key: string): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h ^ (h >>> 15);
  }

  /** the slot of `key`, or -(the first slot where it could go) − 1 when it is absent */
  private find(key: string, hash: number): number {
    let slot = hash & this.mask;
    let reusable = -1;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === EMPTY) return -(reusable >= 0 ? reusable : slot) - 1;
      if (entry === DELETED) {
        if (reusable < 0) reusable = slot;
      } else if (this.hashes[entry - 1] === hash && this.keys[entry - 1] === key) {
        return slot;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  get(key: string): V | undefined {
    const slot = this.find(key, this.hash(key));
    return slot < 0 ? undefined : this.values[this.slots[slot] - 1];
  }

  /** Sets the value of `key` and returns its entry number, which stays the key's until it is deleted. */
  set(key: string, value: V): number {
    const hash = this.hash(key);
    const slot = this.find(key, hash);
    if (slot >= 0) {
      this.values[this.slots[slot] - 1] = value;
      return this.slots[slot] - 1;
    }
    const at = -slot - 1;
    const entry = this.free.length > 0 ? (this.free.pop() as number) : this.keys.length;
    if (entry === this.hashes.length) {
      const grown = new Int32Array(entry * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.keys[entry] = key;
    this.values[entry] = value;
    this.hashes[entry] = hash;
    if (this.slots[at] === EMPTY) this.occupied++;
    this.slots[at] = entry + 1;
    this.size++;
    if (this.occupied * 2 > this.slots.length) this.rebuild();
    return entry;
  }

  /** Sets the value of the key with this entry number (from set), without hashing it again. */
  setEntry(entry: number, value: V): void {
    this.values[entry] = value;
  }

  delete(key: string): boolean {
    const slot = this.find(key, this.hash(key));
    if (slot < 0) return false;
    const entry = this.slots[slot] - 1;
    this.slots[slot] = DELETED;
    this.keys[entry] = undefined;
    this.values[entry] = undefined;
    this.free.push(entry);
    this.size--;
    return true;
  }

  /** Re-places every live entry in a table sized for twice of them (tombstones go). */
  private rebuild(): void {
    let length = this.slots.length;
    while (this.size * 4 > length) length *= 2;
    this.slots = new Int32Array(length);
    this.mask = length - 1;
    this.occupied = 0;
    for (let entry = 0; entry < this.keys.length; entry++) {
      if (this.keys[entry] === undefined) continue;
      let slot = this.hashes[entry] & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = entry + 1;
      this.occupied++;
    }
  }
}
