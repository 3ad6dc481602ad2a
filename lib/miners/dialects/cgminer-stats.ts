// What bmminer-family firmwares (stock Antminer, LuxOS) put in STATS[1], as pyasic reads it
// (backends/bmminer.py, luxminer.py): chains chain_rateN / chain_acnN, PCB temperatures tempN, indexed from 1
// (from 6 on an S9, so every index that is present is read).
import { num } from '../types';

export interface ChainStats {
  boardsTotal: number;
  boardsFailed: number;
  temperatureC?: number;
  idealHashrateThs?: number;
}

export function chainStats(stats: Record<string, unknown> | undefined, mining: boolean): ChainStats {
  if (!stats) return { boardsTotal: 0, boardsFailed: 0 };
  let boardsTotal = 0;
  let boardsFailed = 0;
  const temps: number[] = [];
  for (let i = 1; i <= 16; i++) {
    const chips = num(stats[`chain_acn${i}`]);
    if (chips === undefined) continue;
    boardsTotal++;
    const rate = num(stats[`chain_rate${i}`]) ?? 0;
    if (chips === 0 || (mining && rate <= 0)) boardsFailed++;
    const pcb = num(stats[`temp${i}`]);
    if (pcb !== undefined && chips > 0) temps.push(pcb);
  }
  const unit = String(stats.rate_unit ?? 'GH').toUpperCase();
  const ideal = num(stats.total_rateideal);
  return {
    boardsTotal,
    boardsFailed,
    temperatureC: temps.length > 0 ? Math.max(...temps) : undefined,
    idealHashrateThs: ideal === undefined ? undefined : ideal / (unit.startsWith('T') ? 1 : unit.startsWith('M') ? 1e6 : 1e3),
  };
}

/** Hashrate in TH/s from a summary row: "GHS 5s" (bmminer, LuxOS) or "MHS 5s" (cgminer, BOSminer). */
export function summaryHashrateThs(summary: Record<string, unknown> | undefined): number {
  if (!summary) return 0;
  const ghs = num(summary['GHS 5s']) ?? num(summary['GHS av']);
  if (ghs !== undefined) return ghs / 1000;
  const mhs = num(summary['MHS 5s']) ?? num(summary['MHS av']);
  return mhs === undefined ? 0 : mhs / 1e6;
}
