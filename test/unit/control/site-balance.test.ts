import assert from 'node:assert/strict';
import type { MeterReading } from '../../../lib/schemas/contracts';
import {
  admitReading,
  computeSiteBalance,
  DEFAULT_SITE_BALANCE_SETTINGS,
  nextStaleAtMs,
  recordReading,
  type MeterTable,
  type SiteBalanceSettings,
} from '../../../lib/control/site-balance';

const NOW_MS = Date.parse('2026-03-01T12:00:10.000Z');
const settings: SiteBalanceSettings = { ...DEFAULT_SITE_BALANCE_SETTINGS, site: 'well-7' };

function reading(meterId: string, role: MeterReading['role'], powerW: number, extra: Partial<MeterReading> = {}): MeterReading {
  return {
    site: 'well-7',
    meterId,
    role,
    powerW,
    ts: new Date(NOW_MS - 1000).toISOString(),
    energyInWh: 0,
    energyOutWh: 0,
    quality: 'good',
    ...extra,
  };
}

function balanceAt(t: MeterTable, s: SiteBalanceSettings, nowMs: number) {
  return computeSiteBalance(t, s, nowMs).balance;
}

/** Each reading arrives when it was taken (the skew tests below make them differ). */
function table(...readings: MeterReading[]): MeterTable {
  const t: MeterTable = new Map();
  for (const r of readings) recordReading(t, r, Date.parse(r.ts));
  return t;
}

/** Two gensets, a bus meter, a load, two prosumers (one exporting), a charging battery and a miner feeder. */
function wholeSite(): MeterReading[] {
  return [
    reading('genset-1', 'genset', 300_000, { availablePowerW: 400_000 }),
    reading('genset-2', 'genset', 100_000, { availablePowerW: 150_000 }),
    reading('bus-1', 'bus', 395_000, { voltageV: 381.5 }),
    reading('camp-load', 'load', -50_000),
    reading('prosumer-a', 'prosumer', -30_000),
    reading('prosumer-b', 'prosumer', 10_000),
    reading('battery-1', 'battery', -20_000),
    reading('miners', 'miner', -308_500),
  ];
}

