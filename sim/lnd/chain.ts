// The regtest chain under the simulated nodes: no transactions, only a height that grows by one block every
// `blockIntervalMs` of the clock from the network's genesis, so that CLTV expiries (and hold-invoice HTLCs
// running out) happen on the same time line as everything else.
import { createHash } from 'node:crypto';

export class Chain {
  constructor(
    private readonly genesisMs: number,
    private readonly startHeight: number,
    readonly blockIntervalMs: number,
  ) {}

  heightAt(nowMs: number): number {
    return this.startHeight + Math.max(0, Math.floor((nowMs - this.genesisMs) / this.blockIntervalMs));
  }

  /** clock ms at which `height` is mined */
  timeOfHeight(height: number): number {
    return this.genesisMs + (height - this.startHeight) * this.blockIntervalMs;
  }

  /** A stable made-up block hash per height (regtest has no meaning for it here). */
  blockHash(height: number): string {
    return createHash('sha256').update(`flaregrid-regtest-block-${height}`).digest().reverse().toString('hex');
  }
}
