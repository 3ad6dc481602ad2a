// The miners one flaregrid-miner node drives: one MinerController each, targets routed by minerId. A target
// for a miner that is not in the list is refused (UNKNOWN_MINER) and nothing is sent anywhere.
import type { ConnectionState } from '../connection/types';
import { ID_PATTERN } from '../schemas/kit';
import type { MinerTelemetry, PowerTarget } from '../schemas/dispatch';
import { MinerController, type MinerControllerOptions } from './controller';
import { MinerError } from './errors';
import { DIALECTS, type Dialect } from './types';

export interface FleetMiner {
  minerId: string;
  host: string;
  /** default: the fleet's */
  apiPort?: number;
  restPort?: number;
  dialect?: Dialect | 'auto';
}

export interface MinerFleetOptions extends Omit<MinerControllerOptions, 'address' | 'dialect'> {
  miners: readonly FleetMiner[];
  dialect: Dialect | 'auto';
  apiPort: number;
  restPort: number;
}

const ID = new RegExp(ID_PATTERN);

export class MinerFleet {
  private readonly controllers = new Map<string, MinerController>();

  constructor(options: MinerFleetOptions) {
    if (options.miners.length === 0) throw new MinerError('CONFIG', 'no miners listed');
    for (const miner of options.miners) {
      if (!ID.test(miner.minerId)) throw new MinerError('CONFIG', `miner id '${miner.minerId}' must be 1 to 64 letters, digits or _ . : -`);
      if (this.controllers.has(miner.minerId)) throw new MinerError('CONFIG', `miner '${miner.minerId}' is listed twice`);
      if (typeof miner.host !== 'string' || miner.host.trim() === '' || /\s/.test(miner.host.trim())) {
        throw new MinerError('CONFIG', `miner '${miner.minerId}' needs a host name or address`);
      }
      const apiPort = port(miner.apiPort ?? options.apiPort, `miner '${miner.minerId}' API port`);
      const restPort = port(miner.restPort ?? options.restPort, `miner '${miner.minerId}' REST port`);
      const dialect = miner.dialect ?? options.dialect;
      if (dialect !== 'auto' && !(DIALECTS as readonly string[]).includes(dialect)) {
        throw new MinerError('CONFIG', `miner '${miner.minerId}': firmware must be auto or one of ${DIALECTS.join(', ')}, got '${String(dialect)}'`);
      }
      this.controllers.set(
        miner.minerId,
        new MinerController({ ...options, dialect, address: { minerId: miner.minerId, host: miner.host.trim(), apiPort, restPort } }),
      );
    }
  }

  get minerIds(): string[] {
    return [...this.controllers.keys()];
  }

  start(): void {
    for (const controller of this.controllers.values()) controller.start();
  }

  /** Routes a target to its miner; throws UNKNOWN_MINER or INVALID_TARGET before anything is sent. */
  apply(target: PowerTarget): void {
    this.controller(target.minerId).apply(target);
  }

  /**
   * Sleeps the listed miners (all when none are listed) now; resolves every id first (UNKNOWN_MINER sheds none).
   * Returns the ids of read-only miners, which cannot be shed; the others are shed whatever those are.
   */
  shed(reason: string, minerIds: readonly string[] = this.minerIds): string[] {
    const controllers = minerIds.map((id) => this.controller(id));
    return controllers.filter((controller) => !controller.shed(reason)).map((c) => c.minerId);
  }

  /** The state of a miner's link (connecting, retrying in …), as lib/connection reports it. */
  linkState(minerId: string): ConnectionState {
    return this.controller(minerId).linkState;
  }

  telemetry(): MinerTelemetry[] {
    return [...this.controllers.values()].map((c) => c.telemetry);
  }

  async close(): Promise<void> {
    await Promise.all([...this.controllers.values()].map((c) => c.close()));
  }

  private controller(minerId: string): MinerController {
    const controller = this.controllers.get(minerId);
    if (!controller) throw new MinerError('UNKNOWN_MINER', `no miner '${minerId}' here (this node drives ${this.minerIds.join(', ')})`);
    return controller;
  }
}

function port(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new MinerError('CONFIG', `${what} must be 1 … 65535, got ${String(value)}`);
  return value;
}