describe('computeSiteBalance', () => {
  it('sums every role by the Kirchhoff sign convention, leaving the bus meter out', () => {
    assert.deepEqual(balanceAt(table(...wholeSite()), settings, NOW_MS), {
      site: 'well-7',
      ts: '2026-03-01T12:00:10.000Z',
      generationW: 400_000,
      // -(-50 000 - 30 000 + 10 000 - 20 000)
      firmDemandW: 90_000,
      minerW: 308_500,
      availableW: 550_000,
      // max(20 000, 5% of 550 000)
      reserveW: 27_500,
      // 550 000 - 90 000 - 27 500
      surplusW: 432_500,
      busVoltageV: 381.5,
      quality: 'good',
      staleMeters: [],
      // 400 000 - 50 000 - 30 000 + 10 000 - 20 000 - 308 500; within max(2 kW, 3% of 400 kW)
      imbalanceW: 1_500,
    });
  });

  it('keeps the reserve floor in W when the percentage of a small capacity is lower', () => {
    const balance = balanceAt(
      table(reading('genset-1', 'genset', 60_000, { availablePowerW: 200_000 }), reading('miners', 'miner', -60_000)),
      settings,
      NOW_MS,
    );
    // 5% of 200 000 = 10 000 < 20 000
    assert.equal(balance.reserveW, 20_000);
    assert.equal(balance.surplusW, 180_000);
    assert.equal(balance.quality, 'good');
    assert.equal(balance.busVoltageV, undefined);
  });

  it('reports a negative surplus when firm demand and reserve exceed capacity', () => {
    const balance = balanceAt(
      table(reading('genset-1', 'genset', 95_000, { availablePowerW: 100_000 }), reading('camp-load', 'load', -95_000)),
      settings,
      NOW_MS,
    );
    // 100 000 - 95 000 - 20 000
    assert.equal(balance.surplusW, -15_000);
  });

  it('counts the output of a genset that gives no availablePowerW and flags the balance suspect', () => {
    const balance = balanceAt(
      table(reading('genset-1', 'genset', 250_000), reading('miners', 'miner', -250_000)),
      settings,
      NOW_MS,
    );
    assert.equal(balance.availableW, 250_000);
    // 250 000 - 0 - 20 000 (5% of 250 000 is 12 500)
    assert.equal(balance.surplusW, 230_000);
    assert.equal(balance.quality, 'suspect');
    assert.match(balance.qualityReason ?? '', /genset-1 gives no availablePowerW/);
  });

  it('flags a missing meter through the imbalance', () => {
    const withoutMiners = wholeSite().filter((r) => r.meterId !== 'miners');
    const balance = balanceAt(table(...withoutMiners), settings, NOW_MS);
    // 400 000 - 50 000 - 30 000 + 10 000 - 20 000; tolerance is 12 000 W
    assert.equal(balance.imbalanceW, 310_000);
    assert.equal(balance.quality, 'suspect');
    assert.match(balance.qualityReason ?? '', /imbalance 310000 W/);
  });

  it('accepts an imbalance up to the percentage of generation, and not beyond it', () => {
    const site = (minerW: number) =>
      table(reading('genset-1', 'genset', 400_000, { availablePowerW: 450_000 }), reading('miners', 'miner', minerW));
    // tolerance max(2 000, 3% of 400 000) = 12 000
    assert.equal(balanceAt(site(-388_000), settings, NOW_MS).quality, 'good');
    assert.equal(balanceAt(site(-387_999), settings, NOW_MS).quality, 'suspect');
  });

  it('makes the balance stale when a genset reading is older than the stale age', () => {
    const readings = wholeSite();
    readings[0] = { ...readings[0], ts: new Date(NOW_MS - 5001).toISOString() };
    const balance = balanceAt(table(...readings), settings, NOW_MS);
    assert.equal(balance.quality, 'stale');
    assert.deepEqual(balance.staleMeters, ['genset-1']);
    // the last figures still count: quality, not a zero, tells dispatch not to add load
    assert.equal(balance.generationW, 400_000);
  });

  it('treats a reading exactly at the stale age as fresh', () => {
    const readings = wholeSite();
    readings[0] = { ...readings[0], ts: new Date(NOW_MS - 5000).toISOString() };
    assert.equal(balanceAt(table(...readings), settings, NOW_MS).quality, 'good');
  });

  it('makes the balance stale when a genset or bus reading is marked bad or stale by its meter', () => {
    for (const [meterId, quality] of [['genset-2', 'bad'], ['bus-1', 'stale']] as const) {
      const readings = wholeSite().map((r) => (r.meterId === meterId ? { ...r, quality } : r));
      const balance = balanceAt(table(...readings), settings, NOW_MS);
      assert.equal(balance.quality, 'stale', meterId);
      assert.deepEqual(balance.staleMeters, [meterId]);
    }
  });

  it('makes the balance suspect, not stale, when a load, prosumer or miner meter is stale', () => {
    const readings = wholeSite().map((r) =>
      r.meterId === 'prosumer-a' || r.meterId === 'miners' ? { ...r, ts: new Date(NOW_MS - 60_000).toISOString() } : r,
    );
    const balance = balanceAt(table(...readings), settings, NOW_MS);
    assert.equal(balance.quality, 'suspect');
    assert.deepEqual(balance.staleMeters, ['miners', 'prosumer-a']);
  });

  it('passes on a suspect reading with its reason', () => {
    const readings = wholeSite().map((r) =>
      r.meterId === 'camp-load' ? { ...r, quality: 'suspect' as const, qualityReason: 'counter went backwards' } : r,
    );
    const balance = balanceAt(table(...readings), settings, NOW_MS);
    assert.equal(balance.quality, 'suspect');
    assert.deepEqual(balance.staleMeters, []);
    assert.match(balance.qualityReason ?? '', /camp-load is suspect: counter went backwards/);
  });

  it('is stale with no genset reading at all', () => {
    const balance = balanceAt(table(reading('camp-load', 'load', 0)), settings, NOW_MS);
    assert.equal(balance.quality, 'stale');
    assert.equal(balance.availableW, 0);
    assert.equal(balance.surplusW, -20_000);
    assert.match(balance.qualityReason ?? '', /no genset reading/);
  });

  it('lists an expected meter that never reported', () => {
    const balance = balanceAt(table(...wholeSite()), { ...settings, expectedMeters: ['genset-1', 'prosumer-c'] }, NOW_MS);
    assert.equal(balance.quality, 'suspect');
    assert.deepEqual(balance.staleMeters, ['prosumer-c']);
    assert.match(balance.qualityReason ?? '', /prosumer-c never reported/);
  });
});

describe('computeSiteBalance issues', () => {
  it('lists each cause with its severity, in a form a status line can pick from', () => {
    const readings = wholeSite()
      .filter((r) => r.meterId !== 'battery-1')
      .map((r) => (r.meterId === 'genset-1' || r.meterId === 'prosumer-a' ? { ...r, quality: 'stale' as const } : r));
    const { balance, issues } = computeSiteBalance(table(...readings), settings, NOW_MS);
    assert.deepEqual(issues, [
      { kind: 'stale-meter', meterId: 'genset-1', role: 'genset', severity: 'stale' },
      { kind: 'stale-meter', meterId: 'prosumer-a', role: 'prosumer', severity: 'suspect' },
      // without the battery's -20 000 W; tolerance max(2 000, 3% of 400 000)
      { kind: 'imbalance', imbalanceW: 21_500, toleranceW: 12_000, severity: 'suspect' },
    ]);
    assert.equal(balance.quality, 'stale');
    assert.equal(
      balance.qualityReason,
      'genset meter genset-1 is stale; prosumer meter prosumer-a is stale; meters do not sum to zero: imbalance 21500 W beyond 12000 W',
    );
  });
});

