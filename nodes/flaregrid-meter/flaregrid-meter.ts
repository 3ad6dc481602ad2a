// flaregrid-meter: a thin adapter between node-red-contrib-modbus and lib/metering's MeterSession. Output 1
// carries MeterReadings (topic <prefix>/<site>/meters/<meterId>), output 2 the read requests for a
// modbus-flex-getter whose answers come back in.

import { clockRate, TimerSet } from '../../lib/clock';
import { MeterSession, SessionError, type MeterSessionOptions, type SessionOutput } from '../../lib/metering/meter-session';
import type { SavedTrackerState } from '../../lib/metering/tracker';
import { builtinProfiles, parseCustomProfile, validateProfile } from '../../lib/metering/profiles';
import type { MeterProfile, ReadRequest } from '../../lib/metering/types';
import { ID_PATTERN } from '../../lib/schemas/kit';
import { METER_ROLES, type MeterReading, type MeterRole } from '../../lib/schemas/contracts';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { asError, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { METER_MIGRATIONS } from './migrations';
import type { NodeDefinition, NodeMessage, NodeRedAPI, NodeSend, RuntimeNode } from '../shared/red';
import { formatAgeMs, formatPowerW } from '../shared/status';
import { topicsOf } from '../shared/topics';

/** the profile id that asks for SunSpec discovery instead of a fixed map */
const SUNSPEC_DISCOVERY = 'sunspec-meter';
/** node context key of the energy totals */
const STATE_KEY = 'meterState';
/** how long a Modbus answer may take in wall time: node-red-contrib-modbus's client gives up after 1 s, then queues */
const ANSWER_WALL_MS = 2000;


interface MeterConfig extends NodeDefinition {
  site: string;
  meterId: string;
  role: string;
  profile: string;
  customProfile: string;
  unitId: string | number;
  pollIntervalS: string | number;
  staleAfterS: string | number;
  invert: boolean;
  maxRegistersPerRead: string | number;
  /** context store for the energy totals; empty = Node-RED's default store */
  contextStore?: string;
}

interface ModbusRequestEcho {
  fc: number;
  unitid?: number;
  address: number;
  quantity: number;
}

export = function register(RED: NodeRedAPI): void {
  registerEditorApi(RED, 'flaregrid-meter', METER_MIGRATIONS);

  function MeterNode(this: RuntimeNode, saved: MeterConfig) {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    let options: MeterSessionOptions;
    let pollIntervalMs = 1000;
    let topic: string;
    let draft: MeterSession;
    try {
      const config = migrateConfig(saved, METER_MIGRATIONS);
      pollIntervalMs = positiveNumber(config.pollIntervalS, 'Poll every') * 1000;
      options = {
        site: requireId(config.site, 'Site'),
        meterId: requireId(config.meterId, 'Meter id'),
        role: requireRole(config.role),
        invert: config.invert === true,
        source: profileSource(config),
        unitId: unitIdOf(config.unitId),
        maxRegistersPerRead: Math.floor(positiveNumber(config.maxRegistersPerRead ?? 125, 'Max per read')),
        staleAfterMs: positiveNumber(config.staleAfterS, 'Stale after') * 1000,
        // An answer may take the Modbus client's own timeout in wall time, whatever the clock's speed-up.
        responseTimeoutMs: Math.max(pollIntervalMs, ANSWER_WALL_MS * clockRate(clock)),
      };
      // The Modbus client connects in wall time after a deploy, whatever the clock's speed-up: at least 3 wall s.
      options.startupGraceMs = Math.max(options.staleAfterMs, 3000 * clockRate(clock));
      topic = topicsOf(RED).meter(options.site, options.meterId);
      // Built now, not after the saved totals are read, so that settings that cannot work show at once.
      draft = new MeterSession(options);
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-meter', RED._('flaregrid-meter.status.configError'), err, saved.meterId || 'flaregrid-meter');
      return;
    }
    // The energy totals are kept in the context store the engineer picked, so that a restart (or a redeploy)
    // continues them instead of starting over from the register, which may have wrapped since.
    const store = saved.contextStore || undefined;
    const context = node.context();
    const timers = new TimerSet(clock);
    let session: MeterSession | undefined;
    let closed = false;
    let lastReading: MeterReading | undefined;
    let lastGoodMs: number | undefined;

    function emit(out: SessionOutput, send: NodeSend): void {
      const readings = out.readings.map((reading): NodeMessage => ({ topic, payload: reading }));
      const requests = out.requests.map((request): NodeMessage => ({ topic, payload: request }));
      if (readings.length > 0) {
        lastReading = out.readings[out.readings.length - 1];
        if (lastReading.quality === 'good' || lastReading.quality === 'suspect') {
          lastGoodMs = clock.nowMs();
          context.set(STATE_KEY, session?.snapshot(), store, (err?: Error) => {
            if (err) node.warn(`cannot save the energy totals: ${err.message}`);
          });
        }
      }
      if (readings.length > 0 || requests.length > 0) send([readings, requests]);
      showStatus();
    }

    /** Output of a timer (no message to answer): a problem goes to Catch nodes through node.error with a msg. */
    function emitTimed(out: SessionOutput): void {
      emit(out, (msg) => node.send(msg));
      if (out.problem) node.error(new Error(`${options.meterId}: ${out.problem.message}`), { topic, payload: lastReading ?? null });
    }

    function showStatus(): void {
      if (!session) return;
      const phase = session.phase;
      if (phase.kind === 'discovering') {
        node.status({ fill: 'blue', shape: 'ring', text: RED._('flaregrid-meter.status.discovering') });
        return;
      }
      if (phase.kind === 'discovery-failed') {
        const retryS = Math.max(0, Math.round((phase.retryAtMs - clock.nowMs()) / 1000));
        node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.noSunSpec', { retry: retryS }) });
        return;
      }
      if (!lastReading) {
        node.status({ fill: 'grey', shape: 'ring', text: RED._('flaregrid-meter.status.waiting') });
        return;
      }
      const age = lastGoodMs === undefined ? '' : ` (${formatAgeMs(clock.nowMs() - lastGoodMs)})`;
      switch (lastReading.quality) {
        case 'good':
          node.status({ fill: 'green', shape: 'dot', text: `${formatPowerW(lastReading.powerW)}${age}` });
          break;
        case 'suspect':
          node.status({ fill: 'yellow', shape: 'dot', text: RED._('flaregrid-meter.status.suspect', { power: formatPowerW(lastReading.powerW) }) });
          break;
        case 'stale':
          node.status({ fill: 'yellow', shape: 'ring', text: RED._('flaregrid-meter.status.stale', { age: age.trim() }) });
          break;
        case 'bad':
          node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.bad', { reason: shortReason(lastReading.qualityReason ?? '') }) });
          break;
      }
    }

    node.status({ fill: 'grey', shape: 'ring', text: RED._('flaregrid-meter.status.waiting') });
    context.get(STATE_KEY, store, (err: Error | null, savedState: unknown) => {
      if (closed) return;
      if (err) node.warn(`cannot read the saved energy totals, starting from the meter's counters: ${err.message}`);
      const resume = err ? undefined : (savedState as SavedTrackerState | undefined);
      const running = resume ? new MeterSession({ ...options, resume }) : draft;
      session = running;
      // The first poll waits a moment so that the Modbus client can connect after a deploy; polls follow from it.
      timers.setTimeout(() => {
        emitTimed(running.poll(clock.nowMs()));
        timers.setInterval(() => emitTimed(running.poll(clock.nowMs())), pollIntervalMs);
      }, Math.min(pollIntervalMs, 1000));
      timers.setInterval(() => emitTimed(running.tick(clock.nowMs())), 1000);
      showStatus();
    });

    node.on('input', (msg, sendOut, done) => {
      try {
        if (!session) {
          // Still reading the saved state: nothing was asked for yet, so nothing can be answered.
          done();
          return;
        }
        const now = clock.nowMs();
        const echo = modbusRequestOf(msg);
        if (msg.error !== undefined && msg.error !== null) {
          // A getter shared by several meters sends every failure to all of them; the request's topic (which the
          // getter keeps) says whose read it was.
          if (typeof msg.topic === 'string' && msg.topic !== topic) {
            done();
            return;
          }
          const out = session.readFailed(errorText(msg.error), now);
          emit(out, sendOut);
          // A Catch node hears of a failure once, when the meter turns bad or the reason changes, not on every poll.
          done(out.problem ? new Error(`${options.meterId}: ${out.problem.message}`) : undefined);
          return;
        }
        if (echo && Array.isArray(msg.payload)) {
          if (echo.unitid !== undefined && echo.unitid !== session.unitId) {
            done();
            return;
          }
          let out: SessionOutput;
          try {
            out = session.answer(echo as ReadRequest, msg.payload as number[], now);
          } catch (err) {
            if (err instanceof SessionError) emit(err.output, sendOut);
            throw err;
          }
          emit(out, sendOut);
          done(out.problem ? new Error(`${options.meterId}: ${out.problem.message}`) : undefined);
          return;
        }
        if (msg.topic === 'poll' || msg.payload === 'poll') {
          emit(session.poll(now), sendOut);
          done();
          return;
        }
        throw new Error(
          `${options.meterId}: expected register values from a Modbus read node (msg.payload array with msg.modbusRequest), ` +
            `a failed read (msg.error) or topic 'poll'`,
        );
      } catch (err) {
        const error = asError(err);
        const reason = error.message.replace(`${options.meterId}: `, '');
        node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.bad', { reason: shortReason(reason) }) });
        done(error.message.startsWith(`${options.meterId}: `) ? error : new Error(`${options.meterId}: ${error.message}`));
      }
    });

    // The totals stay in the context when the node closes: Node-RED drops the context of a deleted node itself.
    node.on('close', (_removed, done) => {
      closed = true;
      timers.cancelAll();
      done();
    });
  }

  RED.nodes.registerType('flaregrid-meter', MeterNode);

  // The edit dialog lists the built-in profiles and checks a custom one against the same schema the runtime uses.
  const profileList = builtinProfiles().map((profile) => ({
    id: profile.id,
    name: profile.name,
    manufacturer: profile.manufacturer,
    model: profile.model,
    kind: profile.kind,
    profile,
  }));
  RED.httpAdmin.get('/flaregrid-meter/profiles', RED.auth.needsPermission('flaregrid-meter.read'), (_req, res) => {
    res.json(profileList);
  });
  RED.httpAdmin.post(
    '/flaregrid-meter/profiles/validate',
    RED.auth.needsPermission('flaregrid-meter.read'),
    (req, res) => {
      try {
        validateProfile(req.body);
        res.json({ ok: true });
      } catch (err) {
        res.json({ ok: false, error: asError(err).message });
      }
    },
  );
};

function profileSource(config: MeterConfig): { kind: 'fixed'; profile: MeterProfile } | { kind: 'discover' } {
  if (config.profile === SUNSPEC_DISCOVERY) return { kind: 'discover' };
  if (config.profile === 'custom') return { kind: 'fixed', profile: parseCustomProfile(config.customProfile) };
  const profile = builtinProfiles().find((p) => p.id === config.profile);
  if (!profile) throw new Error(`unknown meter profile '${config.profile}'`);
  return { kind: 'fixed', profile };
}

const ID = new RegExp(ID_PATTERN);

function requireId(value: unknown, label: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new Error(`${label} must be 1 to 64 letters, digits or _ . : -, got '${String(value)}'`);
  }
  return value;
}

