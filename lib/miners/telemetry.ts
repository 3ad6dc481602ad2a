// MinerTelemetry (lib/schemas/dispatch.ts) from what the controller knows: the last read, the link, the
// reconciler and the capability. Power is `measured` when the firmware reports it, `estimated` from hashrate
// and nameplate (or the limit) when it does not, `missing` when the miner cannot be read; a reason goes with
// every offline, error and suspect state.
import type { MinerCapability, MinerState, MinerTelemetry, PowerSource } from '../schemas/dispatch';
import type { Quality } from '../schemas/metering';
import type { CapabilitySnapshot } from './capability';
import type { ReconcilerState } from './reconciler';
import type { MinerSample } from './types';

/** Draw of an S21-class miner asleep (control board only) when its firmware does not say, W [A]. */
const SLEEP_DRAW_W = 15;

export interface TelemetryInput {
  minerId: string;
  site?: string;
  nowMs: number;
  /** the link is up and the last read answered */
  online: boolean;
  offlineReason?: string;
  sample?: MinerSample;
  reconciler: ReconcilerState;
  capability?: CapabilitySnapshot;
  controllable: boolean;
  ratedPowerW: number;
  /** a wake went out less than twice the miner's wake time ago: boards not hashing yet are warming, not failed */
  warmingUp?: boolean;
}

export function buildTelemetry(input: TelemetryInput): MinerTelemetry {
  const { sample, reconciler } = input;
  const desired = reconciler.desired;
  const base = {
    minerId: input.minerId,
    ts: new Date(input.nowMs).toISOString(),
    ...(input.site ? { site: input.site } : {}),
  };
  if (!input.online || !sample) {
    return {
      ...base,
      state: 'offline',
      powerW: 0,
      powerSource: 'missing',
      targetW: desired?.targetW ?? 0,
      hashrateThs: 0,
      quality: 'bad',
      errorReason: input.offlineReason ?? 'the miner has not been read yet',
      ...(desired ? { confirmed: false } : {}),
      ...capabilityOf(input),
    };
  }
  const { powerW, powerSource } = power(sample, input);
  const targetW = desired?.targetW ?? (sample.mining ? Math.round(sample.powerLimitW ?? input.ratedPowerW) : 0);
  let state: MinerState;
  let reason: string | undefined;
  // A cold start shows every hashboard at zero for a minute or two; only the firmware's own fault words, or
  // boards still idle once the wake should be done, make that an error.
  const warming = input.warmingUp === true && sample.mining && sample.errors.length === 0;
  if (sample.boardsFailed > 0 && !warming) {
    state = 'error';
    reason = `${sample.boardsFailed} of ${sample.boardsTotal} hashboards not hashing${sample.errors.length > 0 ? `: ${sample.errors[0]}` : ''}`;
  } else if (!sample.mining) state = 'sleeping';
  else state = sample.boardsFailed > 0 || ramping(sample, powerW, powerSource, input.capability) ? 'ramping' : 'hashing';
  let quality: Quality = 'good';
  if (reconciler.suspect) {
    quality = 'suspect';
    reason ??= reconciler.problem;
  }
  return {
    ...base,
    state,
    powerW,
    powerSource,
    targetW,
    hashrateThs: round(sample.hashrateThs, 3),
    ...(sample.temperatureC === undefined ? {} : { temperatureC: round(sample.temperatureC, 1) }),
    quality,
    ...(reason ? { errorReason: reason } : {}),
    ...(desired ? { confirmed: reconciler.confirmed } : {}),
    ...capabilityOf(input),
  };
}

function power(sample: MinerSample, input: TelemetryInput): { powerW: number; powerSource: PowerSource } {
  if (sample.powerW !== undefined) return { powerW: Math.round(sample.powerW), powerSource: 'measured' };
  if (!sample.mining) return { powerW: SLEEP_DRAW_W, powerSource: 'estimated' };
  const full = sample.powerLimitW ?? input.ratedPowerW;
  const share = sample.idealHashrateThs ? Math.min(1.1, sample.hashrateThs / sample.idealHashrateThs) : 1;
  return { powerW: Math.round(full * share), powerSource: 'estimated' };
}

/** Hashing but not yet at the limit it holds (a wake or a limit change under way). */
function ramping(sample: MinerSample, powerW: number, source: PowerSource, capability: CapabilitySnapshot | undefined): boolean {
  if (source !== 'measured' || sample.powerLimitW === undefined) return false;
  const toleranceW = Math.max(50, 0.03 * (capability?.maxW ?? sample.powerLimitW));
  return Math.abs(powerW - sample.powerLimitW) > toleranceW;
}

function capabilityOf(input: TelemetryInput): { capability?: MinerCapability } {
  const c = input.capability;
  if (!c) return {};
  return {
    capability: {
      controllable: input.controllable,
      minW: Math.round(c.minW),
      maxW: Math.round(c.maxW),
      stepW: Math.max(1, Math.round(c.stepW)),
      ...(c.levelsW ? { levelsW: c.levelsW.map(Math.round) } : {}),
      rampWPerS: c.rampWPerS,
      wakeS: c.wakeS,
      sleepS: c.sleepS,
      lagS: c.lagS,
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
