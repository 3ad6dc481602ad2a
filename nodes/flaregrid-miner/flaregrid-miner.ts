// flaregrid-miner: a thin adapter over lib/miners' MinerFleet. Input: a PowerTarget (or an array of them) per
// miner, or {shed: true} to sleep miners now. Output: MinerTelemetry per miner after every read, with the topic
// <prefix>/<site>/miners/<minerId>/telemetry. Status: one miner's power, target and state, or a list's counts (hashing, asleep, with a problem).
import { clockRate } from '../../lib/clock';
import { MinerError } from '../../lib/miners/errors';
import { MinerFleet, type FleetMiner } from '../../lib/miners/fleet';
import { DIALECTS, type Dialect } from '../../lib/miners/types';
import { isPowerTarget } from '../../lib/schemas';
import type { MinerTelemetry, PowerTarget } from '../../lib/schemas/dispatch';
import { ID_PATTERN } from '../../lib/schemas/kit';
import { minerAccessOf } from '../flaregrid-miner-api/access';
import { clockOf } from '../shared/clock';
import { connectionStatus, translator } from '../shared/connection-node';
import { registerEditorApi } from '../shared/editor-api';
import { asError, asyncInput, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import type { NodeDefinition, NodeMessage, NodeRedAPI, RuntimeNode } from '../shared/red';
import { formatPowerW } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { MINER_MIGRATIONS } from './migrations';

interface MinerRow {
  minerId?: unknown;
  host?: unknown;
  apiPort?: unknown;
  restPort?: unknown;
  dialect?: unknown;
}

interface MinerConfig extends NodeDefinition {
  site: string;
  access?: string;
  miners: MinerRow[];
  pollIntervalS: string | number;
  confirmTimeoutS: string | number;
  ratedPowerW: string | number;
}

interface ShedCommand {
  shed: true;
  minerIds?: string[];
  reason?: string;
}

const ID = new RegExp(ID_PATTERN);

export = function register(RED: NodeRedAPI): void {
  registerEditorApi(RED, 'flaregrid-miner', MINER_MIGRATIONS);

  function MinerNode(this: RuntimeNode, saved: MinerConfig) {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    const t = (key: string, subs?: Record<string, string | number>) => RED._(`flaregrid-miner.${key}`, subs);
    let fleet: MinerFleet;
    let site: string;
    const latest = new Map<string, MinerTelemetry>();
    try {
      const config = migrateConfig(saved, MINER_MIGRATIONS);
      site = requireId(config.site, 'Site');
      const access = minerAccessOf(RED, config.access);
      if (!access) throw new Error('the miner access node it names is not deployed');
      const topics = topicsOf(RED);
      fleet = new MinerFleet({
        miners: minerRows(config.miners),
        dialect: access.dialect,
        apiPort: access.apiPort,
        restPort: access.restPort,
        credentials: access.credentials,
        site,
        clock,
        pollIntervalMs: positiveNumber(config.pollIntervalS, 'Poll every') * 1000,
        // A network wait is about the wall, not the plant: a command timeout stays the same wall time at any speed-up.
        commandTimeoutMs: access.commandTimeoutS * 1000 * clockRate(clock),
        confirmTimeoutMs: positiveNumber(config.confirmTimeoutS, 'Confirm within') * 1000,
        breakerFailures: access.breakerFailures,
        ratedPowerW: positiveNumber(config.ratedPowerW, 'Nameplate power'),
        onTelemetry: (telemetry) => {
          latest.set(telemetry.minerId, telemetry);
          node.send({ topic: topics.minerTelemetry(site, telemetry.minerId), payload: telemetry });
          showStatus();
        },
        onProblem: (error) => node.warn(error.message),
      });
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-miner', t('status.configError'), err, 'flaregrid-miner');
      return;
    }

    function showStatus(): void {
      const all = fleet.minerIds.map((id) => latest.get(id));
      if (all.length === 1) {
        const one = all[0];
        if (!one) node.status({ fill: 'grey', shape: 'ring', text: t('status.waiting') });
        else if (one.state === 'offline') {
          // The link's own words: "retrying in 8 s (3)", red from the fifth attempt, as every connection shows it.
          const state = fleet.linkState(one.minerId);
          node.status(state.kind === 'retrying' ? connectionStatus(state, translator(RED)) : { fill: 'red', shape: 'ring', text: t('status.offline') });
        }
        else {
          const text = `${formatPowerW(one.powerW)}/${formatPowerW(one.targetW)} ${t(`state.${one.state}`)}`;
          const fill = one.state === 'error' || one.quality === 'suspect' ? 'yellow' : 'green';
          node.status({ fill, shape: one.state === 'sleeping' ? 'ring' : 'dot', text });
        }
        return;
      }
      // Green while the container does what dispatch asks, asleep or hashing; yellow for a miner that needs a
      // look (offline, a hashboard down, a target not confirmed in time), red when none answers.
      const known = all.filter((m): m is MinerTelemetry => m !== undefined);
      const online = known.filter((m) => m.state !== 'offline');
      const troubled = known.filter((m) => m.state === 'offline' || m.state === 'error' || m.quality === 'suspect').length;
      const hashing = online.filter((m) => m.state === 'hashing' || m.state === 'ramping').length;
      const asleep = online.filter((m) => m.state === 'sleeping').length;
      const totalW = online.reduce((sum, m) => sum + m.powerW, 0);
      const fill = online.length === 0 ? 'red' : online.length < all.length || troubled > 0 ? 'yellow' : 'green';
      const counts = { hashing, asleep, count: all.length, power: formatPowerW(totalW), troubled };
      node.status({ fill, shape: hashing === 0 ? 'ring' : 'dot', text: t(troubled > 0 ? 'status.fleetTroubled' : 'status.fleet', counts) });
    }

    node.status({ fill: 'grey', shape: 'ring', text: t('status.waiting') });
    fleet.start();

    node.on(
      'input',
      asyncInput((msg: NodeMessage) => {
        const payload = msg.payload;
        if (isShed(payload)) {
          const readOnly = fleet.shed(typeof payload.reason === 'string' && payload.reason !== '' ? payload.reason : 'shed', payload.minerIds ?? fleet.minerIds);
          if (readOnly.length > 0) node.warn(`cannot shed ${readOnly.join(', ')}: its firmware takes no power command`);
          return;
        }
        const targets = Array.isArray(payload) ? payload : [payload];
        if (targets.length === 0) throw new Error('msg.payload is an empty list: send a PowerTarget or a list of them');
        // Every target is checked before any is applied: one bad entry sends nothing.
        const checked: PowerTarget[] = targets.map((target) => isPowerTarget.parse(target));
        const problems: string[] = [];
        for (const target of checked) {
          try {
            fleet.apply(target);
          } catch (err) {
            problems.push(err instanceof MinerError ? err.message : asError(err).message);
          }
        }
        if (problems.length > 0) {
          node.status({ fill: 'red', shape: 'ring', text: t('status.refused') });
          throw new Error(problems.join('; '));
        }
      }),
    );

    node.on('close', (_removed, done) => {
      void fleet.close().then(() => done(), () => done());
    });
  }

  RED.nodes.registerType('flaregrid-miner', MinerNode);
};

function isShed(payload: unknown): payload is ShedCommand {
  if (typeof payload !== 'object' || payload === null || (payload as { shed?: unknown }).shed !== true) return false;
  const ids = (payload as { minerIds?: unknown }).minerIds;
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) throw new Error('shed.minerIds must be a list of miner ids');
  return true;
}

