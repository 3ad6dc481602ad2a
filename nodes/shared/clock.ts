// The `flaregrid` entry of Node-RED's settings, and the clock every flaregrid node runs on, taken from it so that one process shares one time
// line: `npm start -- --speedup 60` hands the plant simulator and Node-RED the same ScaledClock, a settings
// file may ask for a speed-up, and tests hand in a fake clock. Wall time when nothing is configured.

import { ClockError, ScaledClock, wallClock, type Clock } from '../../lib/clock';
import type { PaymentHooks } from '../../lib/payments/stream-driver';
import type { NodeRedAPI } from './red';

/** The `flaregrid` entry of Node-RED's settings. */
export interface FlaregridSettings {
  /** a Clock object, when the process that embeds Node-RED shares its own (npm start, tests) */
  clock?: Clock;
  /** clock ms per wall ms, for a settings file; ignored when `clock` is given */
  speedup?: number;
  /** where a scaled clock starts, ISO 8601; default the moment Node-RED loads the first flaregrid node */
  startTime?: string;
  /** the first level of every MQTT topic (lib/topics.ts); default flaregrid */
  topicPrefix?: string;
  /** where nodes keep their journals; default <userDir>/flaregrid */
  dataDir?: string;
  /** observers of the pay-streams' two crash-sensitive moments (tests kill the process there) */
  paymentHooks?: PaymentHooks;
}

const scaledBySettings = new WeakMap<object, Clock>();
const NO_SETTINGS: FlaregridSettings = Object.freeze({});

export function flaregridSettings(RED: NodeRedAPI): FlaregridSettings {
  const value = (RED.settings as { flaregrid?: unknown }).flaregrid;
  return value && typeof value === 'object' ? (value as FlaregridSettings) : NO_SETTINGS;
}

export function clockOf(RED: NodeRedAPI): Clock {
  const settings = flaregridSettings(RED);
  if (settings.clock) return settings.clock;
  if (settings.speedup === undefined || settings.speedup === 1) return wallClock;
  let clock = scaledBySettings.get(settings);
  if (!clock) {
    const startMs = settings.startTime === undefined ? undefined : Date.parse(settings.startTime);
    if (startMs !== undefined && Number.isNaN(startMs)) {
      throw new ClockError(`settings flaregrid.startTime must be an ISO 8601 time, got '${settings.startTime}'`);
    }
    clock = new ScaledClock({ speedup: settings.speedup, startMs });
    scaledBySettings.set(settings, clock);
  }
  return clock;
}
