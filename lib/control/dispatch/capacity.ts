// The gas-limited capacity dispatch plans with, from the last few balances' availableW. Meter noise is a few kW,
// so a steady reading is smoothed by a straight line through the last half minute; but a falling gas supply (a dip reaching the
// engines through the line pack) moves kW per second, and dispatch sheds seconds late (a sleep lands in 1–2 s,
// telemetry follows), so a clear fall is met where it will be, LEAD_S ahead.

export interface AvailableSample {
  atMs: number;
  availableW: number;
}

/** balances kept: the fast trend uses the last FAST_SAMPLES, the slow trend all of them */
export const AVAILABLE_SAMPLES = 30;
const FAST_SAMPLES = 8;
/**
 * How far ahead a slow drift is met when targets are planned, s: about the time a live limit change takes to land
 * (10–30 s), so that load lowered now has landed when the capacity gets there.
 */
export const SOFT_LEAD_S = 20;
/** how far ahead a falling capacity is met, s: about a sleep's landing plus a telemetry period */
export const LEAD_S = 3;
/**
 * A fall slower than this share of the online rating per second is noise, not a trend: 0.5% meter noise on
 * 650 kW gives a slope of about 0.35 kW/s (1σ) over eight 1 s samples; a dip to half through a 60 s line pack
 * starts at 5 kW/s.
 */
const NOISE_SHARE_PER_S = 0.0015;
/** a drop larger than this share of the online rating between balances is a step (a trip), taken at once */
const STEP_SHARE = 0.05;

/** Least-squares line through the samples: its slope, W/s, and its value at the last sample; flat with fewer than three. */
export function fitLine(samples: readonly AvailableSample[]): { slopeWPerS: number; atLatestW: number } {
  const latest = samples.at(-1);
  if (!latest || samples.length < 3) return { slopeWPerS: 0, atLatestW: latest?.availableW ?? 0 };
  const n = samples.length;
  const tMean = samples.reduce((s, x) => s + x.atMs, 0) / n;
  const wMean = samples.reduce((s, x) => s + x.availableW, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.atMs - tMean) * (x.availableW - wMean);
    den += (x.atMs - tMean) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  return { slopeWPerS: slope * 1000, atLatestW: wMean + slope * (latest.atMs - tMean) };
}

export interface PlannedCapacity {
  /** what the load must not exceed now: sheds are measured against it */
  availableW: number;
  /** what targets are planned against: lower than `availableW` by the slow drift over SOFT_LEAD_S */
  plannedW: number;
  /** the fast fall being met, W/s (0 when steady or rising) */
  fallingWPerS: number;
}

/**
 * Steady: a straight line through the samples since the last step (30 s of 0.5% noise on 650 kW leaves about
 * 0.8 kW), read at the latest sample, or the median of the last three if lower; a step (a genset tripping or
 * starting) restarts the line. Falling fast: the latest sample, LEAD_S ahead on the fast slope.
 */
export function plannedAvailableW(samples: readonly AvailableSample[], ratingW: number): PlannedCapacity {
  const latest = samples.at(-1)?.availableW ?? 0;
  const stepW = STEP_SHARE * ratingW;
  let from = 0;
  for (let i = 1; i < samples.length; i++) if (Math.abs(samples[i]!.availableW - samples[i - 1]!.availableW) > stepW) from = i;
  const window = samples.slice(from);
  const slow = fitLine(window);
  const fast = fitLine(window.slice(-FAST_SAMPLES));
  const driftW = Math.min(0, slow.slopeWPerS) * SOFT_LEAD_S;
  if (fast.slopeWPerS < -Math.max(100, NOISE_SHARE_PER_S * ratingW)) {
    const availableW = Math.max(0, latest + fast.slopeWPerS * LEAD_S);
    return { availableW, plannedW: Math.max(0, Math.min(availableW, latest + driftW)), fallingWPerS: -fast.slopeWPerS };
  }
  const recent = window.slice(-3).map((x) => x.availableW).sort((a, b) => a - b);
  const median = recent[Math.floor(recent.length / 2)] ?? latest;
  // The line lags a fall that steepens; the median of the last three does not, so the lower of the two is planned with.
  const availableW = Math.max(0, Math.min(slow.atLatestW, median, latest + stepW));
  return { availableW, plannedW: Math.max(0, availableW + driftW), fallingWPerS: 0 };
}
