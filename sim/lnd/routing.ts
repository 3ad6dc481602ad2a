// Path finding as LND does it: a Dijkstra search backwards from the payee, so each hop's amount includes the
// fees of the hops after it. A forwarding node charges base + amount × ppm / 1,000,000 (integer division, as
// lnwire ComputeFee) on what it forwards; the payer charges itself nothing, so a direct channel is free. The
// payer knows its own channels' spendable balances (LND's bandwidth hints) but only the capacity of everyone
// else's, so a route can fail at a hop short of liquidity, and is then searched again without that hop.
import type { ChannelLedger, Side } from './channels';
import type { ChannelRecord, HopRecord, RouteRecord } from './state';

export interface RouteQuery {
  source: string;
  target: string;
  amountMsat: bigint;
  feeLimitMsat: bigint;
  finalCltvDelta: number;
  height: number;
  /** the most blocks the first HTLC may be locked for */
  cltvLimit: number;
  outgoingChanIds: readonly string[];
  lastHop?: string;
  /** `${chanId}:${side}` directions that failed for this payment */
  excluded: ReadonlySet<string>;
  isActive(channel: ChannelRecord): boolean;
}

export type RouteResult = { route: RouteRecord } | { failure: 'FAILURE_REASON_INSUFFICIENT_BALANCE' | 'FAILURE_REASON_NO_ROUTE' };

export const forwardingFee = (amountMsat: bigint, policy: { feeBaseMsat: string; feePpm: number }) =>
  BigInt(policy.feeBaseMsat) + (amountMsat * BigInt(policy.feePpm)) / 1_000_000n;

interface Label {
  /** what must arrive at this node over its incoming channel */
  amountMsat: bigint;
  /** the expiry height of that incoming HTLC */
  cltv: number;
  feesMsat: bigint;
  hops: number;
  /** the channel this node forwards over, towards the payee, and the node at its other end */
  next?: { chanId: string; node: string };
}

export function findRoute(ledger: ChannelLedger, q: RouteQuery): RouteResult {
  const local = ledger
    .ofNode(q.source)
    .filter((c) => q.isActive(c) && (q.outgoingChanIds.length === 0 || q.outgoingChanIds.includes(c.chanId)));
  const sideOf = (c: ChannelRecord, node: string): Side => (c.nodes[0] === node ? 0 : 1);
  const maxLocal = local.reduce((max, c) => {
    const s = ledger.spendable(c, sideOf(c, q.source));
    return s > max ? s : max;
  }, 0n);
  if (maxLocal < q.amountMsat) return { failure: 'FAILURE_REASON_INSUFFICIENT_BALANCE' };
  if (q.source === q.target) return { failure: 'FAILURE_REASON_NO_ROUTE' };

  const labels = new Map<string, Label>([[q.target, { amountMsat: q.amountMsat, cltv: q.height + q.finalCltvDelta, feesMsat: 0n, hops: 0 }]]);
  const done = new Set<string>();
  const channels = ledger.all().filter((c) => q.isActive(c));
  for (;;) {
    let node: string | undefined;
    for (const [candidate, label] of labels) {
      if (done.has(candidate)) continue;
      const best = node === undefined ? undefined : (labels.get(node) as Label);
      if (!best || label.feesMsat < best.feesMsat || (label.feesMsat === best.feesMsat && label.hops < best.hops)) node = candidate;
    }
    if (node === undefined) return { failure: 'FAILURE_REASON_NO_ROUTE' };
    if (node === q.source) return { route: buildRoute(labels, q) };
    done.add(node);
    const label = labels.get(node) as Label;
    for (const channel of channels) {
      if (channel.nodes[0] !== node && channel.nodes[1] !== node) continue;
      const toSide = sideOf(channel, node);
      const fromSide: Side = toSide === 0 ? 1 : 0;
      const from = channel.nodes[fromSide];
      if (done.has(from) || q.excluded.has(`${channel.chanId}:${fromSide}`)) continue;
      if (node === q.target && q.lastHop && from !== q.lastHop) continue;
      const policy = channel.policy[fromSide];
      const amount = label.amountMsat;
      if (amount < BigInt(policy.minHtlcMsat) || amount > BigInt(channel.capacitySat) * 1000n) continue;
      let next: Label;
      if (from === q.source) {
        if (!local.includes(channel) || ledger.spendable(channel, fromSide) < amount) continue;
        next = { amountMsat: amount, cltv: label.cltv, feesMsat: label.feesMsat, hops: label.hops + 1, next: { chanId: channel.chanId, node } };
      } else {
        const fee = forwardingFee(amount, policy);
        next = {
          amountMsat: amount + fee,
          cltv: label.cltv + policy.cltvDelta,
          feesMsat: label.feesMsat + fee,
          hops: label.hops + 1,
          next: { chanId: channel.chanId, node },
        };
      }
      if (next.feesMsat > q.feeLimitMsat || next.cltv - q.height > q.cltvLimit) continue;
      const known = labels.get(from);
      if (!known || next.feesMsat < known.feesMsat || (next.feesMsat === known.feesMsat && next.hops < known.hops)) labels.set(from, next);
    }
  }
}

/** LND's Route: hop i is the node reached over channel i; its fee is what it keeps of what it was sent. */
function buildRoute(labels: Map<string, Label>, q: RouteQuery): RouteRecord {
  const first = labels.get(q.source) as Label;
  const hops: HopRecord[] = [];
  for (let at = first.next; at; ) {
    const label = labels.get(at.node) as Label;
    const forwarded = label.next ? (labels.get(label.next.node) as Label) : undefined;
    const amtToForward = forwarded ? forwarded.amountMsat : label.amountMsat;
    hops.push({
      chanId: at.chanId,
      pubKey: at.node,
      amtToForwardMsat: amtToForward.toString(),
      feeMsat: (label.amountMsat - amtToForward).toString(),
      expiry: forwarded ? forwarded.cltv : label.cltv,
    });
    at = label.next;
  }
  return {
    totalTimeLock: first.cltv,
    totalAmtMsat: first.amountMsat.toString(),
    totalFeesMsat: first.feesMsat.toString(),
    hops,
  };
}
