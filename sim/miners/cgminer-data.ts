// The report rows the CGMiner-family firmwares share, filled from the miner model's readout. Field names are
// exact (case and spaces), after kanoi/cgminer api.c (summary, devs, pools, config) and bmminer's stats as
// pyasic reads it (backends/bmminer.py, antminer.py): STATS[0] a version block, STATS[1] the data with chain_*N,
// temp*_N and fanN indexed from 1. Units differ by firmware: bmminer and LuxOS report GH/s, BOSminer and cgminer
// MH/s; bmminer sends some numbers as strings.
import type { MinerReadout } from './model';

export type HashUnit = 'GH' | 'MH';

export interface RowOptions {
  unit: HashUnit;
  /** bmminer's quirk: "GHS 5s" and the chain rates as strings */
  numbersAsStrings: boolean;
}

const CHIPS_PER_BOARD = 108;
const FANS = 4;
const POOL_URL = 'stratum+tcp://pool.flaregrid.invalid:3333';

function rate(ths: number, unit: HashUnit): number {
  return round2(unit === 'GH' ? ths * 1000 : ths * 1_000_000);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function maybeString(value: number, options: RowOptions): number | string {
  return options.numbersAsStrings ? value.toFixed(2) : value;
}

/** Shares found since start: one per 10 s of hashing at full rate [A], enough for counters that move. */
function accepted(r: MinerReadout, ratedThs: number): number {
  return Math.floor((r.elapsedS * r.hashrateThs) / ratedThs / 10);
}

export function fanRpm(r: MinerReadout, index: number): number {
  if (!r.mining && r.powerW < 100) return 0;
  const heat = Math.max(0, Math.min(1, (r.temperatureC - 25) / 45));
  return Math.round(2400 + 3600 * heat + index * 30);
}

export function summaryRow(r: MinerReadout, ratedThs: number, options: RowOptions): Record<string, unknown> {
  const key = options.unit === 'GH' ? 'GHS' : 'MHS';
  const now = rate(r.hashrateThs, options.unit);
  const shares = accepted(r, ratedThs);
  return {
    Elapsed: r.elapsedS,
    [`${key} 5s`]: maybeString(now, options),
    [`${key} av`]: now,
    [`${key} 30m`]: now,
    'Found Blocks': 0,
    Getworks: Math.floor(r.elapsedS / 30),
    Accepted: shares,
    Rejected: 0,
    'Hardware Errors': r.boards.some((b) => !b.ok) ? 1024 : 0,
    Utility: round2(r.elapsedS > 0 ? (shares * 60) / r.elapsedS : 0),
    Discarded: 0,
    Stale: 0,
    'Get Failures': 0,
    'Local Work': 0,
    'Remote Failures': 0,
    'Network Blocks': 0,
    'Total MH': round2(r.hashrateThs * 1_000_000 * r.elapsedS),
    'Difficulty Accepted': shares * 65536,
    'Difficulty Rejected': 0,
    'Difficulty Stale': 0,
    'Best Share': shares * 131072,
    'Device Hardware%': 0,
    'Device Rejected%': 0,
    'Pool Rejected%': 0,
    'Pool Stale%': 0,
    'Last getwork': Math.floor(r.nowMs / 1000),
  };
}

export function devsRows(r: MinerReadout, options: RowOptions): Record<string, unknown>[] {
  const key = options.unit === 'GH' ? 'GHS' : 'MHS';
  return r.boards.map((board) => ({
    ASC: board.slot,
    Name: 'BTM_SOC',
    ID: board.slot,
    Enabled: 'Y',
    Status: board.ok ? 'Alive' : 'Dead',
    Temperature: round2(board.temperatureC),
    [`${key} av`]: rate(board.hashrateThs, options.unit),
    [`${key} 5s`]: rate(board.hashrateThs, options.unit),
    Accepted: board.ok ? Math.floor(r.elapsedS / 30) : 0,
    Rejected: 0,
    'Hardware Errors': board.ok ? 0 : 1024,
    'Last Share Time': board.ok && r.mining ? Math.floor(r.nowMs / 1000) : 0,
    'Device Elapsed': r.elapsedS,
  }));
}

export function poolsRows(r: MinerReadout, ratedThs: number): Record<string, unknown>[] {
  return [
    {
      POOL: 0,
      URL: POOL_URL,
      Status: 'Alive',
      Priority: 0,
      Quota: 1,
      'Long Poll': 'N',
      Getworks: Math.floor(r.elapsedS / 30),
      Accepted: accepted(r, ratedThs),
      Rejected: 0,
      Stale: 0,
      'Get Failures': 0,
      'Remote Failures': 0,
      User: 'flaregrid.sim',
      'Stratum Active': r.mining,
      'Stratum Difficulty': 65536,
      'Last Share Time': r.mining ? Math.floor(r.nowMs / 1000) : 0,
      'Pool Rejected%': 0,
      'Pool Stale%': 0,
      'Current Block Height': 900_000,
    },
  ];
}

export function configRow(r: MinerReadout, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'ASC Count': r.boards.length,
    'PGA Count': 0,
    'Pool Count': 1,
    Strategy: 'Failover',
    'Log Interval': 5,
    'Device Code': '',
    OS: 'Linux',
    Hotplug: 'None',
    ...extra,
  };
}

