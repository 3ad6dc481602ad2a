import assert from 'node:assert/strict';
import { InvalidMeterReadingError, parseMeterReading } from '../../../lib/control/meter-reading-input';

const valid = {
  meterId: 'genset-1',
  role: 'genset',
  ts: '2026-03-01T12:00:00.000Z',
  powerW: 300_000,
  energyInWh: 10,
  energyOutWh: 0,
  availablePowerW: 400_000,
  quality: 'good',
};

describe('parseMeterReading', () => {
  it('accepts a MeterReading and keeps unknown fields', () => {
    assert.deepEqual(parseMeterReading({ ...valid, vendorField: 1 }), { ...valid, vendorField: 1 });
  });


  const cases: [string, unknown, RegExp][] = [
    ['a string payload', 'genset-1 300 kW', /must be an object, got "genset-1 300 kW"/],
    ['a missing meterId', { ...valid, meterId: undefined }, /needs a meterId string, got nothing/],
    ['an unknown role', { ...valid, role: 'generator' }, /'genset-1' has role "generator"; expected one of genset, bus, load/],
    ['a powerW string', { ...valid, powerW: '300000' }, /'genset-1' needs a finite powerW in W, got "300000"/],
    ['a missing ts', { ...valid, ts: undefined }, /needs ts as an ISO 8601 UTC string, got nothing/],
    ['an unparseable ts', { ...valid, ts: 'yesterday' }, /needs ts as an ISO 8601 UTC string, got "yesterday"/],
    ['an unknown quality', { ...valid, quality: 'ok' }, /quality "ok"; expected one of good, stale, suspect, bad/],
    ['a missing quality', { ...valid, quality: undefined }, /quality nothing; expected one of good, stale, suspect, bad/],
    ['a missing energyInWh', { ...valid, energyInWh: undefined }, /needs energyInWh as a cumulative Wh figure of 0 or more, got nothing/],
    ['a negative energyOutWh', { ...valid, energyOutWh: -5 }, /needs energyOutWh as a cumulative Wh figure of 0 or more, got -5/],
    ['a non-numeric availablePowerW', { ...valid, availablePowerW: null }, /availablePowerW null/],
  ];
  for (const [what, payload, message] of cases) {
    it(`refuses ${what} with a sentence`, () => {
      assert.throws(
        () => parseMeterReading(payload),
        (err: unknown) => err instanceof InvalidMeterReadingError && err.code === 'INVALID_METER_READING' && message.test(err.message),
      );
    });
  }
});
