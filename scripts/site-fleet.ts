// The reference site's miners, once for npm start (which simulates them) and the reference flows (which drive
// them): the plant's four containers of 45 S21-class miners (sim/README.md: 4 × 157.5 kW = 45 × 3.5 kW each),
// enough to take the surplus of 2 × 400 kWe on 150 Mcf/d of gas. Most run LuxOS or Braiins OS, which take power
// targets; the third miner of each container runs stock Antminer firmware, which does not, as mixed fleets do.
import type { SimDialect, SimMinerOptions } from '../sim/miners';

export const CONTAINERS = 4;
export const MINERS_PER_CONTAINER = 45;

export interface SiteMiner {
  /** miner-1 … miner-180, in container order; FLAREGRID_MINER_<n>_PORT holds miner-n's API port */
  minerId: string;
  n: number;
  /** 1 … 4 */
  container: number;
  dialect: SimDialect;
}

export function siteMiners(): SiteMiner[] {
  return Array.from({ length: CONTAINERS * MINERS_PER_CONTAINER }, (_, i) => {
    const inContainer = i % MINERS_PER_CONTAINER;
    const dialect: SimDialect = inContainer === 2 ? 'bmminer' : i % 2 === 0 ? 'luxos' : 'braiins';
    return { minerId: `miner-${i + 1}`, n: i + 1, container: Math.floor(i / MINERS_PER_CONTAINER) + 1, dialect };
  });
}

/**
 * The simulated fleet of startPlant: each miner in its container's slot, on ports the OS picks. The first two
 * containers hash from the start and the others sleep, as an operator leaves a site for the night: the gensets
 * carry a load above their minimum before dispatch has decided anything.
 */
export function simulatedSiteFleet(): SimMinerOptions[] {
  return siteMiners().map((m) => ({
    id: m.minerId,
    dialect: m.dialect,
    seed: m.n,
    slotId: m.container - 1,
    apiPort: 0,
    restPort: 0,
    initial: m.container <= 2 ? 'hashing' : 'sleeping',
  }));
}
