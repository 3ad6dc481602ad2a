// What the matcher sends, and on which output: Trades on 1 (through the outbox, so that none is lost across a
// crash), one Reject per refused message on 2 with the topic of its participant, the book on 3.
import type { TradeOutbox } from '../../lib/delivery/trade-outbox';
import type { MarketEvents } from '../../lib/market';
import { ID_PATTERN } from '../../lib/schemas/kit';
import type { Reject, Trade } from '../../lib/schemas';
import type { Topics } from '../../lib/topics';
import type { NodeMessage, NodeSend } from '../shared/red';

/** a reject's topic level when the message names no usable participant */
export const UNIDENTIFIED = '_unidentified';
const ID = new RegExp(ID_PATTERN);

export class MatcherOutputs {
  constructor(
    private readonly topics: Topics,
    private readonly market: string,
    private readonly outbox: TradeOutbox,
    private readonly confirmDelivery: boolean,
  ) {}

  rejectTopic(reject: Reject): string {
    const participant = (reject.order as { participant?: unknown } | null)?.participant;
    return this.topics.rejects(this.market, typeof participant === 'string' && ID.test(participant) ? participant : UNIDENTIFIED);
  }

  /** Sends the trades and rejects of `events`. */
  events(events: MarketEvents, send: NodeSend, nowMs: number): void {
    const rejects = events.rejects.map((reject): NodeMessage => ({ topic: this.rejectTopic(reject), payload: reject, qos: 1 }));
    this.send(events.trades, rejects, send, nowMs);
  }

  /** Sends trades again (after a restart, or unconfirmed for too long). */
  resend(trades: readonly Trade[], send: NodeSend, nowMs: number): void {
    this.send(trades, [], send, nowMs);
  }

  book(payload: unknown): NodeMessage {
    return { topic: this.topics.book(this.market), payload, retain: true, qos: 1 };
  }

  /**
   * A trade that came back from a Complete node (watching the node that delivered it), its payload as sent or as
   * the JSON an mqtt out node turned it into; returns whether it was waiting.
   */
  confirm(payload: unknown): boolean {
    let trade = payload;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      try {
        trade = JSON.parse(payload.toString());
      } catch {
        return false;
      }
    }
    const id = (trade as { id?: unknown } | null)?.id;
    return typeof id === 'string' && this.outbox.confirm(id);
  }

  private send(trades: readonly Trade[], rejects: NodeMessage[], send: NodeSend, nowMs: number): void {
    if (trades.length === 0 && rejects.length === 0) return;
    const tradeMessages = trades.map((trade): NodeMessage => ({ topic: this.topics.trades(this.market), payload: trade, qos: 1 }));
    send([tradeMessages, rejects, null]);
    if (trades.length === 0) return;
    this.outbox.sent(trades, nowMs);
    if (!this.confirmDelivery) this.outbox.confirmAll();
  }
}
