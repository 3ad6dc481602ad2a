// Stock Antminer firmware (bmminer) on its 4028 socket: read-only reports in GH/s with some numbers sent as
// strings, and privileged commands denied (code 45), as on a stock unit whose /etc/cgminer.conf allows no
// writer (research/miners.md §1; pyasic issues #35, #44). Stock firmware sets power only through its web UI's
// miner-mode, so this face offers no power command: a client can read but not steer it.
import { accessDenied, success, type Answerer, type CommandSpec } from './cgminer-envelope';
import { bmminerStatsRow, configRow, devsRows, poolsRows, summaryRow, type RowOptions } from './cgminer-data';
import { MODEL_NAME, notReady, readNow, type MinerContext } from './face';

export const BMMINER_VERSION = '2.0.0';
const OPTIONS: RowOptions = { unit: 'GH', numbersAsStrings: true };
const PRIVILEGED = ['restart', 'quit', 'save', 'switchpool', 'addpool', 'removepool', 'enablepool', 'disablepool', 'ascset'];

export function bmminerAnswerer(ctx: MinerContext): Answerer {
  const r = readNow(ctx);
  const ratedThs = ctx.model.spec.ratedHashrateThs;
  const versionBlock = { BMMiner: BMMINER_VERSION, Miner: BMMINER_VERSION, CompileTime: 'Thu Feb 15 10:04:16 CST 2024', Type: MODEL_NAME };
  const report = (run: () => ReturnType<CommandSpec['run']>): CommandSpec => ({ joinable: true, run });
  const commands: Record<string, CommandSpec> = {
    version: report(() => success(22, 'BMMiner versions', 'VERSION', [{ ...versionBlock, API: '3.1' }])),
    summary: report(() => success(11, 'Summary', 'SUMMARY', [summaryRow(r, ratedThs, OPTIONS)])),
    stats: report(() => success(70, 'BMMiner stats', 'STATS', [versionBlock, bmminerStatsRow(r, ratedThs, OPTIONS)])),
    devs: report(() => success(9, `${r.boards.length} ASC(s)`, 'DEVS', devsRows(r, OPTIONS))),
    pools: report(() => success(7, '1 Pool(s)', 'POOLS', poolsRows(r, ratedThs))),
    config: report(() => success(33, 'BMMiner config', 'CONFIG', [configRow(r)])),
    devdetails: report(() => accessDenied('devdetails')),
  };
  for (const name of PRIVILEGED) commands[name] = { joinable: false, run: () => accessDenied(name) };
  return { description: `bmminer ${BMMINER_VERSION}`, whenS: Math.floor(r.nowMs / 1000), commands, notReady: notReady(ctx, r) };
}
