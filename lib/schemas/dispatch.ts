// Dispatch contracts (DESIGN.md §4): PowerTarget, one per miner from flaregrid-dispatch, and MinerTelemetry
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

export const MINER_STATES = ['hashing', 'ramping', 'sleeping', 'offline', 'error'] as const;
export type MinerState = (typeof MINER_STATES)[number];

/** measured: the miner reports its power; estimated: from its model and target; missing: neither */
export const POWER_SOURCES = ['measured', 'estimated', 'missing'] as const;
export type PowerSource = (typeof POWER_SOURCES)[number];

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
    errorReason: Type.Optional(Type.String({ description: 'why the state is error or offline' })),
    site: Type.Optional(Id('the site')),
  },
  { title: 'FlareGrid MinerTelemetry', description: "A miner's state, power and hashrate." },
);
export type MinerTelemetry = Static<typeof MinerTelemetrySchema>;
