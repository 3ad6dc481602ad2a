// The site's physics in fixed steps: gas → gensets → DC bus → loads, with every meter's true values.
// Time only moves through `advance`/`advanceTo`; nothing here reads a clock or starts a timer.
import {
  BUS_EXCURSION_BAND_V,
  BUS_NOMINAL_V,
  BUS_NORMAL_BAND_V,
  BUS_TRANSIENT_GAIN,
  CAT_G3516_EFFICIENCY_CURVE,
  DEFAULT_AUX_LOAD_W,
  DEFAULT_DROOP_FRACTION,
  DEFAULT_GENSET_COUNT,
  DEFAULT_GENSET_RATING_W,
  DEFAULT_MINER_SLOTS,
  DEFAULT_STEP_MS,
} from './constants';
import { CounterPreset, MeterPoint } from './counter';
import { EmissionOptions, GasLedger, emissionFactors } from './emissions';
import { SimError } from '../errors';
import { GasEvent, GasOptions, GasSupply, fuelBtuPerHour } from './gas';
import { Genset, GensetOptions } from './genset';
import { DEFAULT_PROSUMER_PROFILES, MinerSlots, Prosumer, ProsumerProfile } from './loads';
import { Prng } from './prng';

export interface PhysicsOptions {
  /** Sim clock at start, ms since the epoch. */
  startTimeMs: number;
  seed?: number;
  stepMs?: number;
  gas?: GasOptions;
  gensets?: number;
  gensetRatingW?: number;
  heatRateBtuPerKwh?: number;
  /** Use the Caterpillar G3516 part-load efficiency curve instead of the constant heat rate. */
  partLoadCurve?: boolean;
  hardMinTripMs?: number;
  autoRestart?: boolean;
  droopFraction?: number;
  /** A count (templates are cycled) or explicit profiles. */
  prosumers?: number | ProsumerProfile[];
  /** Random load wander on prosumers (AR(1), 2%); off gives exact profiles. */
  loadNoise?: boolean;
  auxLoadW?: number;
  minerSlots?: number;
  minerSlotMaxW?: number;
  emissions?: EmissionOptions;
  /** Counter presets by device name (busMeter, minerFeeder, genset1…, prosumer1…). */
  counterPresets?: Record<string, CounterPreset>;
}

export interface BusState {
  voltageV: number;
  /** Draws asked of the bus (prosumer draws, aux, miners), W. */
  demandW: number;
  /** Share of the asked draws the bus could serve this step (1 unless supply falls short). */
  servedFraction: number;
  generationW: number;
  prosumerExportW: number;
  availableW: number;
  onlineRatingW: number;
  auxW: number;
  minerW: number;
  excursionCount: number;
  outOfBandMs: number;
  outOfNormalBandMs: number;
}

export class PlantPhysics {
  nowMs: number;
  readonly stepMs: number;
  stepCount = 0;
  /** Changes whenever a presented value may have changed (a step or a meter reset): register caches key on it. */
  version = 0;
  readonly gas: GasSupply;
  readonly gensets: Genset[];
  readonly prosumers: Prosumer[];
  readonly prosumerMeters: MeterPoint[];
  readonly miners: MinerSlots;
  readonly busMeter: MeterPoint;
  readonly minerFeeder: MeterPoint;
  readonly ledger: GasLedger;
  readonly bus: BusState;
  private readonly auxLoadW: number;
  private readonly droopFraction: number;
  private pendingMs = 0;

  constructor(options: PhysicsOptions) {
    const prng = new Prng(options.seed ?? 1);
    const presets = options.counterPresets ?? {};
    this.nowMs = options.startTimeMs;
    this.stepMs = options.stepMs ?? DEFAULT_STEP_MS;
    this.gas = new GasSupply(options.gas ?? {}, prng);
    const gensetOptions: GensetOptions = {
      ratedPowerW: options.gensetRatingW ?? DEFAULT_GENSET_RATING_W,
      heatRateBtuPerKwh: options.heatRateBtuPerKwh,
      efficiencyCurve: options.partLoadCurve ? CAT_G3516_EFFICIENCY_CURVE : undefined,
      hardMinTripMs: options.hardMinTripMs,
      autoRestart: options.autoRestart,
    };
    const gensetCount = options.gensets ?? DEFAULT_GENSET_COUNT;
    this.gensets = Array.from({ length: gensetCount }, (_, i) => {
      const name = `genset${i + 1}`;
      return new Genset(name, gensetOptions, presets[name]?.forwardWh ?? 0);
    });
    const profiles = resolveProfiles(options.prosumers);
    this.prosumers = profiles.map((p) => new Prosumer(p, prng, options.loadNoise ?? true));
    this.prosumerMeters = profiles.map((_, i) => new MeterPoint(presets[`prosumer${i + 1}`]));
    this.miners = new MinerSlots(options.minerSlots ?? DEFAULT_MINER_SLOTS, options.minerSlotMaxW);
    this.busMeter = new MeterPoint(presets.busMeter);
    this.minerFeeder = new MeterPoint(presets.minerFeeder);
    this.ledger = new GasLedger(emissionFactors(this.gas.heatingValueBtuPerScf, options.emissions));
    this.auxLoadW = options.auxLoadW ?? DEFAULT_AUX_LOAD_W;
    this.droopFraction = options.droopFraction ?? DEFAULT_DROOP_FRACTION;
    this.bus = {
      voltageV: BUS_NOMINAL_V,
      demandW: 0,
      servedFraction: 1,
      generationW: 0,
      prosumerExportW: 0,
      availableW: 0,
      onlineRatingW: 0,
      auxW: 0,
      minerW: 0,
      excursionCount: 0,
      outOfBandMs: 0,
      outOfNormalBandMs: 0,
    };
    this.solve(0, true);
  }

