// flaregrid-balance: keeps the latest MeterReading of every meter of a site and emits a SiteBalance on change
// (rate-limited) and on a heartbeat. The arithmetic lives in lib/control/site-balance.
import { EmitThrottle } from '../../lib/control/emit-throttle';
import {
  admitReading,
  computeSiteBalance,
  nextStaleAtMs,
  recordReading,
  type BalanceIssue,
  type MeterTable,
  type SiteBalanceAssessment,
  type SiteBalanceSettings,
} from '../../lib/control/site-balance';
import { ID_PATTERN } from '../../lib/schemas/kit';
import type { MeterReading } from '../../lib/schemas/contracts';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { asyncInput, nonNegativeNumber, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { BALANCE_MIGRATIONS } from './migrations';
import type { NodeDefinition, NodeMessage, NodeRedAPI, NodeStatus, RuntimeNode } from '../shared/red';
import { formatPowerW } from '../shared/status';
import { topicsOf } from '../shared/topics';


interface BalanceNodeConfig extends NodeDefinition {
  site?: string;
  reserveKw?: string | number;
  reservePct?: string | number;
  staleAfterS?: string | number;
  maxSkewS?: string | number;
  imbalanceKw?: string | number;
  imbalancePct?: string | number;
  minIntervalS?: string | number;
  heartbeatS?: string | number;
  expectedMeters?: string;
}

interface BalanceNodeSettings {
  balance: SiteBalanceSettings;
  minIntervalMs: number;
  heartbeatMs: number;
}

function percent(value: unknown, fieldLabel: string): number {
  const pct = nonNegativeNumber(value, fieldLabel);
  if (pct > 100) throw new Error(`${fieldLabel} must be a percentage from 0 to 100, got '${String(value)}'`);
  return pct;
}

/** Edit-dialog fields are in kW and s for the plant engineer; the library works in W and ms. */
function readSettings(config: BalanceNodeConfig): BalanceNodeSettings {
  const site = String(config.site ?? '').trim();
  if (!new RegExp(ID_PATTERN).test(site)) throw new Error(`Site must be 1 to 64 letters, digits or _ . : -, e.g. well-7; got '${site}'`);
  return {
    balance: {
      site,
      reserveW: nonNegativeNumber(config.reserveKw, 'Reserve (kW)') * 1000,
      reservePct: percent(config.reservePct, 'Reserve (%)'),
      staleAfterMs: positiveNumber(config.staleAfterS, 'Stale after (s)') * 1000,
      maxSkewMs: positiveNumber(config.maxSkewS, 'Clock skew (s)') * 1000,
      imbalanceToleranceW: nonNegativeNumber(config.imbalanceKw, 'Imbalance (kW)') * 1000,
      imbalanceTolerancePct: percent(config.imbalancePct, 'Imbalance (%)'),
      expectedMeters: String(config.expectedMeters ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    },
    minIntervalMs: nonNegativeNumber(config.minIntervalS, 'Rate limit (s)') * 1000,
    heartbeatMs: positiveNumber(config.heartbeatS, 'Heartbeat (s)') * 1000,
  };
}

/**
 * One reading or an array of them, all or nothing, so a broken item does not leave the table half updated. Also
 * returns the meters whose readings came without a site (release 0.1 meters), which the node warns about once.
 */
function admitReadings(payload: unknown, site: string): { readings: MeterReading[]; legacyMeters: string[] } {
  const items = Array.isArray(payload) ? payload : [payload];
  const readings: MeterReading[] = [];
  const legacyMeters: string[] = [];
  items.forEach((item, index) => {
    try {
      const { reading, legacy } = admitReading(item, site);
      readings.push(reading);
      if (legacy) legacyMeters.push(reading.meterId);
    } catch (err) {
      if (Array.isArray(payload)) (err as Error).message = `Reading ${index} of the array: ${(err as Error).message}`;
      throw err;
    }
  });
  return { readings, legacyMeters };
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, 'flaregrid-balance', BALANCE_MIGRATIONS);
  const t = (key: string) => RED._(`flaregrid-balance.status.${key}`);

  /** Short status (about 20 characters): the worst issue, else the surplus dispatch may use. */
  function balanceStatus({ balance, issues }: SiteBalanceAssessment): NodeStatus {
    const first =
      issues.find((i) => i.severity === 'stale') ?? issues.find((i) => i.kind === 'imbalance') ?? issues[0];
    if (!first) return { fill: 'green', shape: 'dot', text: `${t('surplus')} ${formatPowerW(balance.surplusW)}` };
    const others = balance.staleMeters.length > 1 ? ` +${balance.staleMeters.length - 1}` : '';
    return { fill: first.severity === 'stale' ? 'red' : 'yellow', shape: 'ring', text: issueText(first, others) };
  }

  function issueText(issue: BalanceIssue, others: string): string {
    switch (issue.kind) {
      case 'stale-meter':
        return `${t('stale')} ${issue.meterId}${others}`;
      case 'never-reported':
        return `${t('missing')} ${issue.meterId}${others}`;
      case 'suspect-meter':
        return `${t('suspect')} ${issue.meterId}`;
      case 'clock-skew':
        return `${t('skew')} ${issue.meterId}`;
      case 'no-available-power':
        return `${t('noAvailable')} ${issue.meterId}`;
      case 'no-genset':
        return t('noGenset');
      case 'imbalance':
        return `${t('imbalance')} ${formatPowerW(issue.imbalanceW)}`;
    }
  }

  function FlaregridBalanceNode(this: RuntimeNode, saved: BalanceNodeConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    let settings: BalanceNodeSettings;
    let topic: string;
    try {
      settings = readSettings(migrateConfig(saved, BALANCE_MIGRATIONS));
      topic = topicsOf(RED).balance(settings.balance.site);
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-balance', t('configError'), err);
      return;
    }

    const meters: MeterTable = new Map();
    const warnedLegacy = new Set<string>();
    const throttle = new EmitThrottle(
      () => {
        const nowMs = clock.nowMs();
        const assessment = computeSiteBalance(meters, settings.balance, nowMs);
        node.send({ topic, payload: assessment.balance });
        node.status(balanceStatus(assessment));
        return nextStaleAtMs(meters, settings.balance, nowMs);
      },
      { minIntervalMs: settings.minIntervalMs, heartbeatMs: settings.heartbeatMs },
      clock,
    );
    throttle.start();

    node.on(
      'input',
      asyncInput((msg: NodeMessage) => {
        let admitted: { readings: MeterReading[]; legacyMeters: string[] };
        try {
          admitted = admitReadings(msg.payload, settings.balance.site);
        } catch (err) {
          node.status({ fill: 'yellow', shape: 'ring', text: t('invalidReading') });
          throw err;
        }
        for (const meterId of admitted.legacyMeters) {
          if (warnedLegacy.has(meterId)) continue;
          warnedLegacy.add(meterId);
          node.warn(`meter ${meterId} sends readings without a site; they are counted for site '${settings.balance.site}' (update the meter to set its site)`);
        }
        const arrivedMs = clock.nowMs();
        let changed = false;
        for (const reading of admitted.readings) changed = recordReading(meters, reading, arrivedMs) || changed;
        if (changed) throttle.change();
      }),
    );

    node.on('close', (_removed, done) => {
      throttle.stop();
      done();
    });
  }

  RED.nodes.registerType('flaregrid-balance', FlaregridBalanceNode);
};