function requireRole(value: unknown): MeterRole {
  if (!(METER_ROLES as readonly unknown[]).includes(value)) throw new Error(`Role must be one of ${METER_ROLES.join(', ')}, got '${String(value)}'`);
  return value as MeterRole;
}

function unitIdOf(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`Unit id must be a whole number from 0 to 255, got '${String(value)}'`);
  return n;
}

/**
 * The request an answer belongs to. node-red-contrib-modbus echoes it in msg.modbusRequest (flex-getter) or as
 * the payload of msg.input (modbus-read, with numbers as strings).
 */
function modbusRequestOf(msg: NodeMessage): ModbusRequestEcho | undefined {
  const input = msg.input as { payload?: unknown } | undefined;
  const echo = (msg.modbusRequest ?? (input && typeof input === 'object' ? input.payload : undefined)) as Partial<Record<keyof ModbusRequestEcho, unknown>> | undefined;
  if (!echo || typeof echo !== 'object') return undefined;
  const fc = Number(echo.fc);
  const address = Number(echo.address);
  const quantity = Number(echo.quantity);
  if (![fc, address, quantity].every(Number.isInteger)) return undefined;
  const unitid = echo.unitid === undefined ? undefined : Number(echo.unitid);
  return { fc, address, quantity, unitid };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

/** Status text stays around 20 characters; the full sentence goes to the Debug sidebar through done(err). */
function shortReason(reason: string): string {
  return reason.length > 24 ? `${reason.slice(0, 23)}…` : reason;
}
