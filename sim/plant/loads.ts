// Prosumers on the bus: daily load profiles (the site clock's UTC hour is taken as local solar time) with
// optional local generation, and the flexible miner container slots.
import { DEFAULT_MINER_SLOT_MAX_W } from './constants';
import { SimError } from '../errors';
import { Prng } from './prng';

export interface ProsumerProfile {
  name: string;
  /** Always-on load, W. */
  baseLoadW: number;
  /** Extra load between 18:00 and 23:00 (lighting, camp), W. */
  eveningLoadW?: number;
  /** Extra load between 07:00 and 18:00 (workshop), W. */
  dayLoadW?: number;
  /** A compressor that runs `compressorOnMin` of every 60 minutes, W. */
  compressorW?: number;
  compressorOnMin?: number;
  /** Rooftop solar peak at 12:00 (a half sine from 06:00 to 18:00), W. */
  solarPeakW?: number;
  /** A battery that discharges into the bus between 11:00 and 15:00, W. */
  batteryExportW?: number;
}

/** Four field-camp participants, 40–120 kW in total with a night peak (research/domain.md §8) [A]. */
export const DEFAULT_PROSUMER_PROFILES: readonly ProsumerProfile[] = [
  { name: 'camp', baseLoadW: 20_000, eveningLoadW: 15_000 },
  { name: 'pumps', baseLoadW: 15_000, compressorW: 30_000, compressorOnMin: 20 },
  { name: 'workshop', baseLoadW: 3_000, dayLoadW: 12_000, solarPeakW: 30_000 },
  { name: 'office', baseLoadW: 6_000, eveningLoadW: 4_000, batteryExportW: 10_000 },
];

const HOUR_MS = 3_600_000;
/** Load noise: AR(1), 2% sigma, 5 min time constant [A]. */
const NOISE_SIGMA = 0.02;
const NOISE_TAU_MS = 5 * 60_000;

export class Prosumer {
  private noise = 0;
  private readonly compressorPhaseMs: number;
  loadW = 0;
  generationW = 0;
  /** the prosumer's supply contactor: open (false) cuts the prosumer off the bus, both ways */
  supplyClosed = true;

  constructor(
    readonly profile: ProsumerProfile,
    private readonly prng: Prng,
    private readonly noisy: boolean,
  ) {
    this.compressorPhaseMs = prng.next() * HOUR_MS;
  }

  /** Net draw from the bus, W: positive draws, negative exports; nothing either way while the contactor is open. */
  get netW(): number {
    return this.supplyClosed ? this.loadW - this.generationW : 0;
  }

  step(nowMs: number, dtMs: number): void {
    const p = this.profile;
    const hour = (((nowMs % (24 * HOUR_MS)) + 24 * HOUR_MS) % (24 * HOUR_MS)) / HOUR_MS;
    let load = p.baseLoadW;
    load += (p.eveningLoadW ?? 0) * window(hour, 18, 23);
    load += (p.dayLoadW ?? 0) * window(hour, 7, 18);
    if (p.compressorW) {
      const minute = (((nowMs + this.compressorPhaseMs) % HOUR_MS) / 60_000) | 0;
      if (minute < (p.compressorOnMin ?? 0)) load += p.compressorW;
    }
    if (this.noisy) {
      const phi = Math.exp(-dtMs / NOISE_TAU_MS);
      this.noise = phi * this.noise + NOISE_SIGMA * Math.sqrt(1 - phi * phi) * this.prng.normal();
      load *= 1 + this.noise;
    }
    this.loadW = Math.max(0, load);
    const solar = (p.solarPeakW ?? 0) * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
    this.generationW = solar + (p.batteryExportW ?? 0) * window(hour, 11, 15);
  }
}

/** 1 inside [start, end) hours, with 30-minute linear edges so that the bus sees no unrealistic step. */
function window(hour: number, start: number, end: number): number {
  const rise = Math.min(1, Math.max(0, (hour - start) / 0.5 + 1));
  const fall = Math.min(1, Math.max(0, (end - hour) / 0.5));
  return Math.min(rise, fall);
}

/** A slot's draw computed each physics step (the simulated miners of sim/miners/), W at the step's time. */
export type SlotSource = (nowMs: number) => number;

export class MinerSlots {
  private readonly powerW: number[];
  private readonly sources = new Map<number, SlotSource>();

  constructor(
    count: number,
    readonly slotMaxW: number = DEFAULT_MINER_SLOT_MAX_W,
  ) {
    this.powerW = new Array<number>(count).fill(0);
  }

  get count(): number {
    return this.powerW.length;
  }

  /** Sets the draw of one container, clamped to 0 … its maximum; slot ids count from 0. */
  set(slotId: number, powerW: number): void {
    this.checkSlot(slotId);
    if (this.sources.has(slotId)) throw new SimError('ERR_MINER_SLOT', `miner slot ${slotId} is fed by simulated miners; its draw is theirs`);
    this.store(slotId, powerW);
  }

  /** Feeds a slot from `source` at every physics step from now on (sample()); undefined gives it back to set(). */
  feed(slotId: number, source: SlotSource | undefined): void {
    this.checkSlot(slotId);
    if (source) this.sources.set(slotId, source);
    else this.sources.delete(slotId);
  }

  /** Takes every fed slot's draw at the step's time. */
  sample(nowMs: number): void {
    for (const [slotId, source] of this.sources) this.store(slotId, source(nowMs));
  }

  private checkSlot(slotId: number): void {
    if (!Number.isInteger(slotId) || slotId < 0 || slotId >= this.powerW.length) {
      throw new SimError('ERR_MINER_SLOT', `miner slot ${slotId} does not exist (0 … ${this.powerW.length - 1})`);
    }
  }

  private store(slotId: number, powerW: number): void {
    if (!Number.isFinite(powerW)) throw new SimError('ERR_MINER_POWER', `miner slot power must be a number of W`);
    this.powerW[slotId] = Math.min(this.slotMaxW, Math.max(0, powerW));
  }

  get(slotId: number): number {
    return this.powerW[slotId] ?? 0;
  }

  get totalW(): number {
    return this.powerW.reduce((a, b) => a + b, 0);
  }

  snapshot(): number[] {
    return [...this.powerW];
  }
}
