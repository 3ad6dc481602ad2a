// lnrpc.Lightning: node info, channels, invoices, payment list, message signing (lnd rpcserver.go).
import { lndError, notFound } from './errors';
import { recoverMessageSigner, signMessage } from './keys';
import { nodeFeatures, rpcChannel, rpcInvoice, rpcPayment, INVOICE_FEATURES } from './marshal';
import { amountMsat, hash32, page } from './rpc-util';
import { nowSec, type RpcContext, type ServiceHandlers } from './rpc-context';
import type { ChannelRecord, InvoiceRecord } from './state';
import type { StreamSink } from './streams';

export const LND_VERSION = '0.20.0-beta commit=flaregrid-lnd-sim';

export function lightningHandlers(ctx: RpcContext): ServiceHandlers {
  const { network, node } = ctx;
  const view = (channel: ChannelRecord, peerAliasLookup = false) => {
    const side = channel.nodes[0] === node.pubkey ? 0 : 1;
    const peer = network.node(channel.nodes[side === 0 ? 1 : 0]);
    return rpcChannel({ channel, side, active: network.isActive(channel), nowSec: nowSec(ctx), peerAlias: peerAliasLookup ? peer.alias : '' });
  };
  const sumSides = (pick: (c: ChannelRecord, side: 0 | 1) => bigint) =>
    network.ledger.ofNode(node.pubkey).reduce((sum, c) => sum + pick(c, c.nodes[0] === node.pubkey ? 0 : 1), 0n);
  const amount = (msat: bigint) => ({ sat: (msat / 1000n).toString(), msat: msat.toString() });

  return {
    unary: {
      GetInfo: () => {
        const channels = network.ledger.ofNode(node.pubkey);
        const active = channels.filter((c) => network.isActive(c)).length;
        const peers = new Set(channels.map((c) => (c.nodes[0] === node.pubkey ? c.nodes[1] : c.nodes[0])).filter((p) => network.isUp(p)));
        const height = network.height();
        return {
          version: LND_VERSION,
          commit_hash: 'flaregrid-lnd-sim',
          identity_pubkey: node.pubkey,
          alias: node.alias,
          color: node.color,
          num_pending_channels: 0,
          num_active_channels: active,
          num_inactive_channels: channels.length - active,
          num_peers: peers.size,
          block_height: height,
          block_hash: network.chain.blockHash(height),
          best_header_timestamp: String(Math.floor(network.chain.timeOfHeight(height) / 1000)),
          synced_to_chain: true,
          synced_to_graph: true,
          testnet: false,
          chains: [{ chain: 'bitcoin', network: 'regtest' }],
          uris: [],
          features: nodeFeatures(node.acceptsKeysend),
          require_htlc_interceptor: false,
          store_final_htlc_resolutions: false,
          wallet_synced: true,
        };
      },

      ListChannels: (req: { active_only: boolean; inactive_only: boolean; private_only: boolean; peer: Buffer; peer_alias_lookup: boolean }) => {
        if (req.active_only && req.inactive_only) throw lndError('either `active_only` or `inactive_only` can be set, but not both');
        const peer = req.peer?.length ? req.peer.toString('hex') : undefined;
        // every simulated channel is public, so private_only lists none
        const channels = (req.private_only ? [] : network.ledger.ofNode(node.pubkey))
          .filter((c) => (req.active_only ? network.isActive(c) : req.inactive_only ? !network.isActive(c) : true))
          .filter((c) => !peer || c.nodes.includes(peer));
        return { channels: channels.map((c) => view(c, req.peer_alias_lookup)) };
      },

      ChannelBalance: () => {
        const local = sumSides((c, side) => network.ledger.balance(c, side));
        const remote = sumSides((c, side) => network.ledger.balance(c, side === 0 ? 1 : 0));
        const locked = (outgoing: boolean) =>
          sumSides((c, side) => c.htlcs.filter((h) => (h.fromSide === side) === outgoing).reduce((s, h) => s + BigInt(h.amountMsat), 0n));
        return {
          balance: (local / 1000n).toString(),
          pending_open_balance: '0',
          local_balance: amount(local),
          remote_balance: amount(remote),
          unsettled_local_balance: amount(locked(true)),
          unsettled_remote_balance: amount(locked(false)),
          pending_open_local_balance: amount(0n),
          pending_open_remote_balance: amount(0n),
        };
      },

      // The simulated nodes hold no on-chain funds: every channel was funded before the simulation begins.
      WalletBalance: () => ({
        total_balance: '0',
        confirmed_balance: '0',
        unconfirmed_balance: '0',
        locked_balance: '0',
        reserved_balance_anchor_chan: '0',
        account_balance: { default: { confirmed_balance: '0', unconfirmed_balance: '0' } },
      }),

      FeeReport: () => ({
        channel_fees: network.ledger.ofNode(node.pubkey).map((c) => {
          const policy = c.policy[c.nodes[0] === node.pubkey ? 0 : 1];
          return {
            chan_id: c.chanId,
            channel_point: c.channelPoint,
            base_fee_msat: policy.feeBaseMsat,
            fee_per_mil: String(policy.feePpm),
            fee_rate: policy.feePpm / 1_000_000,
            inbound_base_fee_msat: 0,
            inbound_fee_per_mil: 0,
          };
        }),
        day_fee_sum: '0',
        week_fee_sum: '0',
        month_fee_sum: '0',
      }),

      AddInvoice: (req: {
        memo: string; r_preimage: Buffer; value: string; value_msat: string; description_hash: Buffer;
        expiry: string; cltv_expiry: string; private: boolean; is_amp: boolean;
      }) => {
        if (req.is_amp) throw lndError('AMP invoices are not supported by this simulator');
        const invoice = network.invoices.add(node, {
          memo: req.memo,
          valueMsat: amountMsat(req.value, req.value_msat),
          preimage: req.r_preimage?.length ? hash32(req.r_preimage, 'preimage') : undefined,
          descriptionHash: req.description_hash,
          expirySec: Number(req.expiry),
          cltvExpiry: Number(req.cltv_expiry),
          private: req.private,
          hold: false,
        });
        return {
          r_hash: Buffer.from(invoice.paymentHash, 'hex'),
          payment_request: invoice.paymentRequest,
          add_index: String(invoice.addIndex),
          payment_addr: Buffer.from(invoice.paymentAddr, 'hex'),
        };
      },

      LookupInvoice: (req: { r_hash_str: string; r_hash: Buffer }) => {
        const hash = req.r_hash_str ? Buffer.from(req.r_hash_str, 'hex') : (req.r_hash ?? Buffer.alloc(0));
        if (hash.length !== 0 && hash.length !== 32) throw lndError(`payment hash must be exactly 32 bytes, is instead ${hash.length}`);
        const invoice = network.invoices.get(node.pubkey, (hash.length ? hash : Buffer.alloc(32)).toString('hex'));
        if (!invoice) throw notFound('unable to locate invoice');
        return rpcInvoice(invoice);
      },

      ListInvoices: (req: { pending_only: boolean; index_offset: string; num_max_invoices: string; reversed: boolean; creation_date_start: string; creation_date_end: string }) => {
        const start = Number(req.creation_date_start);
        const end = Number(req.creation_date_end);
        if (start && end && start >= end) throw lndError(`start date(${start}) must be before end date(${end})`);
        const invoices = network.invoices
          .list(node.pubkey)
          .filter((i) => !req.pending_only || i.state === 'OPEN' || i.state === 'ACCEPTED')
          .filter((i) => (!start || i.creationDateSec >= start) && (!end || i.creationDateSec <= end));
        const p = page(invoices, (i) => i.addIndex, Number(req.index_offset), Number(req.num_max_invoices) || 100, req.reversed);
        return { invoices: p.items.map(rpcInvoice), first_index_offset: p.first, last_index_offset: p.last };
      },

      DecodePayReq: (req: { pay_req: string }) => {
        let d;
        try {
          d = network.decodePaymentRequest(req.pay_req);
        } catch (err) {
          throw lndError((err as Error).message);
        }
        if (d.network !== 'regtest') throw lndError("invoice not for current active network 'regtest'");
        return {
          destination: d.destination,
          payment_hash: d.paymentHash,
          num_satoshis: (d.valueMsat / 1000n).toString(),
          timestamp: String(d.createdAtSec),
          expiry: String(d.expirySec),
          description: d.description,
          description_hash: d.descriptionHash,
          fallback_addr: '',
          cltv_expiry: String(d.cltvExpiry),
          route_hints: [],
          payment_addr: Buffer.from(d.paymentAddr ?? '', 'hex'),
          num_msat: d.valueMsat.toString(),
          features: Object.fromEntries(
            d.features.map((bit) => [bit, INVOICE_FEATURES[bit as keyof typeof INVOICE_FEATURES] ?? { name: 'unknown', is_required: bit % 2 === 0, is_known: false }]),
          ),
          blinded_paths: [],
        };
      },

      ListPayments: (req: { include_incomplete: boolean; index_offset: string; max_payments: string; reversed: boolean; count_total_payments: boolean; creation_date_start: string; creation_date_end: string; omit_hops: boolean }) => {
        const start = Number(req.creation_date_start);
        const end = Number(req.creation_date_end);
        if (start && end && start >= end) throw lndError(`start date(${start}) must be before end date(${end})`);
        const all = network.payments.list(node.pubkey);
        const secOf = (ns: string) => Number(BigInt(ns) / 1_000_000_000n);
        const payments = all
          .filter((p) => req.include_incomplete || p.status === 'SUCCEEDED')
          .filter((p) => (!start || secOf(p.creationTimeNs) >= start) && (!end || secOf(p.creationTimeNs) <= end));
        const p = page(payments, (x) => x.paymentIndex, Number(req.index_offset), Number(req.max_payments) || 100, req.reversed);
        return {
          payments: p.items.map((x) => rpcPayment(x, req.omit_hops)),
          first_index_offset: p.first,
          last_index_offset: p.last,
          total_num_payments: req.count_total_payments ? String(all.length) : '0',
        };
      },

      SignMessage: (req: { msg: Buffer; single_hash: boolean }) => {
        if (!req.msg?.length) throw lndError('need a message to sign');
        return { signature: signMessage(req.msg, Buffer.from(node.privateKey, 'hex'), req.single_hash) };
      },

      VerifyMessage: (req: { msg: Buffer; signature: string }) => {
        if (!req.msg?.length) throw lndError('need a message to verify');
        let signer;
        try {
          signer = recoverMessageSigner(req.msg, req.signature);
        } catch (err) {
          throw lndError(`failed to decode signature: ${(err as Error).message}`);
        }
        if (!signer) return { valid: false, pubkey: '' };
        const pubkey = signer.toString('hex');
        // valid only for a node of the graph, as lnd checks (HasNode)
        return { valid: network.state.nodes[pubkey] !== undefined, pubkey };
      },
    },

    streams: {
      SubscribeInvoices: (req: { add_index: string; settle_index: string }, sink: StreamSink) => {
        const addIndex = Number(req.add_index);
        const settleIndex = Number(req.settle_index);
        const mine = network.invoices.list(node.pubkey);
        if (addIndex > 0) for (const i of mine.filter((x) => x.addIndex > addIndex)) sink.send(rpcInvoice(i));
        if (settleIndex > 0) {
          const settled = mine.filter((x) => x.settleIndex > settleIndex).sort((a, b) => a.settleIndex - b.settleIndex);
          for (const i of settled) sink.send(rpcInvoice(i));
        }
        // lnd delivers only new (OPEN) and SETTLED invoices here; ACCEPTED and CANCELED are not sent
        const listener = (invoice: InvoiceRecord, change: string) => {
          if (invoice.node === node.pubkey && (change === 'added' || change === 'settled')) sink.send(rpcInvoice(invoice));
        };
        network.events.on('invoice', listener);
        sink.onClose(() => network.events.off('invoice', listener));
      },
    },
  };
}
