// flaregrid-pay-gate: the payee. It subscribes to its LND's incoming payments, attributes each to a trade (TLV
// records, or the invoice it settles), sets the money against the energy the buyer's meter shows delivered,
// and keeps each buyer inside a credit window: CutOff / Restore for the contactor, warnings, a signed Receipt
// per payment, and (invoice and escrow modes) the Invoices the buyer's stream pays. Everything goes into a
// hash-chained ledger in the userDir (lib/payments/gate-driver.ts, gate-ledger.ts).

import { validateCreditWindow } from '../../lib/payments/credit';
import { GATE_MODES, type GateMode, type GateSettings } from '../../lib/payments/gate';
import { GateDriver } from '../../lib/payments/gate-driver';
import { isMeterReading, isTrade } from '../../lib/schemas';
import { ID_PATTERN } from '../../lib/schemas/kit';
import { clockOf } from '../shared/clock';
import { registerEditorApi } from '../shared/editor-api';
import { nonNegativeNumber, positiveNumber, refuseUnconfigured } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { journalDir, refusedStatus, refuseTradeWhileMacaroonRefused, runPaymentDriver } from '../shared/payments';
import type { NodeDefinition, NodeRedAPI, NodeStatus, RuntimeNode } from '../shared/red';
import { formatMsat } from '../shared/status';
import { topicsOf } from '../shared/topics';
import { useLnd } from '../flaregrid-lnd/lnd-config';
import { PAY_GATE_MIGRATIONS } from './migrations';

interface PayGateConfig extends NodeDefinition {
  lnd?: string;
  seller?: string;
  buyerMeters?: string;
  mode?: string;
  creditWh?: string | number;
  creditMsat?: string | number;
  warnPct?: string | number;
  restorePct?: string | number;
  graceS?: string | number;
  stepWh?: string | number;
  stepS?: string | number;
  invoiceExpiryS?: string | number;
  closeAfterS?: string | number;
  giveUpAfterS?: string | number;
}

const ID = new RegExp(ID_PATTERN);

function whole(value: unknown, label: string): number {
  const n = nonNegativeNumber(value, label);
  if (!Number.isSafeInteger(n)) throw new Error(`${label} must be a whole number, got '${String(value)}'`);
  return n;
}

/** "prosumer-a=meter-a, prosumer-b=meter-b" → buyer → meter */
function parseBuyerMeters(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [buyer, meterId, extra] = pair.split('=').map((p) => p.trim());
    if (extra !== undefined || !ID.test(buyer ?? '') || !ID.test(meterId ?? '')) throw new Error(`Buyer meters: '${pair}' must be buyer=meter, e.g. prosumer-a=meter-a`);
    if (map.has(buyer)) throw new Error(`Buyer meters: '${buyer}' is given twice`);
    map.set(buyer, meterId);
  }
  if (map.size === 0) throw new Error('Buyer meters must name at least one buyer=meter');
  return map;
}

