// flaregrid-matcher: a thin adapter over lib/market's Market. Orders and cancels come in (from a wire or an
// mqtt in node on <prefix>/<market>/orders); Trades leave on output 1, one Reject per refused message on output
// 2 (topic <prefix>/<market>/rejects/<participant>), and the book snapshot, rate-limited and marked retained, on
// output 3. The book lives in the market's journal, so a restart or redeploy carries on where it stopped, and
// the trades not known delivered before a crash are sent again (lib/delivery/trade-outbox).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TimerSet } from '../../lib/clock';
import { EmitThrottle } from '../../lib/control/emit-throttle';
import { journalledTrades, tradesAfter } from '../../lib/delivery/journal-trades';
import { TradeOutbox } from '../../lib/delivery/trade-outbox';
import { Market, type BookSnapshot, type MarketEvents } from '../../lib/market';
import { IdentityError } from '../../lib/market/identity';
import type { Reject } from '../../lib/schemas';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { asError, asyncInput, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import type { NodeRedAPI, NodeSend, NodeStatus, RuntimeNode } from '../shared/red';
import { formatPriceMsatPerKwh } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { InputBatch } from './batch';
import { decodeMessage } from './decode';
import { MATCHER_MIGRATIONS } from './migrations';
import { MatcherOutputs } from './outputs';
import { initialRegistry, registryFromMessage } from './registry';
import { readMatcherSettings, type MatcherConfig, type MatcherSettings } from './settings';

const TYPE = 'flaregrid-matcher';
/** how often the market is told the time (expiries, gate closure, due auctions), in clock ms */
const TICK_MS = 1000;

interface Running {
  market: Market;
  outputs: MatcherOutputs;
  outbox: TradeOutbox;
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, TYPE, MATCHER_MIGRATIONS);
  const t = (key: string, substitutions?: Record<string, string | number>) => RED._(`${TYPE}.status.${key}`, substitutions);

  function MatcherNode(this: RuntimeNode, saved: MatcherConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    const topics = topicsOf(RED);
    let settings: MatcherSettings;
    try {
      settings = readMatcherSettings(migrateConfig(saved, MATCHER_MIGRATIONS), RED.settings.userDir as string | undefined);
    } catch (err) {
      refuseUnconfigured(node, TYPE, t('configError'), err);
      return;
    }
    const marketId = settings.market.market;
    const timers = new TimerSet(clock);
    const sendLater: NodeSend = (msg) => node.send(msg);
    let running: Running | undefined;
    let failure: Error | undefined;
    let closing = false;
    // The outbox counts time in ticks of this node's timer rather than on the clock, so that a clock set back
    // (or one that stands still, in a test) cannot hold back the resending of unconfirmed trades.
    let ticks = 0;
    // With confirmation, the nodes on output 1 confirm each trade by completing its message (outputs.ts).
    const confirmers = settings.confirmDelivery ? new Set((saved.wires as string[][] | undefined)?.[0] ?? []) : undefined;
    const hookId = `onComplete.flaregrid-matcher-${node.id}`;

    const throttle = new EmitThrottle(
      () => {
        if (!running) return undefined;
        const snapshot = running.market.snapshot(clock.nowMs());
        node.send([null, null, running.outputs.book(snapshot)]);
        node.status(statusOf(snapshot));
        return undefined;
      },
      { minIntervalMs: settings.bookIntervalMs, heartbeatMs: Math.max(60_000, settings.bookIntervalMs) },
      clock,
    );

    function statusOf(snapshot: BookSnapshot): NodeStatus {
      const last = snapshot.lastPriceMsatPerKwh;
      const price = last === undefined ? '' : ` @${formatPriceMsatPerKwh(last)}`;
      return {
        fill: settings.market.allowUnsigned ? 'yellow' : 'green',
        shape: 'dot',
        text: `${t(settings.market.mode)} ${t('open', { count: snapshot.openOrders })}${price}`,
      };
    }

    function emit(events: MarketEvents, send: NodeSend): void {
      if (!running) return;
      running.outputs.events(events, send);
      if (events.bookChanged || events.trades.length > 0 || events.clearings.length > 0) throttle.change();
    }

    function tick(): void {
      if (!running || closing) return;
      ticks++;
      if (settings.confirmDelivery) running.outputs.retry(settings.retryMs, sendLater);
      running.market.tick(clock.nowMs()).then(
        (events) => emit(events, sendLater),
        (err: unknown) => node.error(`market ${marketId}: ${asError(err).message}`),
      );
    }

    async function open(): Promise<Running | undefined> {
      const registry = await initialRegistry(RED, settings);
      mkdirSync(settings.dataDir, { recursive: true });
      const outbox = TradeOutbox.open(join(settings.dataDir, 'delivered.json'));
      const journalDir = join(settings.dataDir, 'journal');
      let market: Market;
      try {
        market = await Market.open(settings.market, { journalDir, registry, warn: (text) => node.warn(`market ${marketId}: ${text}`) });
      } catch (err) {
        outbox.close();
        throw err;
      }
      if (closing) {
        outbox.close();
        await market.close();
        return undefined;
      }
      const outputs = new MatcherOutputs(topics, outbox, { market: marketId, confirmers, outboxNowMs: () => ticks * TICK_MS });
      running = { market, outbox, outputs };
      if (confirmers) RED.hooks.add(hookId, (event) => outputs.completed(event));
      // Sent at the first tick rather than now: the nodes downstream (an mqtt out's broker connection) start
      // with the flow too, and a second is what they usually take to be ready.
      const undelivered = tradesAfter(await journalledTrades(journalDir), outbox.lastDelivered);
      if (closing) return running;
      if (undelivered.length > 0) {
        timers.setTimeout(() => {
          node.warn(t('resent', { count: undelivered.length }));
          outputs.resend(undelivered, sendLater);
        }, TICK_MS);
      }
      throttle.start();
      throttle.change();
      timers.setInterval(tick, TICK_MS);
      return running;
    }

    node.status({ fill: 'grey', shape: 'ring', text: t('opening') });
    const opened = open().catch((err: unknown) => {
      failure = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: t(err instanceof IdentityError ? 'registryError' : 'journalError') });
      node.error(`market ${marketId}: ${failure.message}`);
      return undefined;
    });

    /** the market once open() has finished (undefined before, and for good when it failed) */
    let ready: Running | undefined;
    void opened.then((r) => (ready = r));
    const whenOpen = async (): Promise<Running> => {
      const r = ready ?? (await opened);
      if (!r) throw new Error(`market ${marketId} is not open${failure ? `: ${failure.message}` : ''}`);
      return r;
    };

    // One turn's orders and cancels, submitted together (batch.ts); the market starts applying them at once when
    // it is open, in their order, and the messages complete once their journal records are durable.
    const batch = new InputBatch((items) => {
      const messages: unknown[] = [];
      const decodeRejects: Reject[] = [];
      for (const item of items) {
        const decoded = decodeMessage(item.msg.payload, settings.market.maxMessageBytes);
        if ('reject' in decoded) decodeRejects.push(decoded.reject);
        else messages.push(decoded.message);
      }
      const submit = (r: Running): Promise<MarketEvents> => r.market.submitMany(messages, clock.nowMs());
      const submitted = ready ? submit(ready) : whenOpen().then(submit);
      submitted
        .then((events) => {
          if (decodeRejects.length > 0) events.rejects = decodeRejects.concat(events.rejects);
          emit(events, items[0].send);
        })
        .then(
          () => {
            for (const item of items) item.done();
          },
          (err: unknown) => {
            const error = asError(err);
            for (const item of items) item.done(error);
          },
        );
    });

    const command = asyncInput(async (msg, send) => {
      const r = await whenOpen();
      switch (msg.topic) {
        case 'clear':
          emit(await r.market.clear(clock.nowMs()), send);
          return;
        case 'registry':
          r.market.setRegistry(await registryFromMessage(RED, settings, msg.payload));
          return;
        default:
          throttle.change();
      }
    });

    node.on('input', (msg, send, done) => {
      if (msg.topic === 'clear' || msg.topic === 'registry' || msg.topic === 'snapshot') {
        // the orders that came before a command go to the market before it
        batch.drain();
        command(msg, send, done);
      } else {
        batch.add({ msg, send, done });
      }
    });

    node.on('close', (_removed, done) => {
      closing = true;
      if (confirmers && running) RED.hooks.remove(hookId);
      throttle.stop();
      timers.cancelAll();
      void opened
        .then(async (r) => {
          if (!r) return;
          await r.market.close();
          r.outbox.close();
        })
        .catch((err: unknown) => node.warn(`market ${marketId}: closing the journal failed: ${asError(err).message}`))
        .then(() => done());
    });
  }

  RED.nodes.registerType(TYPE, MatcherNode);
};
