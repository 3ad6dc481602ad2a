// Exact sums of quantity × price (Wh × msat/kWh). A product of two safe integers can pass 2^53, so the sum is
// kept as a Number while it is provably exact and moved into a BigInt before it could stop being so: the
// common case pays no BigInt arithmetic, and no case loses a unit.

export class ExactSum {
  private big = 0n;
  private small = 0;

  constructor(start: bigint = 0n) {
    this.big = start;
  }

  /** adds a × b, for safe integers a, b ≥ 0 */
  addProduct(a: number, b: number): void {
    const product = a * b;
    // A product above 2^53 − 1 cannot be represented exactly; a float at or below it is exact.
    if (product <= Number.MAX_SAFE_INTEGER && this.small + product <= Number.MAX_SAFE_INTEGER) {
      this.small += product;
      return;
    }
    this.big += BigInt(this.small) + BigInt(a) * BigInt(b);
    this.small = 0;
  }

  /** adds a × b where b may be negative */
  addSignedProduct(a: number, b: number): void {
    if (b >= 0) this.addProduct(a, b);
    else this.big -= BigInt(a) * BigInt(-b);
  }

  get value(): bigint {
    return this.big + BigInt(this.small);
  }
}

/** Wh × msat/kWh → msat, rounded down (the remainder stays with the payment stream). */
export function msatOf(whMsatPerKwh: bigint): number {
  const msat = whMsatPerKwh / 1000n;
  return Number(msat < 0n ? 0n : msat);
}

/** realised / best in thousandths, rounded down; 1000 when nothing could be gained */
export function perMille(realised: bigint, best: bigint): number {
  if (best <= 0n) return 1000;
  const ratio = (realised * 1000n) / best;
  return Number(ratio < 0n ? 0n : ratio > 1000n ? 1000n : ratio);
}
