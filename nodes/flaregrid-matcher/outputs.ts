// What the matcher sends, and on which output: Trades on 1 (through the outbox, so that none is lost across a
// crash), one Reject per refused message on 2 with the topic of its participant, the book on 3.
//
// Delivery: a trade message carries `tradeId`. With confirmation on, the trade counts as delivered once every
// node wired to output 1 has completed its message (Node-RED's onComplete hook, which fires when a node calls
// done: an mqtt out node does so at QoS 1 when the broker has acknowledged the publish). Without it, a trade
// counts as delivered when it is sent.
import type { TradeOutbox } from '../../lib/delivery/trade-outbox';
import type { MarketEvents } from '../../lib/market';
import { ID_PATTERN } from '../../lib/schemas/kit';
import type { Reject, Trade } from '../../lib/schemas';
import type { Topics } from '../../lib/topics';
import type { CompleteEvent, NodeMessage, NodeSend } from '../shared/red';

/** a reject's topic level when the message names no usable participant */
export const UNIDENTIFIED = '_unidentified';
const ID = new RegExp(ID_PATTERN);

export interface OutputOptions {
  market: string;
  /** the ids of the nodes wired to output 1, whose completions confirm a trade; undefined: no confirmation */
  confirmers: ReadonlySet<string> | undefined;
  /** the outbox's time, ms (see flaregrid-matcher.ts: its timer's ticks) */
  outboxNowMs: () => number;
}

export class MatcherOutputs {
  /** trade id -> the confirming nodes that have not completed it yet */
  private readonly awaiting = new Map<string, Set<string>>();

  constructor(
    private readonly topics: Topics,
    private readonly outbox: TradeOutbox,
    private readonly options: OutputOptions,
  ) {}

  rejectTopic(reject: Reject): string {
    const participant = (reject.order as { participant?: unknown } | null)?.participant;
    return this.topics.rejects(this.options.market, typeof participant === 'string' && ID.test(participant) ? participant : UNIDENTIFIED);
  }

  /** Sends the trades and rejects of `events`. */
  events(events: MarketEvents, send: NodeSend): void {
    const rejects = events.rejects.map((reject): NodeMessage => ({ topic: this.rejectTopic(reject), payload: reject, qos: 1 }));
    this.send(events.trades, rejects, send);
  }

  /** Sends one Reject the matcher made itself (a message that never reached the market). */
  reject(reject: Reject, send: NodeSend): void {
    this.send([], [{ topic: this.rejectTopic(reject), payload: reject, qos: 1 }], send);
  }

  /** Sends trades again: those not known delivered before a restart. */
  resend(trades: readonly Trade[], send: NodeSend): void {
    this.send(trades, [], send);
  }

  /** Sends again the trades unconfirmed for `retryMs`. */
  retry(retryMs: number, send: NodeSend): void {
    this.send(this.outbox.due(this.options.outboxNowMs(), retryMs), [], send);
  }

  book(payload: unknown): NodeMessage {
    return { topic: this.topics.book(this.options.market), payload, retain: true, qos: 1 };
  }

  /** The onComplete hook: a node finished with a message; a trade is confirmed when all its nodes have. */
  completed(event: CompleteEvent): void {
    const tradeId = event.msg?.tradeId;
    if (typeof tradeId !== 'string' || event.error || !this.options.confirmers?.has(event.node.id)) return;
    const waiting = this.awaiting.get(tradeId);
    if (!waiting) return;
    waiting.delete(event.node.id);
    if (waiting.size > 0) return;
    this.awaiting.delete(tradeId);
    this.outbox.confirm(tradeId);
  }

  private send(trades: readonly Trade[], rejects: NodeMessage[], send: NodeSend): void {
    if (trades.length === 0 && rejects.length === 0) return;
    const market = this.options.market;
    const tradeMessages = trades.map((trade): NodeMessage => ({ topic: this.topics.trades(market), payload: trade, qos: 1, tradeId: trade.id }));
    const confirmers = this.options.confirmers;
    const confirming = confirmers !== undefined && confirmers.size > 0;
    if (confirming && trades.length > 0) {
      this.outbox.sent(trades, this.options.outboxNowMs());
      // Waiting is set up before the send: a node may complete a message before send() returns.
      for (const trade of trades) this.awaiting.set(trade.id, new Set(confirmers));
    }
    send([tradeMessages, rejects, null]);
    if (!confirming) this.outbox.delivered(trades);
  }
}
