// Stock Antminer (bmminer) over its 4028 API: telemetry only. The stock firmware has no power field and no
// power command on this API (its web UI sets a work mode), so power is estimated by the caller and every write
// is refused here, before anything is sent.
import { cgminerCommand, joinedSection } from '../cgminer-client';
import { MinerError } from '../errors';
import { rows, type DriverContext, type MinerDriver, type MinerLimits, type MinerSample } from '../types';
import { chainStats, summaryHashrateThs } from './cgminer-stats';

export class BmminerDriver implements MinerDriver {
  readonly dialect = 'bmminer' as const;
  readonly canControl = false;

  constructor(
    private readonly ctx: DriverContext,
    private readonly ratedPowerW: number,
  ) {}

  async open(): Promise<void> {}

  async read(): Promise<MinerSample> {
    const { address, clock, timeoutMs } = this.ctx;
    const reply = await cgminerCommand({ host: address.host, port: address.apiPort }, 'summary+stats', undefined, { clock, timeoutMs });
    const summary = rows(joinedSection(reply, 'summary'), 'SUMMARY')[0];
    const stats = rows(joinedSection(reply, 'stats'), 'STATS')[1];
    const hashrateThs = summaryHashrateThs(summary);
    const mining = hashrateThs > 0;
    const chains = chainStats(stats, mining);
    return { mining, hashrateThs, ...chains, errors: chains.boardsFailed > 0 ? [`${chains.boardsFailed} hashboard(s) not hashing`] : [] };
  }

  async limits(): Promise<MinerLimits> {
    return { minW: this.ratedPowerW, maxW: this.ratedPowerW, stepW: this.ratedPowerW };
  }

  setPowerLimit(): Promise<number> {
    return Promise.reject(unsupported());
  }

  sleep(): Promise<void> {
    return Promise.reject(unsupported());
  }

  wake(): Promise<void> {
    return Promise.reject(unsupported());
  }

  async close(): Promise<void> {}
}

function unsupported(): MinerError {
  return new MinerError('UNSUPPORTED', 'stock Antminer firmware takes no power command over its 4028 API: install LuxOS or Braiins OS to steer it');
}
