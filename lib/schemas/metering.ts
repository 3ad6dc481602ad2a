// Metering contracts (docs/contracts.md): MeterReading, which flaregrid-meter emits, and SiteBalance, which
// flaregrid-balance emits.
//
// Sign convention (Kirchhoff): powerW is positive when power flows INTO the DC bus from the metered device and
// negative when the device draws from it, so the sum over every device meter of a bus is about zero.
//
// Energy rule: energyInWh and energyOutWh are whole Wh, cumulative and monotonic. Where a meter's counter has a
// finer resolution, or energy is integrated from power, the fraction is carried inside the meter's tracker (and
// saved with it), never rounded away or invented: over a day the emitted integers lose less than 1 Wh.

import { Id, IsoTime, StringEnum, Type, WholeWh, type Static } from './kit';

/** Where a meter sits on the DC bus; decides the sign of its power. */
export const METER_ROLES = ['genset', 'bus', 'load', 'prosumer', 'miner', 'battery'] as const;
export type MeterRole = (typeof METER_ROLES)[number];

/**
 * good; stale: no good answer within the configured age; suspect: implausible value, counter jump, clock skew;
 * bad: exception, timeout, wrong length.
 */
export const QUALITIES = ['good', 'stale', 'suspect', 'bad'] as const;
export type Quality = (typeof QUALITIES)[number];

export const MeterReadingSchema = Type.Object(
  {
    site: Id('the site whose DC bus the meter is on'),
    meterId: Id('the meter, unique within its site'),
    role: StringEnum(METER_ROLES, { description: 'where the meter sits on the bus; decides the sign of powerW' }),
    ts: IsoTime('when the meter was read, ISO 8601 UTC'),
    powerW: Type.Number({ description: 'W, positive into the bus, negative drawn from it' }),
    energyInWh: WholeWh('cumulative whole Wh into the bus, monotonic'),
    energyOutWh: WholeWh('cumulative whole Wh out of the bus, monotonic'),
    voltageV: Type.Optional(Type.Number({ description: 'V' })),
    currentA: Type.Optional(Type.Number({ description: 'A, same sign as powerW' })),
    availablePowerW: Type.Optional(Type.Number({ minimum: 0, description: 'genset: what the gas supply can carry now, W' })),
    fuelScfm: Type.Optional(Type.Number({ minimum: 0, description: 'gas burned, standard cubic feet per minute' })),
    quality: StringEnum(QUALITIES),
    qualityReason: Type.Optional(Type.String({ description: 'why the quality is not good, in a sentence' })),
    profile: Type.Optional(Type.String({ description: 'the register profile the reading was decoded by' })),
    energyDerived: Type.Optional(Type.Boolean({ description: 'energy integrated from power: the meter has no counter' })),
  },
  {
    title: 'FlareGrid MeterReading',
    description:
      "One meter's reading. powerW is positive when power flows INTO the DC bus from the metered device, negative when the device draws from it. Energy counters are whole Wh. Unknown fields are allowed and ignored.",
  },
);
export type MeterReading = Static<typeof MeterReadingSchema>;

export const SiteBalanceSchema = Type.Object(
  {
    site: Id('the site'),
    ts: IsoTime('when the balance was computed, ISO 8601 UTC'),
    generationW: Type.Number({ description: 'W made by the gensets' }),
    firmDemandW: Type.Number({ description: 'W drawn by everything but the flexible miners (prosumer exports reduce it)' }),
    minerW: Type.Number({ description: 'W drawn by the miners' }),
    availableW: Type.Number({ minimum: 0, description: 'gas-limited generation capacity, W' }),
    reserveW: Type.Number({ minimum: 0, description: 'spinning reserve kept free, W' }),
    surplusW: Type.Number({ description: 'availableW - firmDemandW - reserveW: what flexible load may take, W; negative when load must be shed' }),
    imbalanceW: Type.Number({
      description: 'sum of powerW over the device meters (the bus meter excluded); near zero when every meter is present and right',
    }),
    busVoltageV: Type.Optional(Type.Number({ description: 'V, from the bus meter' })),
    quality: StringEnum(QUALITIES, { description: "'stale' means: do not add load" }),
    qualityReason: Type.Optional(Type.String({ description: 'why the quality is not good, in a sentence' })),
    staleMeters: Type.Array(Type.String(), { description: 'meters that are stale, bad or never reported' }),
  },
  {
    title: 'FlareGrid SiteBalance',
    description:
      "A site's power balance. surplusW = availableW - firmDemandW - reserveW is what flexible load may take; quality 'stale' means: do not add load. Unknown fields are allowed and ignored.",
  },
);
export type SiteBalance = Static<typeof SiteBalanceSchema>;