  /** Runs whole physics steps covering `ms`; a remainder shorter than one step waits for the next call. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new SimError('ERR_TIME', `cannot advance by ${ms} ms`);
    this.pendingMs += ms;
    while (this.pendingMs >= this.stepMs) {
      this.pendingMs -= this.stepMs;
      this.nowMs += this.stepMs;
      this.stepCount++;
      this.version++;
      this.solve(this.stepMs, false);
    }
  }

  advanceTo(nowMs: number): void {
    this.advance(Math.max(0, nowMs - this.nowMs - this.pendingMs));
  }

  /**
   * Places the gensets at today's demand at once, as the constructor does: a run that sets its miners before the
   * first step starts in steady state rather than with a step of the whole miner load.
   */
  prime(): void {
    this.solve(0, true);
  }

  setMinerSlotPowerW(slotId: number, powerW: number): void {
    this.miners.set(slotId, powerW);
  }

  injectGasEvent(event: Omit<GasEvent, 'startMs'> & { startMs?: number; durationMs?: number }): void {
    const startMs = event.startMs ?? this.nowMs;
    const endMs = event.endMs ?? (event.durationMs === undefined ? undefined : startMs + event.durationMs);
    this.gas.inject({ kind: event.kind, factor: event.factor, startMs, endMs });
  }

  clearGasEvents(): void {
    this.gas.clearEvents();
  }

  private solve(dtMs: number, priming: boolean): void {
    const now = this.nowMs;
    this.gas.step(now, dtMs);
    for (const g of this.gensets) g.tickState(dtMs);
    for (const p of this.prosumers) p.step(now, dtMs);
    this.miners.sample(now);
    const minerW = this.miners.totalW;
    let drawsW = this.auxLoadW + minerW;
    let exportsW = 0;
    for (const p of this.prosumers) {
      if (p.netW > 0) drawsW += p.netW;
      else exportsW -= p.netW;
    }
    // Grid-following exports cannot exceed what the bus takes; the surplus is curtailed at the inverter.
    const exportsUsedW = Math.min(exportsW, drawsW);
    const netDemandW = drawsW - exportsUsedW;

    const fuelBtuH = fuelBtuPerHour(this.gas.intakeFlowMcfd, this.gas.heatingValueBtuPerScf);
    let online = this.gensets.filter((g) => g.online);
    let ratingW = sum(online, (g) => g.ratedPowerW);
    for (const g of this.gensets) g.setFuelShare(ratingW > 0 ? (fuelBtuH * g.ratedPowerW) / ratingW : 0);
    const targetOf = (g: Genset) => (ratingW > 0 ? (netDemandW * g.ratedPowerW) / ratingW : 0);
    for (const g of online) {
      if (priming) g.prime(targetOf(g));
      else g.ramp(targetOf(g), dtMs);
    }
    for (const g of online) g.protect(targetOf(g), dtMs);
    online = online.filter((g) => g.online);
    ratingW = sum(online, (g) => g.ratedPowerW);
    const capacityW = sum(online, (g) => g.setpointW);
    const availableW = sum(online, (g) => g.availableW);

    const busAlive = ratingW > 0;
    const deliveredW = busAlive ? Math.min(netDemandW, capacityW) : 0;
    const suppliedW = deliveredW + (busAlive ? exportsUsedW : 0);
    const served = !busAlive ? 0 : deliveredW >= netDemandW || drawsW <= 0 ? 1 : suppliedW / drawsW;
    const exportScale = busAlive && exportsW > 0 ? exportsUsedW / exportsW : 0;

    let burnedScf = 0;
    for (const g of this.gensets) {
      const outW = capacityW > 0 && g.online ? (deliveredW * g.setpointW) / capacityW : 0;
      burnedScf += g.deliver(outW, dtMs, this.gas.heatingValueBtuPerScf);
    }
    this.ledger.book((this.gas.intakeFlowMcfd * 1000 * dtMs) / 86_400_000, burnedScf);

    this.prosumers.forEach((p, i) => {
      const net = p.netW > 0 ? p.netW * served : p.netW * exportScale;
      this.prosumerMeters[i]!.book(net, dtMs);
    });
    this.minerFeeder.book(minerW * served, dtMs);
    this.busMeter.book(deliveredW + (busAlive ? exportsUsedW : 0), dtMs);

    const voltageV = busAlive ? this.busVoltage(netDemandW, capacityW, availableW, ratingW) : 0;
    this.trackExcursions(voltageV, dtMs);
    Object.assign(this.bus, {
      voltageV,
      demandW: drawsW,
      servedFraction: served,
      generationW: deliveredW,
      prosumerExportW: busAlive ? exportsUsedW : 0,
      availableW,
      onlineRatingW: ratingW,
      auxW: this.auxLoadW * served,
      minerW: minerW * served,
    });
  }

