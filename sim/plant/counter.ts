// Cumulative energy register that integrates without drift: power is taken to the milliwatt and time to the
// millisecond, the product is an integer, and whole watt-hours are carried into a bigint, so that a u64 preset
// keeps its last digit and a day of 100 ms steps adds up to exactly P × t.

const MW_MS_PER_WH = 3_600_000_000n;
const MW_MS_PER_WH_NUMBER = 3_600_000_000;

export class EnergyCounter {
  private wholeWh: bigint;
  /** Energy below one Wh not yet carried, in mW·ms, 0 ≤ remainder < 3.6e9. */
  private remainderMwMs = 0;

  constructor(presetWh: number | bigint = 0) {
    this.wholeWh = BigInt(presetWh);
  }

  /** Adds `powerW` (≥ 0) held for `dtMs`. */
  add(powerW: number, dtMs: number): void {
    const milliwatts = Math.round(powerW * 1000);
    if (milliwatts <= 0) return;
    this.remainderMwMs += milliwatts * dtMs;
    if (this.remainderMwMs >= MW_MS_PER_WH_NUMBER) {
      const carried = Math.floor(this.remainderMwMs / MW_MS_PER_WH_NUMBER);
      this.wholeWh += BigInt(carried);
      this.remainderMwMs -= carried * MW_MS_PER_WH_NUMBER;
    }
  }

  /** What a meter presents: the floor of the integrated energy, Wh. */
  get wh(): bigint {
    return this.wholeWh;
  }

  /** Integrated energy with its fraction, Wh (loses precision above 2^53 Wh, which only presets reach). */
  get exactWh(): number {
    return Number(this.wholeWh) + this.remainderMwMs / Number(MW_MS_PER_WH);
  }

  reset(toWh: number | bigint = 0): void {
    this.wholeWh = BigInt(toWh);
    this.remainderMwMs = 0;
  }
}

/** The presented count modulo the register width: u32 and acc32 wrap at 2^32, u64 at 2^64. */
export function wrapCount(wh: bigint, bits: 32 | 64): bigint {
  return BigInt.asUintN(bits, wh);
}

/** JSON-safe count: a number while exact, else its decimal string. */
export function countToJson(wh: bigint): number | string {
  return wh <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wh) : wh.toString();
}

export interface CounterPreset {
  forwardWh?: number | bigint;
  reverseWh?: number | bigint;
}

/** One metered point: forward/reverse counters and its present power in the meter's own forward sense. */
export class MeterPoint {
  readonly forward: EnergyCounter;
  readonly reverse: EnergyCounter;
  powerW = 0;
  resetSincePowerUp = false;

  constructor(preset: CounterPreset = {}) {
    this.forward = new EnergyCounter(preset.forwardWh ?? 0);
    this.reverse = new EnergyCounter(preset.reverseWh ?? 0);
  }

  book(powerW: number, dtMs: number): void {
    this.powerW = powerW;
    if (powerW > 0) this.forward.add(powerW, dtMs);
    else this.reverse.add(-powerW, dtMs);
  }

  reset(): void {
    this.forward.reset();
    this.reverse.reset();
    this.resetSincePowerUp = true;
  }
}
