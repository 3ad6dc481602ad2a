// Collects Modbus answers until every block a profile needs has a fresh answer. Answers may come from the
// meter's own requests (one per planned block) or from a plain modbus-read node polling a wider range on its own
// schedule, so an answer is matched by what it covers, not by which request it answers.

import { MeteringError } from './errors';
import type { ReadRequest, RegisterBlock } from './types';

export type AssemblyResult =
  /** every planned block has an answer since the last complete set: decode `blocks` */
  | { kind: 'complete'; blocks: RegisterBlock[] }
  /** the answer filled some planned blocks; others are still missing */
  | { kind: 'partial'; missing: number }
  /** the answer covers none of the planned blocks */
  | { kind: 'unmatched' };

export class ReadAssembly {
  private readonly fresh: (RegisterBlock | undefined)[];
  private missing: number;
  /** when the current round of requests was sent; undefined when no round is waiting */
  private roundStartedMs: number | undefined;

  constructor(private readonly plan: readonly ReadRequest[]) {
    this.fresh = new Array<RegisterBlock | undefined>(plan.length);
    this.missing = plan.length;
  }

  get requests(): readonly ReadRequest[] {
    return this.plan;
  }

  /** Marks a round of requests as sent; `overdue` measures from here. */
  startRound(nowMs: number): void {
    this.roundStartedMs = nowMs;
  }

  /** True while a round was sent and has not completed. */
  get waiting(): boolean {
    return this.roundStartedMs !== undefined;
  }

  /** True when a round was sent and has not completed within `timeoutMs`. */
  overdue(nowMs: number, timeoutMs: number): boolean {
    return this.roundStartedMs !== undefined && nowMs - this.roundStartedMs >= timeoutMs;
  }

  /** Forgets a round that will not complete, so that the next one starts clean. */
  abandonRound(): void {
    this.fresh.fill(undefined);
    this.missing = this.plan.length;
    this.roundStartedMs = undefined;
  }

  /** @throws MeteringError BLOCK_LENGTH when the answer does not have `quantity` registers */
  accept(request: ReadRequest, registers: readonly number[]): AssemblyResult {
    if (registers.length !== request.quantity) {
      throw new MeteringError(
        'BLOCK_LENGTH',
        `the answer to a read of ${request.quantity} registers at address ${request.address} (fc ${request.fc}) ` +
          `has ${registers.length} registers`,
      );
    }
    let matched = false;
    for (let i = 0; i < this.plan.length; i++) {
      const want = this.plan[i];
      const offset = want.address - request.address;
      if (want.fc !== request.fc || offset < 0 || offset + want.quantity > request.quantity) continue;
      matched = true;
      if (this.fresh[i] === undefined) this.missing--;
      this.fresh[i] = {
        fc: want.fc,
        address: want.address,
        registers: offset === 0 && want.quantity === registers.length ? registers : registers.slice(offset, offset + want.quantity),
      };
    }
    if (!matched) return { kind: 'unmatched' };
    if (this.missing > 0) return { kind: 'partial', missing: this.missing };
    const blocks = this.fresh as RegisterBlock[];
    const complete = blocks.slice();
    this.abandonRound();
    return { kind: 'complete', blocks: complete };
  }
}