  /**
   * Droop centred on nominal at half the available power: 3% of nominal from no load to full load, so
   * 385.7 V idle and 374.3 V at the gas limit. Power asked beyond the ramp- or gas-limited set points pulls
   * the bus further down (rises it when set points lag a load drop), BUS_TRANSIENT_GAIN per unit of rating.
   */
  private busVoltage(netDemandW: number, capacityW: number, availableW: number, ratingW: number): number {
    const loading = availableW > 0 ? Math.min(1, netDemandW / availableW) : 1;
    const imbalance = (netDemandW - capacityW) / ratingW;
    const v = BUS_NOMINAL_V * (1 + this.droopFraction * (0.5 - loading) - BUS_TRANSIENT_GAIN * imbalance);
    return Math.min(1.2 * BUS_NOMINAL_V, Math.max(0, v));
  }

  private trackExcursions(voltageV: number, dtMs: number): void {
    const [low, high] = BUS_EXCURSION_BAND_V;
    const out = voltageV < low || voltageV > high;
    if (out) {
      if (this.bus.voltageV >= low && this.bus.voltageV <= high) this.bus.excursionCount++;
      this.bus.outOfBandMs += dtMs;
    }
    if (voltageV < BUS_NORMAL_BAND_V[0] || voltageV > BUS_NORMAL_BAND_V[1]) this.bus.outOfNormalBandMs += dtMs;
  }

  /** Meter replacement: zeroes a device's counters (PM1 then shows Status bit 0). Names as in counterPresets. */
  resetMeter(name: string): void {
    const genset = this.gensets.find((g) => g.name === name);
    const index = /^prosumer(\d+)$/.exec(name)?.[1];
    const meter =
      name === 'busMeter' ? this.busMeter : name === 'minerFeeder' ? this.minerFeeder : index ? this.prosumerMeters[Number(index) - 1] : undefined;
    if (genset) genset.energyForward.reset();
    else if (meter) meter.reset();
    else throw new SimError('ERR_DEVICE', `no device named '${name}'`);
    this.version++;
  }

  /** Opens (false) or closes (true) a prosumer's supply contactor by its 0-based index: open, it draws and feeds nothing. */
  setProsumerSupply(index: number, closed: boolean): void {
    this.prosumerAt(index).supplyClosed = closed;
    this.version++;
  }

  prosumerSupplyClosed(index: number): boolean {
    return this.prosumerAt(index).supplyClosed;
  }

  private prosumerAt(index: number): Prosumer {
    const p = this.prosumers[index];
    if (!p) throw new SimError('ERR_DEVICE', `prosumer index ${index} does not exist (0 … ${this.prosumers.length - 1})`);
    return p;
  }

  /** Starts or stops a genset by its 0-based index (operator command; starting takes the warm-up time). */
  commandGenset(index: number, command: 'start' | 'stop'): void {
    const g = this.gensets[index];
    if (!g) throw new SimError('ERR_GENSET', `genset index ${index} does not exist (0 … ${this.gensets.length - 1})`);
    if (command === 'start') g.start();
    else g.stop();
  }
}

function resolveProfiles(prosumers: number | ProsumerProfile[] | undefined): ProsumerProfile[] {
  if (Array.isArray(prosumers)) return prosumers;
  const count = prosumers ?? DEFAULT_PROSUMER_PROFILES.length;
  return Array.from({ length: count }, (_, i) => {
    const template = DEFAULT_PROSUMER_PROFILES[i % DEFAULT_PROSUMER_PROFILES.length]!;
    const round = Math.floor(i / DEFAULT_PROSUMER_PROFILES.length);
    return round === 0 ? template : { ...template, name: `${template.name}${round + 1}` };
  });
}

function sum<T>(items: T[], f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}
