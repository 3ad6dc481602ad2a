// Braiins OS (bosminer) on its 4028 socket, after the Braiins OS+ API page (braiins-os-docs,
// Development/1_api.rst): cgminer reports in MH/s plus `fans` (202), `temps` (201), `tunerstatus` (203),
// `pause` (204) and `resume` (205). The power target is set over the REST API (sim/miners/braiins-rest.ts).
import { success, type Answerer, type CommandSpec, type Reply } from './cgminer-envelope';
import { configRow, devsRows, fanRpm, poolsRows, summaryRow, type RowOptions } from './cgminer-data';
import { MODEL_NAME, notReady, readNow, type MinerContext } from './face';

export const BOSMINER_VERSION = 'bosminer-plus-tuner 26.04';
const OPTIONS: RowOptions = { unit: 'MH', numbersAsStrings: false };

export function bosminerAnswerer(ctx: MinerContext): Answerer {
  const r = readNow(ctx);
  const ratedThs = ctx.model.spec.ratedHashrateThs;
  const report = (run: () => Reply): CommandSpec => ({ joinable: true, run });
  const action = (run: () => Reply): CommandSpec => ({ joinable: false, run });
  const commands: Record<string, CommandSpec> = {
    version: report(() => success(22, 'BOSminer versions', 'VERSION', [{ BOSminer: BOSMINER_VERSION, API: '3.7', Type: MODEL_NAME }])),
    summary: report(() => success(11, 'Summary', 'SUMMARY', [summaryRow(r, ratedThs, OPTIONS)])),
    devs: report(() => success(9, `${r.boards.length} ASC(s)`, 'DEVS', devsRows(r, OPTIONS))),
    pools: report(() => success(7, '1 Pool(s)', 'POOLS', poolsRows(r, ratedThs))),
    config: report(() => success(33, 'BOSminer config', 'CONFIG', [configRow(r)])),
    fans: report(() => success(202, '4 Fan(s)', 'FANS', [1, 2, 3, 4].map((fan) => ({ FAN: fan - 1, ID: fan - 1, RPM: fanRpm(r, fan), Speed: 60 })))),
    temps: report(() =>
      success(201, `${r.boards.length} Temp(s)`, 'TEMPS', r.boards.map((b) => ({ TEMP: b.slot, ID: b.slot, Board: round1(b.temperatureC), Chip: round1(b.temperatureC + 15) }))),
    ),
    tunerstatus: report(() =>
      success(203, 'Tuner status', 'TUNERSTATUS', [
        {
          ApproximateMinerPowerConsumption: Math.round(r.powerW),
          ApproximateChainPowerConsumption: Math.round(Math.max(0, r.powerW - ctx.model.spec.idlePowerW)),
          PowerLimit: r.powerLimitW,
          DynamicPowerScaling: 'Disabled',
          TunerChainStatus: r.boards.map((b) => ({ HashchainIndex: b.slot, PowerLimit: Math.round(r.powerLimitW / r.boards.length), Status: b.ok ? 'Stable' : 'Failed' })),
        },
      ]),
    ),
    pause: action(() => {
      ctx.model.sleep(r.nowMs);
      return success(204, 'Pause', 'PAUSE', [true]);
    }),
    resume: action(() => {
      ctx.model.wake(r.nowMs);
      return success(205, 'Resume', 'RESUME', [true]);
    }),
  };
  return { description: `BOSminer ${BOSMINER_VERSION}`, whenS: Math.floor(r.nowMs / 1000), commands, notReady: notReady(ctx, r) };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
