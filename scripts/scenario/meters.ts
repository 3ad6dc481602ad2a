// The site's meters as flaregrid-meter would report them (every second, 0.5% noise), and the site
// balance lib/control/site-balance makes of them: the same path the nodes take, without Modbus in between.
import { computeSiteBalance, recordReading, type MeterTable, type SiteBalanceSettings } from '../../lib/control/site-balance';
import type { MeterReading, SiteBalance } from '../../lib/schemas';
import { Prng, type PlantPhysics } from '../../sim/plant';

const NOISE = 0.005;

export class SiteMeters {
  private readonly table: MeterTable = new Map();
  private readonly prng: Prng;
  readonly settings: SiteBalanceSettings;

  constructor(
    private readonly physics: PlantPhysics,
    readonly site: string,
    seed: number,
  ) {
    this.prng = new Prng((seed * 40_503) ^ 0x6d657465);
    const meterIds = [...physics.gensets.map((g) => g.name), 'bus', 'aux', 'miners', ...physics.prosumers.map((p) => p.profile.name)];
    this.settings = {
      site,
      reserveW: 20_000,
      reservePct: 5,
      staleAfterMs: 5_000,
      maxSkewMs: 30_000,
      imbalanceToleranceW: 2_000,
      imbalanceTolerancePct: 3,
      expectedMeters: meterIds,
    };
  }

  private noisy(powerW: number): number {
    return Math.round(powerW * (1 + NOISE * this.prng.normal()));
  }

  private reading(meterId: string, role: MeterReading['role'], powerW: number, inWh: number, outWh: number, extra: Partial<MeterReading> = {}): MeterReading {
    return {
      site: this.site,
      meterId,
      role,
      ts: new Date(this.physics.nowMs).toISOString(),
      powerW,
      energyInWh: Math.floor(inWh),
      energyOutWh: Math.floor(outWh),
      quality: 'good',
      ...extra,
    };
  }

  /** Genset readings (they also go to the dispatch, which counts the sets online from them). */
  gensetReadings(): MeterReading[] {
    return this.physics.gensets.map((g) =>
      this.reading(g.name, 'genset', this.noisy(g.outputW), g.energyForward.exactWh, 0, {
        availablePowerW: Math.max(0, this.noisy(g.availableW)),
        voltageV: g.online ? this.physics.bus.voltageV : 0,
      }),
    );
  }

  /** Every meter but the gensets: the bus (voltage), aux, the miner feeder and each prosumer. */
  otherReadings(): MeterReading[] {
    const { physics } = this;
    const readings = [
      this.reading('bus', 'bus', this.noisy(physics.busMeter.powerW), physics.busMeter.forward.exactWh, 0, { voltageV: Math.round(physics.bus.voltageV * 10) / 10 }),
      this.reading('aux', 'load', -this.noisy(physics.bus.auxW), 0, 0),
      this.reading('miners', 'miner', -this.noisy(physics.minerFeeder.powerW), physics.minerFeeder.reverse.exactWh, physics.minerFeeder.forward.exactWh),
    ];
    physics.prosumers.forEach((p, i) => {
      const meter = physics.prosumerMeters[i]!;
      readings.push(this.reading(p.profile.name, 'prosumer', -this.noisy(meter.powerW), meter.reverse.exactWh, meter.forward.exactWh));
    });
    return readings;
  }

  record(readings: readonly MeterReading[], nowMs: number): void {
    for (const r of readings) recordReading(this.table, r, nowMs);
  }

  balance(nowMs: number): SiteBalance {
    return computeSiteBalance(this.table, this.settings, nowMs).balance;
  }
}
