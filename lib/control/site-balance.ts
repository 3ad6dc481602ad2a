// Site power balance of one DC bus from the latest reading of every meter.
//
// Sign convention (Kirchhoff, docs/contracts.md), stated once here: a meter's powerW is positive when power flows
// INTO the DC bus from its device and negative when the device draws from the bus. Why: with one sign for
// every role, the sum over all device meters is about zero whatever the mix of gensets, loads, prosumers and
// miners, so a missing or mis-wired meter shows up as a non-zero imbalance instead of hiding in a
// role-specific formula. Demands are reported as positive numbers (firmDemandW, minerW) because that is how a
// plant engineer reads them; they are the negated sums of their meters' powerW.
//
// The `bus` meter measures the feeder's throughput, not a device, so it gives the bus voltage and stays out
// of every sum.
import { isMeterReading } from '../schemas';
import type { MeterReading, Quality, SiteBalance } from '../schemas/contracts';

export interface SiteBalanceSettings {
  site: string;
  /** spinning reserve floor, W */
  reserveW: number;
  /** spinning reserve as a share of availableW, % (0-100); the larger of the two is kept */
  reservePct: number;
  /** a reading that arrived longer ago than this counts as stale, ms */
  staleAfterMs: number;
  /** a reading whose ts differs from its arrival by more than this is suspect: the meter's clock is off, ms */
  maxSkewMs: number;
  /** an |imbalanceW| above the larger of this and imbalancePct of generationW makes the balance suspect, W */
  imbalanceToleranceW: number;
  /** %, 0-100 */
  imbalanceTolerancePct: number;
  /** meter ids that must report; one that never did is listed in staleMeters */
  expectedMeters: readonly string[];
}

/** Starting points (domain.md §9: reserve about 5% of online rating; staleAfterS 5 s). */
export const DEFAULT_SITE_BALANCE_SETTINGS: SiteBalanceSettings = {
  site: 'site-1',
  reserveW: 20_000,
  reservePct: 5,
  staleAfterMs: 5_000,
  maxSkewMs: 30_000,
  imbalanceToleranceW: 2_000,
  imbalanceTolerancePct: 3,
  expectedMeters: [],
};

/** A SiteBalance plus the sentence that says why it is not good (docs/contracts.md's SiteBalance has no such field). */
export interface SiteBalanceReport extends SiteBalance {
  qualityReason?: string;
}

/**
 * A reading as the balance holds it: with when it arrived here. Freshness counts from arrival on the balance's
 * clock, never from the meter's `ts`, whose clock may be another machine's.
 */
export interface HeldReading {
  reading: MeterReading;
  arrivedMs: number;
}

/** Latest reading per (site, meter id). */
export type MeterTable = Map<string, HeldReading>;

export function meterKey(site: string, meterId: string): string {
  return `${site}/${meterId}`;
}

export class ForeignSiteError extends Error {
  readonly code = 'FOREIGN_SITE';
  override name = 'ForeignSiteError';
}

/**
 * A msg.payload checked against the MeterReading contract for this balance's site. A reading without `site`
 * (as release 0.1 meters sent them) is taken as this site's, and `legacy` says so, so the caller can warn once.
 * @throws ContractError when it is not a MeterReading; ForeignSiteError when it is another site's.
 */
export function admitReading(value: unknown, site: string): { reading: MeterReading; legacy: boolean } {
  const legacy = typeof value === 'object' && value !== null && !Array.isArray(value) && !('site' in value);
  const candidate = legacy ? { ...(value as object), site } : value;
  const reading = isMeterReading.parse(candidate);
  if (reading.site !== site) {
    throw new ForeignSiteError(`meter ${reading.meterId} reads for site '${reading.site}'; this balance is site '${site}'`);
  }
  return { reading, legacy };
}

/**
 * Keeps the reading if it is not older than the one already held for its meter, so a reading delivered
 * late (MQTT redelivery, a slow poll) cannot roll the balance back. Returns whether the table changed.
 */
export function recordReading(table: MeterTable, reading: MeterReading, arrivedMs: number): boolean {
  const key = meterKey(reading.site, reading.meterId);
  const held = table.get(key);
  if (held && Date.parse(held.reading.ts) > Date.parse(reading.ts)) return false;
  table.set(key, { reading, arrivedMs });
  return true;
}

function isStale({ reading, arrivedMs }: HeldReading, staleAfterMs: number, nowMs: number): boolean {
  return reading.quality === 'stale' || reading.quality === 'bad' || nowMs - arrivedMs > staleAfterMs;
}

/** Whole watts: float sums of fractional readings would otherwise show 1e-12 W noise (and -0). */
function roundW(powerW: number): number {
  return Math.round(powerW) || 0;
}

/** Why a balance is not good; the node's status shows the first one of the worst severity. */
export type BalanceIssue = { severity: Exclude<Quality, 'good' | 'bad'> } & (
  | { kind: 'stale-meter'; meterId: string; role: MeterReading['role'] }
  | { kind: 'suspect-meter'; meterId: string; reason?: string }
  | { kind: 'clock-skew'; meterId: string; skewMs: number }
  | { kind: 'no-available-power'; meterId: string }
  | { kind: 'never-reported'; meterId: string }
  | { kind: 'no-genset' }
  | { kind: 'imbalance'; imbalanceW: number; toleranceW: number }
);

