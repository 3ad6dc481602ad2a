// What admission must remember about the messages accepted for open slots: every order by id (the order
// itself, which a cancel finds), and every nonce with its participant; each with the fingerprint (sha256 of
// the canonical JSON) that tells an identical re-submission from a replay. Forgotten when the slot closes:
// a message for a closed slot is refused anyway.

import type { Cancel, Order } from '../schemas';
import { Resting } from './ladder';
import type { SlotBook } from './slot-book';

/** the ids and nonces of these messages are remembered until their slot closes */
export type Accepted = Pick<Order | Cancel, 'type' | 'id' | 'participant' | 'nonce'>;

export class Recall {
  /** the order (resting or not), or only its fingerprint when it was restored from a snapshot after it left the book */
  private readonly orders = new Map<string, Resting | string>();
  /**
   * By nonce: `participant \n fingerprint`, or a list of those when participants chose the same nonce. One flat
   * map, not one per participant: this is on the path of every order.
   */
  private readonly nonces = new Map<string, string | string[]>();

  /** Keeps an order's id and a message's nonce, with its fingerprint, until `slot` closes. */
  remember(slot: SlotBook, message: Resting | Accepted, fingerprint: string): void {
    const accepted = message instanceof Resting ? message.order : message;
    if (accepted.type === 'order') this.orders.set(accepted.id, message instanceof Resting ? message : fingerprint);
    const entry = `${accepted.participant}\n${fingerprint}`;
    const known = this.nonces.get(accepted.nonce);
    if (known === undefined) this.nonces.set(accepted.nonce, entry);
    else this.nonces.set(accepted.nonce, [...(typeof known === 'string' ? [known] : known), entry]);
    slot.accepted.push(accepted);
  }

  /** A resting order restored from a snapshot: a cancel can find it again. */
  relink(order: Resting): void {
    this.orders.set(order.id, order);
  }

  forget(message: Accepted): void {
    if (message.type === 'order') this.orders.delete(message.id);
    const known = this.nonces.get(message.nonce);
    const left = typeof known === 'string' ? [] : (known ?? []).filter((entry) => !entry.startsWith(`${message.participant}\n`));
    if (left.length === 0) this.nonces.delete(message.nonce);
    else this.nonces.set(message.nonce, left.length === 1 ? left[0] : left);
  }

  /** the fingerprint of the order accepted with this id, if its slot is open */
  fingerprintOf(id: string): string | undefined {
    const known = this.orders.get(id);
    return typeof known === 'string' ? known : known?.fingerprint;
  }

  /** the order with this id if it rests in the book */
  restingOrder(id: string): Resting | undefined {
    const known = this.orders.get(id);
    return typeof known === 'object' && known.ladder !== null ? known : undefined;
  }

  /** the fingerprint of the accepted message with this participant's nonce, if it names an open slot */
  nonce(participant: string, nonce: string): string | undefined {
    const known = this.nonces.get(nonce);
    if (known === undefined) return undefined;
    for (const entry of typeof known === 'string' ? [known] : known) {
      if (entry.length > participant.length && entry.charCodeAt(participant.length) === 10 && entry.startsWith(participant)) return entry.slice(participant.length + 1);
    }
    return undefined;
  }
}