/** bmminer's STATS[1] (LuxOS serves the same block): chains, temperatures and fans indexed from 1. */
export function bmminerStatsRow(r: MinerReadout, ratedThs: number, options: RowOptions): Record<string, unknown> {
  const row: Record<string, unknown> = {
    STATS: 0,
    ID: 'BTM_SOC0',
    Elapsed: r.elapsedS,
    Calls: 0,
    Wait: 0,
    Max: 0,
    Min: 99_999_999,
    'GHS 5s': maybeString(rate(r.hashrateThs, 'GH'), options),
    'GHS av': rate(r.hashrateThs, 'GH'),
    rate_30m: rate(r.hashrateThs, 'GH'),
    Mode: 2,
    miner_count: r.boards.length,
    frequency: r.mining ? 490 : 0,
    fan_num: FANS,
    temp_num: r.boards.length,
    total_rateideal: rate(ratedThs, 'GH'),
    rate_unit: 'GH',
    total_freqavg: r.mining ? 490 : 0,
    total_acn: r.boards.reduce((n, b) => n + (b.ok ? CHIPS_PER_BOARD : 0), 0),
    total_rate: rate(r.hashrateThs, 'GH'),
  };
  for (let fan = 1; fan <= FANS; fan++) row[`fan${fan}`] = fanRpm(r, fan);
  r.boards.forEach((board, i) => {
    const n = i + 1;
    const pcb = Math.round(board.temperatureC);
    const chip = Math.round(board.temperatureC + (board.ok && r.mining ? 15 : 0));
    row[`temp${n}`] = pcb;
    row[`temp2_${n}`] = chip;
    row[`temp_pcb${n}`] = `${pcb}-${pcb}-${pcb + 2}-${pcb + 2}`;
    row[`temp_chip${n}`] = `${chip}-${chip}-${chip + 3}-${chip + 3}`;
    row[`chain_acn${n}`] = board.ok ? CHIPS_PER_BOARD : 0;
    row[`chain_acs${n}`] = board.ok ? ' ' + 'o'.repeat(CHIPS_PER_BOARD) : '';
    row[`chain_hw${n}`] = board.ok ? 0 : 1024;
    row[`chain_rate${n}`] = maybeString(rate(board.hashrateThs, 'GH'), options);
    row[`chain_rateideal${n}`] = rate(ratedThs / r.boards.length, 'GH');
    row[`freq_avg${n}`] = board.ok && r.mining ? 490 : 0;
  });
  return row;
}