function readSettings(config: PayGateConfig): { seller: string; buyerMeters: Map<string, string>; gate: GateSettings } {
  const seller = String(config.seller ?? '').trim();
  if (!ID.test(seller)) throw new Error(`Seller must be a participant id (letters, digits, _ . : -), got '${seller}'`);
  const mode = String(config.mode ?? 'keysend') as GateMode;
  if (!GATE_MODES.includes(mode)) throw new Error(`Mode must be one of ${GATE_MODES.join(', ')}, got '${mode}'`);
  const seconds = (value: unknown, label: string) => Math.round(nonNegativeNumber(value, label) * 1000);
  return {
    seller,
    buyerMeters: parseBuyerMeters(String(config.buyerMeters ?? '')),
    gate: {
      mode,
      credit: validateCreditWindow({
        creditWh: whole(config.creditWh, 'Credit (Wh)'),
        creditMsat: whole(config.creditMsat, 'Credit (msat)'),
        warnPct: nonNegativeNumber(config.warnPct, 'Warning (%)'),
        restorePct: nonNegativeNumber(config.restorePct, 'Restore (%)'),
        graceMs: seconds(config.graceS, 'Grace (s)'),
      }),
      stepWh: Math.max(1, whole(config.stepWh, 'Invoice step (Wh)')),
      stepMs: Math.round(positiveNumber(config.stepS, 'Invoice step (s)') * 1000),
      invoiceExpiryMs: Math.round(positiveNumber(config.invoiceExpiryS, 'Invoice deadline (s)') * 1000),
      closeAfterMs: seconds(config.closeAfterS, 'Close after (s)'),
      giveUpAfterMs: seconds(config.giveUpAfterS, 'Give up after (s)'),
    },
  };
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, 'flaregrid-pay-gate', PAY_GATE_MIGRATIONS);
  const t = (key: string, subs?: Record<string, string | number>) => RED._(`flaregrid-pay-gate.${key}`, subs);

  function FlaregridPayGateNode(this: RuntimeNode, saved: PayGateConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const clock = clockOf(RED);
    let settings: ReturnType<typeof readSettings>;
    try {
      settings = readSettings(migrateConfig(saved, PAY_GATE_MIGRATIONS));
    } catch (err) {
      refuseUnconfigured(node, 'flaregrid-pay-gate', t('status.configError'), err);
      return;
    }
    let driver: GateDriver | undefined;
    const status = (): NodeStatus => {
      if (!driver) return { fill: 'grey', shape: 'ring', text: t('status.opening') };
      const { receivedMsat, unpaidMsat, cutOff, warned } = driver.summary();
      if (cutOff.length > 0) return { fill: 'red', shape: 'dot', text: `${t('status.cutOff')} ${cutOff[0]}${cutOff.length > 1 ? ` +${cutOff.length - 1}` : ''}` };
      const text = `${t('status.received')} ${formatMsat(receivedMsat)} · ${t('status.unpaid')} ${formatMsat(unpaidMsat)}`;
      return warned.length > 0 ? { fill: 'yellow', shape: 'dot', text } : { fill: 'green', shape: 'dot', text };
    };
    const lnd = useLnd(RED, node, saved.lnd, { connectedStatus: status });
    if (!lnd) {
      node.on('input', (_msg, _send, done) => done(new Error('flaregrid-pay-gate has no flaregrid-lnd node: choose one in its dialog')));
      return;
    }
    const topics = topicsOf(RED);
    const run = runPaymentDriver(node, lnd, {
      clock,
      t,
      status,
      journalName: 'the ledger',
      open: (showStatus) =>
        GateDriver.open({
          dir: journalDir(RED, 'pay-gate', node.id),
          seller: settings.seller,
          settings: settings.gate,
          buyerMeters: settings.buyerMeters,
          clock,
          backend: lnd.backend,
          callTimeoutMs: lnd.settings.callTimeoutMs,
          // outputs: 1 CutOff / Restore, 2 warnings, 3 receipts, 4 invoices
          onDecision: (decision) => {
            const msg = { topic: decision.participant, payload: decision };
            node.send(decision.type === 'warning' ? [null, msg, null, null] : [msg, null, null, null]);
            node.status(status());
          },
          onReceipt: (receipt, trade) => node.send([null, null, { topic: topics.receipts(trade.market, trade.buyer), payload: receipt }, null]),
          onInvoice: (invoice, trade) => node.send([null, null, null, { topic: topics.invoices(trade.market, trade.buyer), payload: invoice }]),
          onChange: showStatus,
          onProblem: (err) => {
            // with a message, so that a Catch node gets it: a payment has no input message of its own
            node.error(err, { topic: 'problem', payload: { code: (err as { code?: string }).code, message: err.message } });
            if (lnd.owner.connection.state.kind === 'connected') node.status(refusedStatus(err, t));
          },
          onUnavailable: lnd.unavailable,
          warn: (text) => node.warn(text),
        }).then((opened) => (driver = opened)),
    });

    run.onInput(async (gate, msg) => {
      const payload = msg.payload as { type?: unknown } | undefined;
      if (payload?.type === 'trade') {
        const trade = isTrade.parse(payload);
        refuseTradeWhileMacaroonRefused(lnd, trade.id, 'gated');
        await gate.admitTrade(trade);
      } else if (payload !== undefined && typeof payload === 'object' && 'meterId' in payload) {
        gate.admitReading(isMeterReading.parse(payload));
      } else {
        throw new Error('payload is not a Trade or a MeterReading');
      }
    });
  }

  RED.nodes.registerType('flaregrid-pay-gate', FlaregridPayGateNode);
};
