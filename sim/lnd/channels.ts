// Channel balances on both sides, to the msat, and the HTLCs locked in them. An offered HTLC leaves the offering
// side at once (LND shows it as unsettled_balance); a settle credits the other side, a failure gives it back,
// so the sum of both sides and the locked HTLCs is always the capacity.
import type { ChannelRecord, HtlcLock } from './state';
import type { StateStore } from './store';

export type Side = 0 | 1;

export const other = (side: Side): Side => (side === 0 ? 1 : 0);

export class ChannelLedger {
  constructor(private readonly store: StateStore) {}

  private get channels(): Record<string, ChannelRecord> {
    return this.store.state.channels;
  }

  all(): ChannelRecord[] {
    return Object.values(this.channels);
  }

  get(chanId: string): ChannelRecord | undefined {
    return this.channels[chanId];
  }

  ofNode(pubkey: string): ChannelRecord[] {
    return this.all().filter((c) => c.nodes[0] === pubkey || c.nodes[1] === pubkey);
  }

  balance(channel: ChannelRecord, side: Side): bigint {
    return BigInt(channel.balanceMsat[side]);
  }

  /** What `side` can offer now: its balance above its channel reserve (BOLT 2: the reserve is never spent). */
  spendable(channel: ChannelRecord, side: Side): bigint {
    const free = this.balance(channel, side) - BigInt(channel.reserveSat) * 1000n;
    return free > 0n ? free : 0n;
  }

  lock(channel: ChannelRecord, fromSide: Side, amountMsat: bigint, paymentHash: string, expiryHeight: number): HtlcLock {
    if (this.spendable(channel, fromSide) < amountMsat) throw new Error(`channel ${channel.chanId} cannot carry ${amountMsat} msat`);
    const lock: HtlcLock = { htlcIndex: channel.nextHtlcIndex++, fromSide, amountMsat: amountMsat.toString(), paymentHash, expiryHeight };
    channel.balanceMsat[fromSide] = (this.balance(channel, fromSide) - amountMsat).toString();
    channel.htlcs.push(lock);
    channel.numUpdates++;
    this.store.touch('channels', channel.chanId);
    return lock;
  }

  /** The preimage came back: the HTLC's amount goes to the side it was offered to. */
  settle(channel: ChannelRecord, htlcIndex: number): void {
    const lock = this.take(channel, htlcIndex);
    const to = other(lock.fromSide);
    channel.balanceMsat[to] = (this.balance(channel, to) + BigInt(lock.amountMsat)).toString();
    channel.sentMsat[lock.fromSide] = (BigInt(channel.sentMsat[lock.fromSide]) + BigInt(lock.amountMsat)).toString();
  }

  /** The HTLC failed or was canceled: its amount returns to the side that offered it. */
  fail(channel: ChannelRecord, htlcIndex: number): void {
    const lock = this.take(channel, htlcIndex);
    channel.balanceMsat[lock.fromSide] = (this.balance(channel, lock.fromSide) + BigInt(lock.amountMsat)).toString();
  }

  private take(channel: ChannelRecord, htlcIndex: number): HtlcLock {
    const at = channel.htlcs.findIndex((h) => h.htlcIndex === htlcIndex);
    if (at < 0) throw new Error(`no HTLC ${htlcIndex} on channel ${channel.chanId}`);
    const [lock] = channel.htlcs.splice(at, 1);
    channel.numUpdates++;
    this.store.touch('channels', channel.chanId);
    return lock;
  }
}