export function describeIssue(issue: BalanceIssue): string {
  switch (issue.kind) {
    case 'stale-meter':
      return `${issue.role} meter ${issue.meterId} is stale`;
    case 'suspect-meter':
      return `meter ${issue.meterId} is suspect${issue.reason ? `: ${issue.reason}` : ''}`;
    case 'clock-skew':
      return `meter ${issue.meterId}'s clock is ${Math.round(issue.skewMs / 1000)} s off this balance's`;
    case 'no-available-power':
      return `genset ${issue.meterId} gives no availablePowerW; its powerW is counted`;
    case 'never-reported':
      return `meter ${issue.meterId} never reported`;
    case 'no-genset':
      return 'no genset reading';
    case 'imbalance':
      return `meters do not sum to zero: imbalance ${issue.imbalanceW} W beyond ${issue.toleranceW} W`;
  }
}

export interface SiteBalanceAssessment {
  balance: SiteBalanceReport;
  issues: BalanceIssue[];
}

export function computeSiteBalance(table: MeterTable, settings: SiteBalanceSettings, nowMs: number): SiteBalanceAssessment {
  let generationW = 0;
  let availableW = 0;
  let firmDrawW = 0;
  let minerDrawW = 0;
  let imbalanceW = 0;
  let gensets = 0;
  let busReading: MeterReading | undefined;
  const issues: BalanceIssue[] = [];
  const staleMeters = new Set<string>();

  for (const held of table.values()) {
    const { reading } = held;
    const { meterId, role } = reading;
    const skewMs = Date.parse(reading.ts) - held.arrivedMs;
    if (Math.abs(skewMs) > settings.maxSkewMs) issues.push({ kind: 'clock-skew', meterId, skewMs, severity: 'suspect' });
    if (isStale(held, settings.staleAfterMs, nowMs)) {
      staleMeters.add(meterId);
      // Generation and the bus decide whether load may be added at all; without them the balance is blind.
      issues.push({ kind: 'stale-meter', meterId, role, severity: role === 'genset' || role === 'bus' ? 'stale' : 'suspect' });
    } else if (reading.quality === 'suspect') {
      issues.push({ kind: 'suspect-meter', meterId, reason: reading.qualityReason, severity: 'suspect' });
    }

    if (role === 'bus') {
      if (!busReading || Date.parse(reading.ts) > Date.parse(busReading.ts)) busReading = reading;
      continue;
    }
    imbalanceW += reading.powerW;
    switch (role) {
      case 'genset':
        gensets += 1;
        generationW += reading.powerW;
        if (reading.availablePowerW === undefined) {
          // Without the gas-limited capacity the genset's present output is the only safe guess: it is
          // certainly available, and assuming more could let dispatch add load the gas cannot carry.
          availableW += reading.powerW;
          issues.push({ kind: 'no-available-power', meterId, severity: 'suspect' });
        } else {
          availableW += reading.availablePowerW;
        }
        break;
      case 'miner':
        minerDrawW -= reading.powerW;
        break;
      default:
        firmDrawW -= reading.powerW;
    }
  }

  for (const meterId of settings.expectedMeters) {
    if (!table.has(meterKey(settings.site, meterId))) {
      staleMeters.add(meterId);
      issues.push({ kind: 'never-reported', meterId, severity: 'suspect' });
    }
  }
  if (gensets === 0) issues.push({ kind: 'no-genset', severity: 'stale' });

  const toleranceW = Math.max(settings.imbalanceToleranceW, (settings.imbalanceTolerancePct / 100) * Math.abs(generationW));
  if (Math.abs(imbalanceW) > toleranceW) {
    issues.push({ kind: 'imbalance', imbalanceW: roundW(imbalanceW), toleranceW: roundW(toleranceW), severity: 'suspect' });
  }

  const reserveW = Math.max(settings.reserveW, (settings.reservePct / 100) * availableW);
  const quality: Quality = issues.some((i) => i.severity === 'stale') ? 'stale' : issues.length > 0 ? 'suspect' : 'good';
  const balance: SiteBalanceReport = {
    site: settings.site,
    ts: new Date(nowMs).toISOString(),
    generationW: roundW(generationW),
    firmDemandW: roundW(firmDrawW),
    minerW: roundW(minerDrawW),
    availableW: roundW(availableW),
    reserveW: roundW(reserveW),
    surplusW: roundW(availableW - firmDrawW - reserveW),
    quality,
    staleMeters: [...staleMeters].sort(),
    imbalanceW: roundW(imbalanceW),
  };
  if (typeof busReading?.voltageV === 'number') balance.busVoltageV = busReading.voltageV;
  if (issues.length > 0) balance.qualityReason = issues.map(describeIssue).join('; ');
  return { balance, issues };
}

/**
 * When the next fresh reading turns stale by age alone, so the caller can re-emit the balance right then
 * rather than at the next heartbeat; undefined when no reading will age out.
 */
export function nextStaleAtMs(table: MeterTable, settings: SiteBalanceSettings, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const held of table.values()) {
    if (isStale(held, settings.staleAfterMs, nowMs)) continue;
    // +1: isStale is strict (older than staleAfterMs), so at exactly arrival + staleAfterMs the reading is still fresh.
    const staleAtMs = held.arrivedMs + settings.staleAfterMs + 1;
    if (next === undefined || staleAtMs < next) next = staleAtMs;
  }
  return next;
}
