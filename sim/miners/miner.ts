// One simulated miner: its dynamics model, its faults and the API faces of its firmware dialect, all on
// loopback. bmminer (stock Antminer, read-only 4028), luxos (4028 with sessions) and braiins (REST /api/v1 plus
// a read-mostly 4028 socket).
import { SimError } from '../errors';
import { bmminerAnswerer } from './bmminer';
import { bosminerAnswerer } from './bosminer';
import { BraiinsRestServer, type BraiinsCredentials } from './braiins-rest';
import { answer, type Answerer } from './cgminer-envelope';
import { CgminerServer } from './cgminer-server';
import type { MinerContext } from './face';
import { checkFault, isWireFault, type MinerFault } from './faults';
import { LuxosFace } from './luxos';
import { MinerModel, type MinerReadout, type MinerSpec } from './model';

export const SIM_DIALECTS = ['bmminer', 'luxos', 'braiins'] as const;
export type SimDialect = (typeof SIM_DIALECTS)[number];

export interface SimMinerOptions {
  id: string;
  dialect: SimDialect;
  /** port of the 4028-style socket; 0 (default) lets the OS pick */
  apiPort?: number;
  /** braiins: port of the REST API; 0 (default) lets the OS pick */
  restPort?: number;
  /** braiins: login (default root with an empty password, the firmware's factory login) */
  credentials?: BraiinsCredentials;
  seed?: number;
  spec?: Partial<MinerSpec>;
  initial?: 'hashing' | 'sleeping';
  powerLimitW?: number;
  /** plant miner slot (container) whose draw this miner adds to; default 0 */
  slotId?: number;
}

export class SimMiner {
  readonly id: string;
  readonly dialect: SimDialect;
  readonly model: MinerModel;
  readonly slotId: number;
  private readonly active = new Set<MinerFault>();
  private readonly api: CgminerServer;
  private readonly rest: BraiinsRestServer | undefined;
  private apiPortWanted: number;
  private restPortWanted: number;

  constructor(
    options: SimMinerOptions,
    host: string,
    private readonly now: () => number,
  ) {
    if (!(SIM_DIALECTS as readonly string[]).includes(options.dialect)) {
      throw new SimError('ERR_OPTION', `miner ${options.id}: dialect must be one of ${SIM_DIALECTS.join(', ')}, got '${String(options.dialect)}'`);
    }
    this.id = options.id;
    this.dialect = options.dialect;
    this.slotId = options.slotId ?? 0;
    const seed = options.seed ?? 1;
    this.model = new MinerModel({ startMs: now(), seed, spec: options.spec, initial: options.initial, powerLimitW: options.powerLimitW });
    const ctx: MinerContext = { id: this.id, model: this.model, nowMs: now, faults: () => this.active };
    let answerer: () => Answerer;
    if (this.dialect === 'luxos') {
      const face = new LuxosFace(ctx, seed);
      answerer = () => face.answerer();
    } else {
      answerer = this.dialect === 'bmminer' ? () => bmminerAnswerer(ctx) : () => bosminerAnswerer(ctx);
    }
    this.api = new CgminerServer(host, (request) => answer(request, answerer()), () => this.active, `miner ${this.id} API`);
    this.rest = this.dialect === 'braiins' ? new BraiinsRestServer(host, ctx, options.credentials ?? { username: 'root', password: '' }, seed) : undefined;
    this.apiPortWanted = options.apiPort ?? 0;
    this.restPortWanted = options.restPort ?? 0;
  }

  get apiPort(): number {
    return this.api.port;
  }

  /** braiins only; 0 for the other dialects */
  get restPort(): number {
    return this.rest?.port ?? 0;
  }

  async start(): Promise<void> {
    await this.api.start(this.apiPortWanted);
    this.apiPortWanted = this.api.port;
    try {
      await this.rest?.start(this.restPortWanted);
    } catch (err) {
      await this.api.stop();
      throw err;
    }
    if (this.rest) this.restPortWanted = this.rest.port;
  }

  async stop(): Promise<void> {
    await Promise.all([this.api.stop(), this.rest?.stop()]);
  }

  /** What the miner really draws now, W: what the plant's miner slot sees. */
  powerW(nowMs: number = this.now()): number {
    return this.model.powerW(nowMs);
  }

  read(): MinerReadout {
    return this.model.read(this.now());
  }

  get faults(): MinerFault[] {
    return [...this.active];
  }

  /** Switches a fault on or off; `offline` stops the faces listening (refused) and brings them back on the same ports. */
  async setFault(fault: MinerFault, on: boolean): Promise<void> {
    checkFault(fault);
    if (on) this.active.add(fault);
    else this.active.delete(fault);
    if (!isWireFault(fault)) this.model.setFault(this.now(), fault, on);
    if (fault === 'offline') await (on ? this.stop() : this.start());
  }

  async clearFaults(): Promise<void> {
    for (const fault of [...this.active]) await this.setFault(fault, false);
  }
}