function minerRows(rows: unknown): FleetMiner[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('list at least one miner (id and host)');
  return rows.map((row: MinerRow, i) => {
    const minerId = String(row.minerId ?? '').trim();
    if (!ID.test(minerId)) throw new Error(`miner ${i + 1}: id '${minerId}' must be 1 to 64 letters, digits or _ . : -`);
    const dialect = String(row.dialect ?? '').trim();
    if (dialect !== '' && dialect !== 'auto' && !(DIALECTS as readonly string[]).includes(dialect)) {
      throw new Error(`miner ${minerId}: firmware must be auto or one of ${DIALECTS.join(', ')}, got '${dialect}'`);
    }
    return {
      minerId,
      host: String(row.host ?? '').trim(),
      ...optionalPort(row.apiPort, 'apiPort', minerId),
      ...optionalPort(row.restPort, 'restPort', minerId),
      ...(dialect === '' ? {} : { dialect: dialect as Dialect | 'auto' }),
    };
  });
}

function optionalPort(value: unknown, key: 'apiPort' | 'restPort', minerId: string): Partial<Record<'apiPort' | 'restPort', number>> {
  if (value === undefined || value === null || String(value).trim() === '') return {};
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`miner ${minerId}: ${key} must be 1 … 65535, got '${String(value)}'`);
  return { [key]: port };
}

function requireId(value: unknown, label: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new Error(`${label} '${String(value)}' must be 1 to 64 letters, digits or _ . : -`);
  return value;
}
