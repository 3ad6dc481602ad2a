// The orders and cancels that reach the matcher in one turn of the event loop (an mqtt in node hands over every
// message of a network read at once; Node-RED delivers each wired message in its own setImmediate, all in the
// same phase) go to the market as one batch: one Market.submitMany, so one journal write and one fdatasync,
// one send of the trades and rejects, and each message's done() once the batch is durable. The market applies
// a batch's messages in arrival order, exactly as one call per message would, and their outputs come out in
// that order (rejects: the matcher's own, those of text that is not JSON, ahead of the market's).
import type { NodeDone, NodeMessage, NodeSend } from '../shared/red';

export interface PendingInput {
  msg: NodeMessage;
  send: NodeSend;
  done: NodeDone;
}

/** a batch's bound: a burst larger than this is submitted in pieces (each piece still one journal wait) */
export const MAX_BATCH = 1000;

export class InputBatch {
  private items: PendingInput[] = [];

  constructor(private readonly submit: (items: PendingInput[]) => void) {}

  add(item: PendingInput): void {
    this.items.push(item);
    if (this.items.length === 1) setImmediate(() => this.drain());
    else if (this.items.length >= MAX_BATCH) this.drain();
  }

  /** Submits what has arrived so far; the matcher calls it before a command so that the orders before it go first. */
  drain(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.submit(items);
  }
}
