// Every physical constant and default figure of the plant model, each with its source, so that a plant engineer
// can audit the numbers in one place. [A] marks a modelling choice that no source confirms (research/domain.md).

/** Energy in 1 kWh expressed in BTU (exact conversion, 1 kWh = 3,412.14 BTU). */
export const BTU_PER_KWH = 3412.14;

/** Associated-gas heating value: rich gas, 1,000–1,400 BTU/scf (docs/domain.md; research/domain.md §2). */
export const DEFAULT_HEATING_VALUE_BTU_PER_SCF = 1200;

/** Mean flare-gas flow of one site: between Upstream-scale vents and EZ Blockchain's 250 Mcf/d (domain.md §8) [A]. */
export const DEFAULT_GAS_FLOW_MCFD = 150;

/** Diurnal swing of the gas flow, ±8% sine with its minimum at 05:00 (domain.md §8) [A]. */
export const DEFAULT_DIURNAL_AMPLITUDE = 0.08;
/** Hour of day (UTC) at which the diurnal sine is lowest (domain.md §8) [A]. */
export const DIURNAL_MIN_HOUR = 5;
/** AR(1) flow noise: sigma 5% of mean, time constant 10 min (domain.md §8) [A]. */
export const DEFAULT_NOISE_SIGMA = 0.05;
export const DEFAULT_NOISE_TAU_MS = 10 * 60_000;

/** Random gas events per day and their shapes (domain.md §8) [A]. */
export const GAS_EVENTS = {
  slug: { perDay: 4, minFactor: 1.25, maxFactor: 1.4, minMs: 2 * 60_000, maxMs: 8 * 60_000 },
  dip: { perDay: 2, minFactor: 0.4, maxFactor: 0.6, minMs: 5 * 60_000, maxMs: 20 * 60_000 },
  shutIn: { perDay: 1, minFactor: 0, maxFactor: 0, minMs: 20 * 60_000, maxMs: 20 * 60_000 },
} as const;

/** Gas genset heat rate: reciprocating gas engines run 9,000–12,000 BTU/kWh (docs/domain.md). */
export const DEFAULT_HEAT_RATE_BTU_PER_KWH = 10_500;
/** Genset prime rating: 2 × 400 kWe lean-burn (domain.md §8) [A]. */
export const DEFAULT_GENSET_RATING_W = 400_000;
export const DEFAULT_GENSET_COUNT = 2;
/**
 * Part-load electrical efficiency, Caterpillar G3516 curve: 31 / 30 / 29 / 25% at 100 / 75 / 50 / 30% load
 * (docs/domain.md; domain.md §4: 11.54 / 11.87 / 12.59 MJ/ekWh). Used when the part-load model is switched on.
 */
export const CAT_G3516_EFFICIENCY_CURVE: ReadonlyArray<readonly [loadFraction: number, efficiency: number]> = [
  [0.3, 0.25],
  [0.5, 0.29],
  [0.75, 0.3],
  [1, 0.31],
];
/** Hard minimum stable load 30%, soft minimum 50% (Caterpillar, "The Impact of Generator Set Underloading", 2013). */
export const HARD_MIN_LOAD_FRACTION = 0.3;
export const SOFT_MIN_LOAD_FRACTION = 0.5;
/** Time below the hard minimum before the controller trips the set [A]: Caterpillar only says "long periods". */
export const DEFAULT_HARD_MIN_TRIP_MS = 30 * 60_000;
/** Ramp limits: up 2 %/s, down 10 %/s of rating (DEIF AGC defaults, domain.md §4). */
export const RAMP_UP_FRACTION_PER_S = 0.02;
export const RAMP_DOWN_FRACTION_PER_S = 0.1;
/** Trips: fuel below demand for > 5 s; overload > 110% for > 2 s (domain.md §8) [A]. */
export const FUEL_SHORTFALL_TRIP_MS = 5_000;
export const OVERLOAD_FRACTION = 1.1;
export const OVERLOAD_TRIP_MS = 2_000;
/** Restart 60 s after a trip, then 60 s crank and warm-up; cool-down 60 s on a stop (domain.md §8) [A]. */
export const RESTART_DELAY_MS = 60_000;
export const WARM_UP_MS = 60_000;
export const COOL_DOWN_MS = 60_000;

/** DC bus: 380 V nominal; normal 370–390 V; excursion beyond ±5% = 361–399 V (docs/domain.md, EMerge/ETSI EN 300 132-3). */
export const BUS_NOMINAL_V = 380;
export const BUS_NORMAL_BAND_V = [370, 390] as const;
export const BUS_EXCURSION_BAND_V = [361, 399] as const;
/** Droop 3% of nominal across zero to full available load; literature range 1–5% (domain.md §5). */
export const DEFAULT_DROOP_FRACTION = 0.03;
/**
 * Bus voltage deviation per unit of unmet (or unshed) power relative to online rating: a 10% deficit of the
 * online rating pulls the bus 5% down [A]. Stands in for the bus capacitance and governor response.
 */
export const BUS_TRANSIENT_GAIN = 0.5;

/** Flare effective destruction efficiency 91.1%, unlit and inefficient flares included (Plant et al., Science 377:1566, 2022). */
export const FLARE_DESTRUCTION_EFFICIENCY = 0.911;
/** Engine methane slip 1% (domain.md §3/§8 illustrative input) [A]; Crusoe claims up to 99.89% destruction. */
export const DEFAULT_ENGINE_METHANE_SLIP = 0.01;
/** Methane mole fraction of rich associated gas, 70 mol% (domain.md §3) [A]. */
export const DEFAULT_METHANE_FRACTION = 0.7;
/** Fossil methane GWP100 = 29.8 (IPCC AR6 WG1 Table 7.15). */
export const METHANE_GWP100 = 29.8;
/** Natural-gas combustion CO2 = 53.06 kg CO2/MMBtu (US EPA 40 CFR 98 Subpart C, Table C-1). */
export const CO2_KG_PER_MMBTU = 53.06;
/**
 * Methane mass per standard cubic foot: 16.043 lb/lb-mol at 379.3 scf/lb-mol (60 °F, 14.696 psia, the
 * standard conditions of 40 CFR 98 Subpart W) = 0.04230 lb/scf = 0.019186 kg/scf.
 */
export const METHANE_KG_PER_SCF = (16.043 * 0.45359237) / 379.3;

/** Auxiliary constant load: controls, comms, gas conditioning, 10 kW (domain.md §8) [A]. */
export const DEFAULT_AUX_LOAD_W = 10_000;
/** Miner container: 45 × 3.5 kW Antminer S21-class = 157.5 kW (docs/domain.md; Bitmain spec sheet). */
export const DEFAULT_MINER_SLOT_MAX_W = 45 * 3500;
export const DEFAULT_MINER_SLOTS = 4;
/** Miner container feeder: 3-phase 230 V line-to-neutral, 60 Hz (North American field sites) [A]. */
export const FEEDER_PHASE_VOLTAGE_V = 230;
export const FEEDER_FREQUENCY_HZ = 60;

/** Physics step: 100 ms resolves the 2 s / 5 s trip timers with margin; domain.md §8 suggests 1 s at least. */
export const DEFAULT_STEP_MS = 100;
