// Dispatch contracts (docs/contracts.md): PowerTarget, one per miner from flaregrid-dispatch, and MinerTelemetry
// from flaregrid-miner.

import { Id, IsoTime, StringEnum, Type, type Static } from './kit';
import { QUALITIES } from './metering';

export const PowerTargetSchema = Type.Object(
  {
    minerId: Id('the miner'),
    targetW: Type.Integer({ minimum: 0, maximum: 100_000, description: 'whole W the miner should draw; 0 = sleep' }),
    reason: Type.String({ minLength: 1, description: 'why, in a few words' }),
    ts: IsoTime('when dispatch decided'),
    site: Type.Optional(Id('the site')),
  },
  { title: 'FlareGrid PowerTarget', description: 'The power a miner should draw.' },
);
export type PowerTarget = Static<typeof PowerTargetSchema>;

/** Settings of flaregrid-dispatch and flaregrid-miner-api with a fixed list of values, for their dialogs. */
export const PRIORITY_MODES = ['efficiency', 'fixed'] as const;
export const TIMER_MODES = ['decay', 'reset'] as const;
/** luxos: LuxOS (4028 with sessions); braiins: Braiins OS (REST /api/v1); bmminer: stock Antminer (4028, read only) */
export const DIALECTS = ['luxos', 'braiins', 'bmminer'] as const;

export const MINER_STATES = ['hashing', 'ramping', 'sleeping', 'offline', 'error'] as const;
export type MinerState = (typeof MINER_STATES)[number];

/** measured: the miner reports its power; estimated: from its model and target; missing: neither */
export const POWER_SOURCES = ['measured', 'estimated', 'missing'] as const;
export type PowerSource = (typeof POWER_SOURCES)[number];

/** What a miner can do, as flaregrid-miner learned it: dispatch allocates against this, not nameplate watts. */
export const MinerCapabilitySchema = Type.Object(
  {
    controllable: Type.Boolean({ description: 'false: the firmware takes no power command (stock Antminer); read only' }),
    minW: Type.Integer({ minimum: 0, description: 'lowest power limit the miner accepts, W' }),
    maxW: Type.Integer({ minimum: 0, description: 'highest power limit, W' }),
    stepW: Type.Integer({ minimum: 1, description: 'limits are minW plus whole steps, W' }),
    levelsW: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { description: 'the only limits it takes (LuxOS profiles), W' })),
    rampWPerS: Type.Number({ minimum: 0, description: 'ramp of a live limit change, W/s' }),
    wakeS: Type.Number({ minimum: 0, description: 'wake to full power, s' }),
    sleepS: Type.Number({ minimum: 0, description: 'sleep to the sleep draw, s' }),
    lagS: Type.Number({ minimum: 0, description: 'limit change to the new power, s (learned)' }),
  },
  { description: 'power limits and timings of one miner; the timings are learned from what it did' },
);
export type MinerCapability = Static<typeof MinerCapabilitySchema>;

export const MinerTelemetrySchema = Type.Object(
  {
    minerId: Id('the miner'),
    ts: IsoTime('when the miner was read'),
    state: StringEnum(MINER_STATES),
    powerW: Type.Number({ minimum: 0, description: 'W drawn' }),
    powerSource: StringEnum(POWER_SOURCES),
    targetW: Type.Integer({ minimum: 0, description: 'the target the miner was last given, W' }),
    hashrateThs: Type.Number({ minimum: 0, description: 'TH/s' }),
    temperatureC: Type.Optional(Type.Number({ description: 'hottest board, °C' })),
    quality: StringEnum(QUALITIES),
    errorReason: Type.Optional(Type.String({ description: 'why the state is error or offline, or why the quality is suspect' })),
    site: Type.Optional(Id('the site')),
    confirmed: Type.Optional(Type.Boolean({ description: 'the miner shows the target it was last given (its limit, or asleep)' })),
    capability: Type.Optional(MinerCapabilitySchema),
  },
  { title: 'FlareGrid MinerTelemetry', description: "A miner's state, power and hashrate." },
);
export type MinerTelemetry = Static<typeof MinerTelemetrySchema>;
