// What an API face (a 4028 dialect, the Braiins REST server) sees of its simulated miner.
import type { MinerFault } from './faults';
import type { MinerModel, MinerReadout } from './model';

export interface MinerContext {
  readonly id: string;
  readonly model: MinerModel;
  /** the sim's time now, ms since the epoch */
  nowMs(): number;
  faults(): ReadonlySet<MinerFault>;
}

/** The model's readout now; a face reads once per request so that one reply is self-consistent. */
export function readNow(ctx: MinerContext): MinerReadout {
  return ctx.model.read(ctx.nowMs());
}

/** A face answers "Not ready" while the miner restarts or the fault says so. */
export function notReady(ctx: MinerContext, readout: MinerReadout): boolean {
  return !readout.ready || ctx.faults().has('not-ready');
}

/** Model name the faces report. */
export const MODEL_NAME = 'Antminer S21';
