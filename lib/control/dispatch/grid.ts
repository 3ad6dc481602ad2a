// The power limits one miner may be given: the dialog's range and step (params.ts), narrowed by what the miner
// itself takes when flaregrid-miner reports its capability (its own range and step, or only its LuxOS profiles).
// Every target dispatch writes is 0 (sleep) or a member of its miner's grid.
import type { MinerCapability } from '../../schemas';
import type { MinerLimits } from './params';

/** Allowed limits above 0, ascending, whole W. */
export type MinerGrid = readonly number[];

export function gridOf(limits: MinerLimits, capability?: MinerCapability): MinerGrid {
  const own: number[] = [];
  for (let w = limits.minW; w <= limits.maxW; w += limits.stepW) own.push(w);
  if (!capability) return own;
  if (!capability.controllable) return [];
  const theirs = capability.levelsW
    ? [...capability.levelsW].filter((w) => w > 0).sort((a, b) => a - b)
    : Array.from({ length: Math.floor((capability.maxW - capability.minW) / capability.stepW) + 1 }, (_, i) => capability.minW + i * capability.stepW);
  return theirs.filter((w) => w >= limits.minW && w <= limits.maxW);
}

/** The largest allowed limit at or below `powerW`; 0 when none is. */
export function floorOn(grid: MinerGrid, powerW: number): number {
  let best = 0;
  for (const w of grid) {
    if (w > powerW + 1e-9) break;
    best = w;
  }
  return best;
}

/** The smallest allowed limit at or above `powerW`; the largest when none is; 0 for an empty grid. */
export function ceilOn(grid: MinerGrid, powerW: number): number {
  for (const w of grid) if (w >= powerW - 1e-9) return w;
  return grid.at(-1) ?? 0;
}

/** The allowed limit nearest to `powerW` (the lower on a tie); 0 for an empty grid. */
export function nearestOn(grid: MinerGrid, powerW: number): number {
  let best = 0;
  for (const w of grid) if (best === 0 || Math.abs(w - powerW) < Math.abs(best - powerW)) best = w;
  return best;
}

export function isOnGrid(grid: MinerGrid, targetW: number): boolean {
  return targetW === 0 || grid.includes(targetW);
}

export const minOf = (grid: MinerGrid): number => grid[0] ?? 0;
export const maxOf = (grid: MinerGrid): number => grid.at(-1) ?? 0;

/** "1400 … 3500 W in 100 W steps", "2000, 2800, 3500 W", or "none: read only" */
export function describeGrid(grid: MinerGrid): string {
  if (grid.length === 0) return 'none: the miner is read only';
  const step = grid.length > 1 ? grid[1]! - grid[0]! : 0;
  const even = grid.every((w, i) => i === 0 || w - grid[i - 1]! === step);
  return even && grid.length > 2 ? `${grid[0]} … ${grid.at(-1)} W in ${step} W steps` : `${grid.join(', ')} W`;
}
