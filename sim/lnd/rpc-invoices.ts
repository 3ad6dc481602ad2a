// invoicesrpc.Invoices: hold invoices and the single-invoice stream (lnd lnrpc/invoicesrpc/invoices_server.go).
import { lndError } from './errors';
import type { InvoiceChange } from './invoices';
import { rpcInvoice } from './marshal';
import { amountMsat, hash32 } from './rpc-util';
import type { RpcContext, ServiceHandlers } from './rpc-context';
import type { InvoiceRecord } from './state';
import type { StreamSink } from './streams';

const isFinal = (i: InvoiceRecord) => i.state === 'SETTLED' || i.state === 'CANCELED';

export function invoicesHandlers(ctx: RpcContext): ServiceHandlers {
  const { network, node } = ctx;
  return {
    unary: {
      AddHoldInvoice: (req: {
        memo: string; hash: Buffer; value: string; value_msat: string; description_hash: Buffer;
        expiry: string; cltv_expiry: string; private: boolean;
      }) => {
        const invoice = network.invoices.add(node, {
          memo: req.memo,
          valueMsat: amountMsat(req.value, req.value_msat),
          hash: hash32(req.hash),
          descriptionHash: req.description_hash,
          expirySec: Number(req.expiry),
          cltvExpiry: Number(req.cltv_expiry),
          private: req.private,
          hold: true,
        });
        return {
          payment_request: invoice.paymentRequest,
          add_index: String(invoice.addIndex),
          payment_addr: Buffer.from(invoice.paymentAddr, 'hex'),
        };
      },

      SettleInvoice: (req: { preimage: Buffer }) => {
        network.invoices.settleHold(node.pubkey, hash32(req.preimage, 'preimage'));
        return {};
      },

      CancelInvoice: (req: { payment_hash: Buffer }) => {
        network.invoices.cancel(node.pubkey, hash32(req.payment_hash).toString('hex'));
        return {};
      },

      LookupInvoiceV2: (req: { payment_hash: Buffer; payment_addr: Buffer }) => {
        const invoice = req.payment_hash?.length
          ? network.invoices.get(node.pubkey, hash32(req.payment_hash).toString('hex'))
          : network.invoices.list(node.pubkey).find((i) => req.payment_addr?.length && i.paymentAddr === req.payment_addr.toString('hex'));
        if (!invoice) throw lndError('unable to locate invoice');
        return rpcInvoice(invoice);
      },
    },

    streams: {
      SubscribeSingleInvoice: (req: { r_hash: Buffer }, sink: StreamSink) => {
        const hash = hash32(req.r_hash).toString('hex');
        const listener = (invoice: InvoiceRecord, _change: InvoiceChange) => {
          if (invoice.node !== node.pubkey || invoice.paymentHash !== hash) return;
          sink.send(rpcInvoice(invoice));
          if (isFinal(invoice)) sink.end();
        };
        network.events.on('invoice', listener);
        sink.onClose(() => network.events.off('invoice', listener));
        const current = network.invoices.get(node.pubkey, hash);
        if (current) listener(current, 'added');
      },
    },
  };
}
