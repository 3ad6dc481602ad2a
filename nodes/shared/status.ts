// Short status texts (Node-RED shows about 20 characters under a node) in the units a plant engineer reads.

/** 950 -> "950 W", 12345 -> "12.3 kW", -2500000 -> "-2.50 MW" */
export function formatPowerW(powerW: number): string {
  const magnitude = Math.abs(powerW);
  if (magnitude >= 1e6) return `${(powerW / 1e6).toFixed(2)} MW`;
  if (magnitude >= 1e4) return `${(powerW / 1e3).toFixed(1)} kW`;
  if (magnitude >= 1e3) return `${(powerW / 1e3).toFixed(2)} kW`;
  return `${Math.round(powerW)} W`;
}

/** 800 -> "0.8 s", 42000 -> "42 s", 3700000 -> "62 min" */
export function formatAgeMs(ageMs: number): string {
  if (ageMs < 10_000) return `${(ageMs / 1000).toFixed(1)} s`;
  if (ageMs < 120_000) return `${Math.round(ageMs / 1000)} s`;
  return `${Math.round(ageMs / 60_000)} min`;
}

/** A wait as a user reads it: 400 -> "1 s", 4600 -> "5 s", 90000 -> "90 s", 300000 -> "5 min" */
export function formatWaitMs(waitMs: number): string {
  if (waitMs < 120_000) return `${Math.max(1, Math.round(waitMs / 1000))} s`;
  return `${Math.round(waitMs / 60_000)} min`;
}

/** Money as a user reads it, in sat: 950 msat -> "0.95 sat", 12_345_000 -> "12.3k sat", 4.2e9 -> "4.20M sat" */
export function formatMsat(msat: number): string {
  const sat = msat / 1000;
  if (sat >= 1e6) return `${(sat / 1e6).toFixed(2)}M sat`;
  if (sat >= 1e4) return `${(sat / 1e3).toFixed(1)}k sat`;
  if (sat >= 1e3) return `${(sat / 1e3).toFixed(2)}k sat`;
  if (sat >= 10 || sat === 0) return `${Math.round(sat)} sat`;
  return `${sat.toFixed(2)} sat`;
}

/** 950 -> "950 Wh", 1500 -> "1.50 kWh", 12345 -> "12.3 kWh", 2500000 -> "2.50 MWh" */
export function formatEnergyWh(energyWh: number): string {
  return formatPowerW(energyWh).replace(/W$/, 'Wh');
}

/** A price in sat/kWh, as traders quote it: 95000 -> "95 sat", 95500 -> "95.5 sat", 250 -> "0.25 sat" */
export function formatPriceMsatPerKwh(priceMsatPerKwh: number): string {
  const sat = priceMsatPerKwh / 1000;
  const digits = Number.isInteger(sat) ? 0 : Math.abs(sat) >= 100 ? 0 : Math.abs(sat) >= 10 ? 1 : 2;
  return `${sat.toFixed(digits)} sat`;
}
