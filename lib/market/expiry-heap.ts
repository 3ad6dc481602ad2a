// Resting orders by expiry time (then arrival), as a binary min-heap. An order that left the book some other
// way stays in the heap until it reaches the top and is dropped there (lazy deletion).

import type { Resting } from './ladder';

function before(a: Resting, b: Resting): boolean {
  return a.expiresAtMs < b.expiresAtMs || (a.expiresAtMs === b.expiresAtMs && a.seq < b.seq);
}

export class ExpiryHeap {
  private readonly items: Resting[] = [];

  push(order: Resting): void {
    const items = this.items;
    let i = items.push(order) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  /** the earliest expiry of a live order, Infinity when none */
  nextMs(): number {
    this.dropDead();
    return this.items.length > 0 ? this.items[0].expiresAtMs : Infinity;
  }

  /** removes and returns the earliest live order if it expires at or before `atMs` */
  popDue(atMs: number): Resting | undefined {
    this.dropDead();
    if (this.items.length === 0 || this.items[0].expiresAtMs > atMs) return undefined;
    return this.pop();
  }

  private dropDead(): void {
    while (this.items.length > 0 && !this.items[0].live) this.pop();
  }

  private pop(): Resting {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as Resting;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l], items[m])) m = l;
        if (r < items.length && before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}
