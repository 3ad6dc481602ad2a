// 180 S21-class miners of sim/miners/model.ts in the plant's four containers, commanded as a flaregrid-miner
// would command them (a target of 0 sleeps the miner; a target from sleep sets the limit and wakes it; otherwise
// the limit changes live), reported as its MinerTelemetry (targetW the target last given, `confirmed` when the
// miner shows it, its capability), and switched off when the bus dies. Unlike flaregrid-miner it does not
// re-send what a miner dropped: the 5% of lost commands reach dispatch as unconfirmed targets. A miner that loses
// power boots asleep [A]: the baseline's "restart every miner that was on" and the dispatch both wake it.
import { MinerModel, S21_SPEC, type MinerPhase } from '../../sim/miners/model';
import type { MinerCapability, MinerTelemetry } from '../../lib/schemas';

/** What flaregrid-miner reports for an S21 on a live-limit firmware (docs/miners.md, its priors). */
const S21_CAPABILITY: MinerCapability = {
  controllable: true,
  minW: S21_SPEC.minPowerW,
  maxW: S21_SPEC.ratedPowerW,
  stepW: S21_SPEC.stepW,
  rampWPerS: (S21_SPEC.ratedPowerW - S21_SPEC.minPowerW) / 20,
  wakeS: 90,
  sleepS: 2,
  lagS: 20,
};

export interface SimFleetOptions {
  count: number;
  slots: number;
  startMs: number;
  seed: number;
  /** share of commands acknowledged but never applied (5% on the site of docs/dispatch.md) */
  unconfirmedShare: number;
  /** miners hashing at full power at the start */
  initiallyOn: number;
}

const STATE: Record<MinerPhase, MinerTelemetry['state']> = {
  sleeping: 'sleeping',
  stopping: 'ramping',
  starting: 'ramping',
  adjusting: 'ramping',
  restarting: 'ramping',
  hashing: 'hashing',
};

export class SimFleet {
  readonly ids: string[];
  private models: MinerModel[];
  private readonly powerW: number[];
  /** until when a miner's draw changes by itself (a ramp in progress), ms */
  private readonly busyUntilMs: number[];
  /** the target each miner was last given, W */
  private readonly desiredW: number[];
  private readonly perSlot: number;
  private powered = true;
  private generation = 0;
  /** transitions between hashing and not hashing: commands that start or stop a miner, and power losses */
  switches = 0;

  constructor(private readonly options: SimFleetOptions) {
    this.ids = Array.from({ length: options.count }, (_, i) => `s21-${String(i + 1).padStart(3, '0')}`);
    this.perSlot = Math.ceil(options.count / options.slots);
    this.models = this.ids.map((_, i) => this.model(i, options.startMs, i < options.initiallyOn ? 'hashing' : 'sleeping', S21_SPEC.ratedPowerW));
    this.powerW = this.models.map((m) => m.powerW(options.startMs));
    this.busyUntilMs = this.ids.map(() => options.startMs);
    this.desiredW = this.ids.map((_, i) => (i < options.initiallyOn ? S21_SPEC.ratedPowerW : 0));
  }

  get count(): number {
    return this.ids.length;
  }

  private model(i: number, startMs: number, initial: 'hashing' | 'sleeping', powerLimitW: number): MinerModel {
    const seed = (this.options.seed * 7919 + i * 104_729 + this.generation * 15_485_863) >>> 0;
    return new MinerModel({ startMs, seed, initial, powerLimitW, spec: { unconfirmedShare: this.options.unconfirmedShare } });
  }

  isMining(i: number): boolean {
    const phase = this.models[i]!.phase;
    return this.powered && phase !== 'sleeping' && phase !== 'stopping';
  }

  /** A PowerTarget, as flaregrid-miner applies it. A dead bus loses the command. */
  apply(i: number, targetW: number, nowMs: number): void {
    this.desiredW[i] = targetW;
    if (!this.powered) return;
    const m = this.models[i]!;
    const wasMining = this.isMining(i);
    let settlesAtMs = nowMs;
    const note = (outcome: ReturnType<MinerModel['sleep']>) => {
      if (outcome.kind === 'applied') settlesAtMs = Math.max(settlesAtMs, outcome.settlesAtMs);
    };
    if (targetW === 0) note(m.sleep(nowMs));
    else {
      note(m.setPowerLimit(nowMs, targetW));
      if (m.phase === 'sleeping' || m.phase === 'stopping') note(m.wake(nowMs));
    }
    this.busyUntilMs[i] = Math.max(this.busyUntilMs[i]!, settlesAtMs);
    if (wasMining !== this.isMining(i)) this.switches++;
  }

  /** The bus died or came back. Miners lose their state with their power and come back asleep. */
  setPowered(powered: boolean, nowMs: number): void {
    if (powered === this.powered) return;
    if (!powered) {
      for (let i = 0; i < this.models.length; i++) if (this.isMining(i)) this.switches++;
      this.powerW.fill(0);
    } else {
      this.generation++;
      this.models = this.models.map((m, i) => this.model(i, nowMs, 'sleeping', m.powerLimitW));
      for (let i = 0; i < this.models.length; i++) {
        this.powerW[i] = this.models[i]!.powerW(nowMs);
        this.busyUntilMs[i] = nowMs;
      }
    }
    this.powered = powered;
  }

  /** Draw per container at `nowMs`, W; only miners in a ramp are recomputed. */
  slotPowersW(nowMs: number): number[] {
    const slots = new Array<number>(this.options.slots).fill(0);
    for (let i = 0; i < this.models.length; i++) {
      if (this.powered && this.busyUntilMs[i]! >= nowMs - 1000) this.powerW[i] = this.models[i]!.powerW(nowMs);
      slots[Math.floor(i / this.perSlot)]! += this.powerW[i]!;
    }
    return slots;
  }

  /** Hashrate of the fleet now, TH/s. */
  hashrateThs(nowMs: number): number {
    if (!this.powered) return 0;
    let ths = 0;
    for (const m of this.models) ths += m.read(nowMs).hashrateThs;
    return ths;
  }

  /** `ts` is the read's time as ISO 8601, passed in because formatting it 180 times a second costs more than the read. */
  telemetry(i: number, nowMs: number, site: string, ts: string): MinerTelemetry {
    const minerId = this.ids[i]!;
    if (!this.powered) {
      return {
        minerId,
        site,
        ts,
        state: 'offline',
        powerW: 0,
        powerSource: 'missing',
        targetW: this.desiredW[i]!,
        hashrateThs: 0,
        quality: 'bad',
        errorReason: 'no answer: the bus is down',
        confirmed: false,
        capability: S21_CAPABILITY,
      };
    }
    const r = this.models[i]!.read(nowMs);
    const desiredW = this.desiredW[i]!;
    return {
      minerId,
      site,
      ts,
      state: STATE[r.phase],
      powerW: Math.round(r.powerW),
      powerSource: 'measured',
      targetW: desiredW,
      hashrateThs: r.hashrateThs,
      temperatureC: Math.round(r.temperatureC * 10) / 10,
      quality: 'good',
      confirmed: desiredW === 0 ? !r.mining : r.mining && r.powerLimitW === desiredW,
      capability: S21_CAPABILITY,
    };
  }
}
