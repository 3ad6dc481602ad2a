// What admission must remember about the messages accepted for open slots: every order's id with its
// fingerprint (sha256 of its canonical JSON, which tells an identical re-submission from a different order
// with the same id), every nonce with its participant, and every cancel's fingerprint. Forgotten when the
// slot closes: a message for a closed slot is refused anyway. An order that left the book is remembered by
// strings only: it is garbage at once, as in any book, however long its id is remembered. While it rests, the
// same table finds it for a cancel.

import type { Resting } from './ladder';
import type { SlotBook } from './slot-book';
import { StringTable } from './string-table';

export class Recall {
  /** order id → the order while it rests (what a cancel finds), its fingerprint once it left the book */
  private readonly orders = new StringTable<Resting | string>();
  /** nonce → the participant that used it, or those that did when participants chose the same nonce */
  private readonly nonces = new StringTable<string | string[]>();
  /** participant \n nonce → a cancel's fingerprint (cancels are few; orders are recognised by id) */
  private readonly cancels = new Map<string, string>();

  /** An accepted order: `known` is the order when it rests, else its fingerprint. */
  rememberOrder(slot: SlotBook, id: string, participant: string, nonce: string, known: Resting | string): void {
    const entry = this.orders.set(id, known);
    if (typeof known === 'object') known.recallEntry = entry;
    this.useNonce(participant, nonce);
    slot.orderIds.push(id);
    slot.orderOwners.push(participant);
    slot.orderNonces.push(nonce);
  }

  rememberCancel(slot: SlotBook, participant: string, nonce: string, fingerprint: string): void {
    this.cancels.set(`${participant}\n${nonce}`, fingerprint);
    this.useNonce(participant, nonce);
    slot.cancelOwners.push(participant);
    slot.cancelNonces.push(nonce);
  }

  private useNonce(participant: string, nonce: string): void {
    const known = this.nonces.get(nonce);
    this.nonces.set(nonce, known === undefined ? participant : [...(typeof known === 'string' ? [known] : known), participant]);
  }

  private dropNonce(participant: string, nonce: string): void {
    const known = this.nonces.get(nonce);
    const left = typeof known === 'string' || known === undefined ? [] : known.filter((p) => p !== participant);
    if (left.length === 0) this.nonces.delete(nonce);
    else this.nonces.set(nonce, left.length === 1 ? left[0] : left);
  }

  forgetSlot(slot: SlotBook): void {
    slot.orderIds.forEach((id, i) => {
      this.orders.delete(id);
      this.dropNonce(slot.orderOwners[i], slot.orderNonces[i]);
    });
    slot.cancelOwners.forEach((participant, i) => {
      this.cancels.delete(`${participant}\n${slot.cancelNonces[i]}`);
      this.dropNonce(participant, slot.cancelNonces[i]);
    });
  }

  /** The order rests in the book now (a snapshot restored). */
  resting(order: Resting): void {
    order.recallEntry = this.orders.set(order.id, order);
  }

  /** The order left the book: only its fingerprint is kept (by entry number: an auction lets thousands go). */
  left(order: Resting): void {
    if (order.recallEntry >= 0) this.orders.setEntry(order.recallEntry, order.fingerprint);
  }

  /** the fingerprint of the order accepted with this id, if its slot is open */
  fingerprintOf(id: string): string | undefined {
    const known = this.orders.get(id);
    return typeof known === 'string' ? known : known?.fingerprint;
  }

  /** the order with this id if it rests in the book */
  restingOrder(id: string): Resting | undefined {
    const known = this.orders.get(id);
    return typeof known === 'object' ? known : undefined;
  }

  /** whether this participant used this nonce in a message for an open slot */
  nonceUsed(participant: string, nonce: string): boolean {
    const known = this.nonces.get(nonce);
    return known === participant || (Array.isArray(known) && known.includes(participant));
  }

  /** the fingerprint of the cancel accepted with this participant's nonce */
  cancelFingerprint(participant: string, nonce: string): string | undefined {
    return this.cancels.get(`${participant}\n${nonce}`);
  }
}
