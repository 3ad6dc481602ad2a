// flaregrid-dispatch: SiteBalance and MinerTelemetry in, one PowerTarget per miner out (output 1), a summary of
// every decision (output 2) and, in economic mode, the surplus offered to the market (output 3). A decision is
// taken on every SiteBalance and, when none arrives, every cycle, so a silent balance turns into the fail-safe.
// The controller is lib/control/dispatch; this adapter reads the dialog, routes messages and shows the status.
import { TimerSet } from '../../lib/clock';
import { DispatchController, type DispatchDecision } from '../../lib/control/dispatch';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { asyncInput, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import type { NodeMessage, NodeRedAPI, NodeStatus, RuntimeNode } from '../shared/red';
import { formatPowerW } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { readDispatchConfig, route, type DispatchNodeConfig } from './config';
import { DISPATCH_MIGRATIONS } from './migrations';

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, 'flaregrid-dispatch', DISPATCH_MIGRATIONS);
  const t = (key: string, values?: Record<string, string | number>) => RED._(`flaregrid-dispatch.status.${key}`, values);

  /** About 20 characters: the surplus the miners may take, their total target and the mode. */
  function decisionStatus(d: DispatchDecision): NodeStatus {
    const mode = d.economic ? t('economic') : t(d.mode);
    const text = `${formatPowerW(d.budgetW)} ▸ ${formatPowerW(d.totalTargetW)} ${mode}`;
    if (d.mode === 'stopped') return { fill: 'red', shape: 'ring', text };
    if (d.mode === 'fail-safe') return { fill: 'yellow', shape: 'ring', text };
    return { fill: d.economic ? 'blue' : 'green', shape: 'dot', text };
  }

  function FlaregridDispatchNode(this: RuntimeNode, saved: DispatchNodeConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    const timers = new TimerSet(clock);
    const topics = topicsOf(RED);
    let controller: DispatchController;
    try {
      controller = new DispatchController(readDispatchConfig(migrateConfig(saved, DISPATCH_MIGRATIONS)));
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-dispatch', t('configError'), err);
      return;
    }

    let lastDecisionMs = -Infinity;
    let cycle = startCycle();

    function decideAndSend(): void {
      const nowMs = clock.nowMs();
      lastDecisionMs = nowMs;
      const decision = controller.decide(nowMs);
      const targets = decision.commands.map((target) => ({ topic: topics.minerTarget(controller.site, target.minerId), payload: target }));
      const { commands: _commands, offer, ...summary } = decision;
      node.send([targets.length > 0 ? targets : null, { topic: 'summary', payload: summary }, offer ? { topic: 'offer', payload: offer } : null]);
      node.status(decisionStatus(decision));
    }

    /** Decides every cycle without a balance, so that silence (a stale balance) reaches the fail-safe. */
    function startCycle() {
      const periodMs = controller.params.cycleS * 1000;
      return {
        periodMs,
        timer: timers.setInterval(() => {
          if (clock.nowMs() - lastDecisionMs >= periodMs) decideAndSend();
        }, periodMs),
      };
    }

    node.status({ fill: 'grey', shape: 'ring', text: t('waiting') });

    node.on(
      'input',
      asyncInput((msg: NodeMessage) => {
        let routed;
        try {
          routed = route(controller, msg, clock.nowMs());
        } catch (err) {
          node.status({ fill: 'yellow', shape: 'ring', text: t('invalidInput') });
          throw err;
        }
        if (routed.kind === 'balance') decideAndSend();
        if (routed.kind === 'params') {
          node.log(`parameters changed by msg: ${routed.keys.join(', ')}`);
          if (controller.params.cycleS * 1000 !== cycle.periodMs) {
            cycle.timer.cancel();
            cycle = startCycle();
          }
        }
      }),
    );

    node.on('close', (_removed, done) => {
      timers.cancelAll();
      done();
    });
  }

  RED.nodes.registerType('flaregrid-dispatch', FlaregridDispatchNode);
};