describe('recordReading', () => {
  it('keeps the newest reading of each meter and refuses one that arrives late', () => {
    const t: MeterTable = new Map();
    const newer = reading('genset-1', 'genset', 200_000, { ts: '2026-03-01T12:00:09.000Z' });
    const older = reading('genset-1', 'genset', 100_000, { ts: '2026-03-01T12:00:08.000Z' });
    assert.equal(recordReading(t, newer, NOW_MS), true);
    assert.equal(recordReading(t, older, NOW_MS), false);
    assert.equal(t.get('well-7/genset-1')?.reading.powerW, 200_000);
    assert.equal(recordReading(t, { ...newer, powerW: 210_000 }, NOW_MS), true);
    assert.equal(t.get('well-7/genset-1')?.reading.powerW, 210_000);
  });

  it('keys on site and meter id, so two sites\' genset-1 do not overwrite each other', () => {
    const t: MeterTable = new Map();
    recordReading(t, reading('genset-1', 'genset', 100_000), NOW_MS);
    recordReading(t, reading('genset-1', 'genset', 999_000, { site: 'well-9' }), NOW_MS);
    assert.equal(t.size, 2);
    assert.equal(t.get('well-7/genset-1')?.reading.powerW, 100_000);
  });
});

describe('admitReading', () => {
  it("takes this site's readings, refuses another site's with the reason, and adopts a reading without a site", () => {
    const own = reading('genset-1', 'genset', 1);
    assert.deepEqual(admitReading(own, 'well-7'), { reading: own, legacy: false });
    assert.throws(() => admitReading({ ...own, site: 'well-9' }, 'well-7'), /meter genset-1 reads for site 'well-9'; this balance is site 'well-7'/);
    const { site: _site, ...legacy } = own;
    assert.deepEqual(admitReading(legacy, 'well-7'), { reading: own, legacy: true });
  });

  it('refuses what is not a MeterReading with the contract check\'s sentence', () => {
    assert.throws(() => admitReading({ ...reading('g', 'genset', 1), powerW: '5' }, 'well-7'), (err: Error & { code?: string }) =>
      err.code === 'CONTRACT_VIOLATION' && /powerW must be a number, got "5"/.test(err.message));
  });
});

describe('freshness and clock skew', () => {
  it('counts freshness from arrival, so a meter whose clock runs 10 min late is not stale, but suspect', () => {
    const t: MeterTable = new Map();
    for (const r of wholeSite().slice(1)) recordReading(t, r, NOW_MS - 1000);
    const late = reading('genset-1', 'genset', 300_000, { availablePowerW: 400_000, ts: new Date(NOW_MS - 600_000).toISOString() });
    recordReading(t, late, NOW_MS - 1000);
    const { balance, issues } = computeSiteBalance(t, settings, NOW_MS);
    assert.deepEqual(balance.staleMeters, []);
    assert.equal(balance.quality, 'suspect');
    assert.deepEqual(issues, [{ kind: 'clock-skew', meterId: 'genset-1', skewMs: -599_000, severity: 'suspect' }]);
    assert.match(balance.qualityReason ?? '', /genset-1's clock is -599 s off/);
  });

  it('turns a reading stale when it arrived longer ago than the stale age, whatever its ts says', () => {
    const t: MeterTable = new Map();
    for (const r of wholeSite()) recordReading(t, { ...r, ts: new Date(NOW_MS).toISOString() }, NOW_MS - 5001);
    assert.equal(computeSiteBalance(t, settings, NOW_MS).balance.quality, 'stale');
  });
});

describe('nextStaleAtMs', () => {
  it('is the moment the oldest fresh reading ages out, ignoring readings already stale', () => {
    const t = table(
      reading('genset-1', 'genset', 1, { ts: new Date(NOW_MS - 3000).toISOString() }),
      reading('camp-load', 'load', -1, { ts: new Date(NOW_MS - 1000).toISOString() }),
      reading('miners', 'miner', 0, { ts: new Date(NOW_MS - 9000).toISOString() }),
    );
    assert.equal(nextStaleAtMs(t, settings, NOW_MS), NOW_MS - 3000 + 5000 + 1);
    assert.equal(nextStaleAtMs(new Map(), settings, NOW_MS), undefined);
  });
});
