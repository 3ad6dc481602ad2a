// TypeScript shapes of the message contracts in DESIGN.md §4. The JSON Schemas beside this file are the
// same contracts for outside participants; a test keeps the two in step.

/** Where a meter sits on the DC bus; decides the sign of its power (DESIGN.md §4, Kirchhoff). */
export const METER_ROLES = ['genset', 'bus', 'load', 'prosumer', 'miner', 'battery'] as const;
export type MeterRole = (typeof METER_ROLES)[number];

export const QUALITIES = ['good', 'stale', 'suspect', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

export interface MeterReading {
  meterId: string;
  role: MeterRole;
  /** ISO 8601 UTC */
  ts: string;
  /** positive into the DC bus, negative drawn from it */
  powerW: number;
  /** cumulative energy into the bus, monotonic */
  energyInWh: number;
  /** cumulative energy out of the bus, monotonic */
  energyOutWh: number;
  voltageV?: number;
  currentA?: number;
  /** genset only: what the gas supply can carry now */
  availablePowerW?: number;
  fuelScfm?: number;
  quality: Quality;
  qualityReason?: string;
  profile?: string;
  /** true when energy was integrated from power because the meter has no counter */
  energyDerived?: boolean;
}

export interface SiteBalance {
  site: string;
  ts: string;
  generationW: number;
  /** every draw except flexible miners */
  firmDemandW: number;
  minerW: number;
  /** gas-limited generation capacity */
  availableW: number;
  reserveW: number;
  /** availableW - firmDemandW - reserveW: what flexible load may take */
  surplusW: number;
  busVoltageV?: number;
  quality: Quality;
  /** why the quality is not good, in a sentence */
  qualityReason?: string;
  staleMeters: string[];
  /** sum of powerW over the device meters; near zero when every meter is present and right */
  imbalanceW: number;
}
