// Greenhouse-gas accounting of the site's gas: what the flare and the engines emit per scf burned.
import {
  CO2_KG_PER_MMBTU,
  DEFAULT_ENGINE_METHANE_SLIP,
  DEFAULT_METHANE_FRACTION,
  FLARE_DESTRUCTION_EFFICIENCY,
  METHANE_GWP100,
  METHANE_KG_PER_SCF,
} from './constants';

export interface EmissionOptions {
  methaneFraction?: number;
  engineMethaneSlip?: number;
  flareDestructionEfficiency?: number;
}

export interface EmissionFactors {
  /** kg CO2e (GWP100) per scf sent to the flare. */
  flareKgPerScf: number;
  /** kg CO2e (GWP100) per scf burned in a genset. */
  engineKgPerScf: number;
}

/**
 * Per scf: unburned methane (mole fraction × 0.019186 kg/scf × the share that escapes) × GWP100, plus CO2 from
 * the share that burns (heating value in MMBtu × 53.06 kg/MMBtu). Unburned gas makes no CO2.
 */
export function emissionFactors(heatingValueBtuPerScf: number, options: EmissionOptions = {}): EmissionFactors {
  const methaneKg = (options.methaneFraction ?? DEFAULT_METHANE_FRACTION) * METHANE_KG_PER_SCF;
  const co2IfAllBurnedKg = (heatingValueBtuPerScf / 1e6) * CO2_KG_PER_MMBTU;
  const dre = options.flareDestructionEfficiency ?? FLARE_DESTRUCTION_EFFICIENCY;
  const slip = options.engineMethaneSlip ?? DEFAULT_ENGINE_METHANE_SLIP;
  return {
    flareKgPerScf: methaneKg * (1 - dre) * METHANE_GWP100 + co2IfAllBurnedKg * dre,
    engineKgPerScf: methaneKg * slip * METHANE_GWP100 + co2IfAllBurnedKg * (1 - slip),
  };
}

/** Gas balance of the site since start. */
export class GasLedger {
  suppliedScf = 0;
  burnedScf = 0;
  flaredScf = 0;

  constructor(private readonly factors: EmissionFactors) {}

  book(suppliedScf: number, burnedScf: number): void {
    this.suppliedScf += suppliedScf;
    this.burnedScf += burnedScf;
    this.flaredScf += Math.max(0, suppliedScf - burnedScf);
  }

  /** CO2e actually emitted: flared gas at the flare's factor plus burned gas at the engine's. */
  get emittedKg(): number {
    return this.flaredScf * this.factors.flareKgPerScf + this.burnedScf * this.factors.engineKgPerScf;
  }

  /** CO2e avoided against the baseline in which every scf goes to the flare. */
  get avoidedKg(): number {
    return this.burnedScf * (this.factors.flareKgPerScf - this.factors.engineKgPerScf);
  }
}
