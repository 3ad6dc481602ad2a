import assert from 'node:assert/strict';
import type { MeterReading, SiteBalance } from '../../../lib/schemas/contracts';
import { isMeterReading, isSiteBalance, meterReadingSchema, schemaProblems, siteBalanceSchema } from '../../../lib/schemas';

// Every field of the TypeScript contracts, listed so that the compiler refuses a field added on one side only.
const READING_FIELDS: Record<keyof MeterReading, true> = {
  meterId: true, role: true, ts: true, powerW: true, energyInWh: true, energyOutWh: true, voltageV: true, currentA: true,
  availablePowerW: true, fuelScfm: true, quality: true, qualityReason: true, profile: true, energyDerived: true,
};
const BALANCE_FIELDS: Record<keyof SiteBalance, true> = {
  site: true, ts: true, generationW: true, firmDemandW: true, minerW: true, availableW: true, reserveW: true, surplusW: true,
  busVoltageV: true, quality: true, qualityReason: true, staleMeters: true, imbalanceW: true,
};

const reading: MeterReading = {
  meterId: 'genset-1', role: 'genset', ts: '2026-11-25T12:00:00.000Z', powerW: 250_000, energyInWh: 1_000_000,
  energyOutWh: 0, availablePowerW: 320_000, quality: 'good',
};

describe('contract schemas', () => {
  it('name exactly the fields of the TypeScript contracts', () => {
    assert.deepEqual(Object.keys(meterReadingSchema.properties).sort(), Object.keys(READING_FIELDS).sort());
    assert.deepEqual(Object.keys(siteBalanceSchema.properties).sort(), Object.keys(BALANCE_FIELDS).sort());
  });

  it('accept a complete MeterReading, and unknown fields beside it', () => {
    assert.ok(isMeterReading(reading), schemaProblems(isMeterReading));
    assert.ok(isMeterReading({ ...reading, vendorNote: 'kept' }));
  });

  it('refuse a reading without a required field, with a wrong role, or with a timestamp that is not ISO 8601', () => {
    const { energyOutWh: _omitted, ...withoutEnergy } = reading;
    assert.equal(isMeterReading(withoutEnergy), false);
    assert.match(schemaProblems(isMeterReading), /energyOutWh/);
    assert.equal(isMeterReading({ ...reading, role: 'generator' }), false);
    assert.equal(isMeterReading({ ...reading, ts: '25/11/2026 12:00' }), false);
  });

  it('accept a SiteBalance and refuse one without its quality', () => {
    const balance: SiteBalance = {
      site: 'site-1', ts: '2026-11-25T12:00:00Z', generationW: 250_000, firmDemandW: 36_000, minerW: 213_500, availableW: 320_000,
      reserveW: 20_000, surplusW: 264_000, busVoltageV: 381.2, quality: 'good', staleMeters: [], imbalanceW: 500,
    };
    assert.ok(isSiteBalance(balance), schemaProblems(isSiteBalance));
    const { quality: _quality, ...withoutQuality } = balance;
    assert.equal(isSiteBalance(withoutQuality), false);
  });
});
