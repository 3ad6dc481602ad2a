// flaregrid-meter: a thin adapter between node-red-contrib-modbus and lib/metering's MeterSession. Output 1
// carries MeterReadings, output 2 the read requests for a modbus-flex-getter whose answers come back in.

import { MeterSession, SessionError, type MeterSessionOptions, type SessionOutput } from '../../lib/metering/meter-session';
import type { TrackerSnapshot } from '../../lib/metering/tracker';
import { builtinProfiles, parseCustomProfile, validateProfile } from '../../lib/metering/profiles';
import type { MeterProfile, ReadRequest } from '../../lib/metering/types';
import { METER_ROLES, type MeterReading, type MeterRole } from '../../lib/schemas/contracts';
import { asError, positiveNumber } from '../shared/handlers';
import type { NodeDefinition, NodeMessage, NodeRedAPI, NodeSend, RuntimeNode } from '../shared/red';
import { formatAgeMs, formatPowerW } from '../shared/status';

/** the profile id that asks for SunSpec discovery instead of a fixed map */
const SUNSPEC_DISCOVERY = 'sunspec-meter';
/** node context key of the energy totals */
const STATE_KEY = 'meterState';

interface MeterConfig extends NodeDefinition {
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
  function MeterNode(this: RuntimeNode, config: MeterConfig) {
    RED.nodes.createNode(this, config);
    const node = this;
    let options: MeterSessionOptions;
    try {
      const pollIntervalMs = positiveNumber(config.pollIntervalS, 'Poll every') * 1000;
      options = {
        meterId: requireMeterId(config.meterId),
        role: requireRole(config.role),
        invert: config.invert === true,
        source: profileSource(config),
        unitId: unitIdOf(config.unitId),
        maxRegistersPerRead: Math.floor(positiveNumber(config.maxRegistersPerRead ?? 125, 'Max per read')),
        staleAfterMs: positiveNumber(config.staleAfterS, 'Stale after') * 1000,
        responseTimeoutMs: pollIntervalMs,
      };
    } catch (err) {
      node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.configError') });
      node.error(asError(err).message);
      return;
    }
    // The energy totals are kept in the context store the engineer picked, so that a restart (or a redeploy)
    // continues them instead of starting over from the register, which may have wrapped since.
    const store = config.contextStore || undefined;
    const context = node.context();
    let session: MeterSession | undefined;
    let closed = false;
    const timers: NodeJS.Timeout[] = [];

    let lastReading: MeterReading | undefined;
    let lastGoodMs: number | undefined;

    function emit(out: SessionOutput, send: NodeSend): void {
      const readings = out.readings.map((reading): NodeMessage => ({ topic: reading.meterId, payload: reading }));
      const requests = out.requests.map((request): NodeMessage => ({ topic: options.meterId, payload: request }));
      if (readings.length > 0) {
        lastReading = out.readings[out.readings.length - 1];
        if (lastReading.quality === 'good' || lastReading.quality === 'suspect') {
          lastGoodMs = Date.now();
          context.set(STATE_KEY, session?.snapshot(), store, (err?: Error) => {
            if (err) node.warn(`cannot save the energy totals: ${err.message}`);
          });
        }
      }
      if (readings.length > 0 || requests.length > 0) send([readings, requests]);
      showStatus();
    }

    function showStatus(): void {
      if (!session) return;
      const phase = session.phase;
      if (phase.kind === 'discovering') {
        node.status({ fill: 'blue', shape: 'ring', text: RED._('flaregrid-meter.status.discovering') });
        return;
      }
      if (phase.kind === 'discovery-failed') {
        node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.noSunSpec') });
        return;
      }
      if (!lastReading) {
        node.status({ fill: 'grey', shape: 'ring', text: RED._('flaregrid-meter.status.waiting') });
        return;
      }
      const age = lastGoodMs === undefined ? '' : ` (${formatAgeMs(Date.now() - lastGoodMs)})`;
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

    const send: NodeSend = (msg) => node.send(msg);
    node.status({ fill: 'grey', shape: 'ring', text: RED._('flaregrid-meter.status.waiting') });
    context.get(STATE_KEY, store, (err: Error | null, saved: unknown) => {
      if (closed) return;
      if (err) node.warn(`cannot read the saved energy totals, starting from the meter's counters: ${err.message}`);
      const running = new MeterSession({ ...options, resume: err ? undefined : (saved as TrackerSnapshot | undefined) });
      session = running;
      // The first poll waits a moment so that the Modbus client can connect after a deploy.
      timers.push(setTimeout(() => emit(running.poll(Date.now()), send), Math.min(options.responseTimeoutMs, 1000)));
      timers.push(setInterval(() => emit(running.poll(Date.now()), send), options.responseTimeoutMs));
      timers.push(setInterval(() => emit(running.tick(Date.now()), send), 1000));
      showStatus();
    });

    node.on('input', (msg, sendOut, done) => {
      try {
        if (!session) {
          // Still reading the saved state: nothing was asked for yet, so nothing can be answered.
          done();
          return;
        }
        const now = Date.now();
        const echo = modbusRequestOf(msg);
        if (msg.error !== undefined && msg.error !== null) {
          // A getter shared by several meters sends every failure to all of them; the request's topic (the
          // meter id, which the getter keeps) says whose read it was.
          if (typeof msg.topic === 'string' && msg.topic !== session.meterId) {
            done();
            return;
          }
          const reason = errorText(msg.error);
          const out = session.readFailed(reason, now);
          emit(out, sendOut);
          // A Catch node hears of a failure once, when the meter turns bad or the reason changes, not on every poll.
          done(out.readings.length > 0 ? new Error(`${session.meterId}: Modbus read failed: ${reason}`) : undefined);
          return;
        }
        if (echo && Array.isArray(msg.payload)) {
          if (echo.unitid !== undefined && echo.unitid !== session.unitId) {
            done();
            return;
          }
          try {
            emit(session.answer(echo as ReadRequest, msg.payload as number[], now), sendOut);
          } catch (err) {
            if (err instanceof SessionError) emit(err.output, sendOut);
            throw err;
          }
          done();
          return;
        }
        if (msg.topic === 'poll' || msg.payload === 'poll') {
          emit(session.poll(now), sendOut);
          done();
          return;
        }
        throw new Error(
          `${session.meterId}: expected register values from a Modbus read node (msg.payload array with msg.modbusRequest), ` +
            `a failed read (msg.error) or topic 'poll'`,
        );
      } catch (err) {
        const error = asError(err);
        const reason = session ? error.message.replace(`${session.meterId}: `, '') : error.message;
        node.status({ fill: 'red', shape: 'ring', text: RED._('flaregrid-meter.status.bad', { reason: shortReason(reason) }) });
        done(error);
      }
    });

    // The totals stay in the context when the node closes: Node-RED drops the context of a deleted node itself.
    node.on('close', (_removed, done) => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
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

function requireMeterId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
    throw new Error(`Meter id must be 1 to 64 letters, digits or _ . : -, got '${String(value)}'`);
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
