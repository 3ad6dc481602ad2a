// flaregrid-pay-stream: the payer. Given the Trades its buyer buys and the buyer's MeterReadings (and, in the
// invoice modes, the seller gate's Invoices), it pays the seller's node as the energy is delivered, by
// lib/payments/stream-driver.ts: a journaled intent before every send, TrackPaymentV2 after any doubt or
// restart, caps checked before every payment. One Receipt per payment and a final one per trade.

import { isInvoice, isMeterReading, isTrade } from '../../lib/schemas';
import { PAYMENT_MODES, type PaymentMode } from '../../lib/schemas/payments';
import { ID_PATTERN } from '../../lib/schemas/kit';
import { StreamDriver } from '../../lib/payments/stream-driver';
import { validateStreamSettings, type StreamSettings } from '../../lib/payments/stream';
import { clockOf, flaregridSettings } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { nonNegativeNumber, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { journalDir, refuseTradeWhileMacaroonRefused, runPaymentDriver } from '../shared/payments';
import type { NodeDefinition, NodeRedAPI, NodeStatus, RuntimeNode } from '../shared/red';
import { formatMsat } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { useLnd } from '../flaregrid-lnd/lnd-config';
import { PAY_STREAM_MIGRATIONS } from './migrations';

interface PayStreamConfig extends NodeDefinition {
  lnd?: string;
  buyer?: string;
  meterId?: string;
  mode?: string;
  stepWh?: string | number;
  stepS?: string | number;
  toleranceWh?: string | number;
  minPaymentMsat?: string | number;
  closeAfterS?: string | number;
  giveUpAfterS?: string | number;
}

const ID = new RegExp(ID_PATTERN);

function whole(value: unknown, label: string): number {
  const n = nonNegativeNumber(value, label);
  if (!Number.isSafeInteger(n)) throw new Error(`${label} must be a whole number, got '${String(value)}'`);
  return n;
}

function readSettings(config: PayStreamConfig): { buyer: string; meterId: string; stream: StreamSettings } {
  const buyer = String(config.buyer ?? '').trim();
  const meterId = String(config.meterId ?? '').trim();
  if (!ID.test(buyer)) throw new Error(`Buyer must be a participant id (letters, digits, _ . : -), got '${buyer}'`);
  if (!ID.test(meterId)) throw new Error(`Meter must be the id of the buyer's meter, got '${meterId}'`);
  const mode = String(config.mode ?? 'keysend') as PaymentMode;
  if (!PAYMENT_MODES.includes(mode)) throw new Error(`Mode must be one of ${PAYMENT_MODES.join(', ')}, got '${mode}'`);
  const stream = validateStreamSettings({
    mode,
    stepWh: whole(config.stepWh, 'Step (Wh)'),
    stepMs: Math.round(positiveNumber(config.stepS, 'Step (s)') * 1000),
    toleranceWh: whole(config.toleranceWh, 'Meter tolerance (Wh)'),
    minPaymentMsat: whole(config.minPaymentMsat, 'Smallest payment (msat)'),
    closeAfterMs: Math.round(nonNegativeNumber(config.closeAfterS, 'Close after (s)') * 1000),
    giveUpAfterMs: Math.round(nonNegativeNumber(config.giveUpAfterS, 'Give up after (s)') * 1000),
  });
  return { buyer, meterId, stream };
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, 'flaregrid-pay-stream', PAY_STREAM_MIGRATIONS);
  const t = (key: string, subs?: Record<string, string | number>) => RED._(`flaregrid-pay-stream.${key}`, subs);

  function FlaregridPayStreamNode(this: RuntimeNode, saved: PayStreamConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    let settings: ReturnType<typeof readSettings>;
    try {
      settings = readSettings(migrateConfig(saved, PAY_STREAM_MIGRATIONS));
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-pay-stream', t('status.configError'), err);
      return;
    }
    let driver: StreamDriver | undefined;
    const status = (): NodeStatus => {
      if (!driver) return { fill: 'grey', shape: 'ring', text: t('status.opening') };
      const { paidMsat, owedMsat, blocked, failing } = driver.summary();
      if (blocked) return { fill: 'red', shape: 'ring', text: t(`status.cap.${blocked.code}`) };
      const text = `${t('status.paid')} ${formatMsat(paidMsat)} · ${t('status.owed')} ${formatMsat(owedMsat)}`;
      return failing ? { fill: 'yellow', shape: 'ring', text: `${text} ${t('status.retrying')}` } : { fill: 'green', shape: 'dot', text };
    };
    const lnd = useLnd(RED, node, saved.lnd, { connectedStatus: status });
    if (!lnd) {
      node.on('input', (_msg, _send, done) => done(new Error('flaregrid-pay-stream has no flaregrid-lnd node: choose one in its dialog')));
      return;
    }
    const topics = topicsOf(RED);
    const run = runPaymentDriver(node, lnd, {
      clock,
      t,
      status,
      journalName: 'the payment journal',
      open: (showStatus) =>
        StreamDriver.open({
          dir: journalDir(RED, 'pay-stream', node.id),
          streamId: node.id,
          buyer: settings.buyer,
          meterId: settings.meterId,
          settings: settings.stream,
          clock,
          guard: lnd.guard,
          backend: lnd.backend,
          paymentTimeoutMs: lnd.settings.paymentTimeoutMs,
          lookupTimeoutMs: lnd.settings.callTimeoutMs,
          onReceipt: (receipt, trade) => node.send({ topic: topics.receipts(trade.market, trade.buyer), payload: receipt }),
          onChange: showStatus,
          onProblem: (err) => {
            node.error(err, { topic: 'problem', payload: { code: (err as { code?: string }).code, message: err.message } });
            showStatus();
          },
          onUnavailable: lnd.unavailable,
          hooks: flaregridSettings(RED).paymentHooks,
          warn: (text) => node.warn(text),
        }).then((opened) => (driver = opened)),
    });

    run.onInput(async (stream, msg) => {
      const payload = msg.payload as { type?: unknown; meterId?: unknown } | undefined;
      if (payload?.type === 'trade') {
        const trade = isTrade.parse(payload);
        refuseTradeWhileMacaroonRefused(lnd, trade.id, 'paid');
        await stream.admitTrade(trade);
      } else if (payload?.type === 'invoice') {
        await stream.admitInvoice(isInvoice.parse(payload));
      } else if (payload !== undefined && typeof payload === 'object' && 'meterId' in payload) {
        stream.admitReading(isMeterReading.parse(payload));
      } else {
        throw new Error('payload is not a Trade, an Invoice or a MeterReading');
      }
    });
  }

  RED.nodes.registerType('flaregrid-pay-stream', FlaregridPayStreamNode);
};
