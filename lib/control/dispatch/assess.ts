// Whether the data dispatch runs on can be trusted this cycle, and what the site can carry: the gas-limited
// cap, the genset floors and the online rating.
import type { SiteBalance } from '../../schemas';

export type DispatchMode = 'follow' | 'fail-safe' | 'stopped';

export interface HeldBalance {
  balance: SiteBalance;
  /** on this dispatch's clock: freshness counts from arrival, never from the ts of another machine */
  arrivedMs: number;
}

export interface GensetState {
  online: boolean;
  arrivedMs: number;
}

export interface Assessment {
  mode: DispatchMode;
  reason: string;
  /** the balance is fresh and of usable quality (a fail-safe for the bus voltage alone): its figures hold */
  trusted: boolean;
}

export interface AssessLimits {
  staleMs: number;
  busMinV: number;
  busMaxV: number;
}

/**
 * follow: fresh data, good or suspect (the SiteBalance contract: only 'stale' means do not add load); fail-safe:
 * stale, bad, or the bus out of its band; stopped: no generation at all, every miner sleeps.
 */
export function assess(held: HeldBalance | undefined, nowMs: number, limits: AssessLimits): Assessment {
  if (!held) return { mode: 'fail-safe', reason: 'no SiteBalance yet', trusted: false };
  const { balance } = held;
  const ageMs = nowMs - held.arrivedMs;
  if (ageMs > limits.staleMs) return { mode: 'fail-safe', reason: `SiteBalance is ${Math.round(ageMs / 100) / 10} s old`, trusted: false };
  if (balance.availableW <= 0 && balance.generationW <= 0) return { mode: 'stopped', reason: 'no genset generates', trusted: true };
  if (balance.quality === 'stale' || balance.quality === 'bad') {
    return { mode: 'fail-safe', reason: `SiteBalance is ${balance.quality}${balance.qualityReason ? `: ${balance.qualityReason}` : ''}`, trusted: false };
  }
  const v = balance.busVoltageV;
  if (v !== undefined && (v < limits.busMinV || v > limits.busMaxV)) {
    return { mode: 'fail-safe', reason: `bus at ${v.toFixed(1)} V is outside ${limits.busMinV}–${limits.busMaxV} V`, trusted: true };
  }
  if (balance.quality === 'suspect') return { mode: 'follow', reason: `SiteBalance is suspect${balance.qualityReason ? `: ${balance.qualityReason}` : ''}`, trusted: true };
  return { mode: 'follow', reason: 'following the surplus', trusted: true };
}

/** Rating of the gensets online: from fresh genset readings when there are any, else every configured set. */
export function onlineRatingW(gensets: ReadonlyMap<string, GensetState>, nowMs: number, staleMs: number, ratingW: number, count: number): number {
  let fresh = 0;
  let online = 0;
  for (const g of gensets.values()) {
    if (nowMs - g.arrivedMs > staleMs) continue;
    fresh++;
    if (g.online) online++;
  }
  return (fresh > 0 ? online : count) * ratingW;
}
