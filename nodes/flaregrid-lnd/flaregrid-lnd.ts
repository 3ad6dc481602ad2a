// flaregrid-lnd: the config node of one Lightning node (LND). It owns the ln-service connection its pay-stream
// and pay-gate users share (reconnecting with bounded back-off, shown on their status), the spending caps of
// every payment made from that node, and the dialog's "Test connection" endpoint. The TLS certificate and the
// macaroon are credentials: they live in flows_cred.json, never in the flow JSON, a log or a status.

import { openLnd, probeLnd } from '../../lib/payments/backend/connect';
import { SpendingGuard } from '../../lib/payments/caps';
import { clockOf } from '../shared/clock';
import { ownConnection } from '../shared/connection-node';
import { registerEditorApi } from '../shared/editor-api';
import { positiveNumber } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import type { NodeDefinition, NodeRedAPI, RuntimeNode } from '../shared/red';
import { lndConnector, publishLndConfig, readCaps, type LndSettings } from './lnd-config';
import { LND_MIGRATIONS } from './migrations';

interface LndNodeConfig extends NodeDefinition {
  socket?: string;
  paymentTimeoutS?: string | number;
  callTimeoutS?: string | number;
  [cap: string]: unknown;
}

interface Credentials {
  cert?: string;
  macaroon?: string;
}

const PASSWORD_PLACEHOLDER = '__PWRD__';

function readSettings(config: LndNodeConfig, credentials: Credentials): LndSettings {
  const socket = String(config.socket ?? '').trim();
  if (socket === '') throw new Error('Socket must be the host:port of LND gRPC, e.g. 127.0.0.1:10009');
  return {
    access: { socket, cert: credentials.cert, macaroon: credentials.macaroon },
    caps: readCaps(config),
    paymentTimeoutMs: positiveNumber(config.paymentTimeoutS, 'Payment deadline (s)') * 1000,
    callTimeoutMs: positiveNumber(config.callTimeoutS, 'Call deadline (s)') * 1000,
    watchMs: 30_000,
  };
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, 'flaregrid-lnd', LND_MIGRATIONS);

  function FlaregridLndNode(this: RuntimeNode, saved: LndNodeConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    let settings: LndSettings;
    try {
      settings = readSettings(migrateConfig(saved, LND_MIGRATIONS), (node.credentials ?? {}) as Credentials);
      const guard = new SpendingGuard(settings.caps);
      const owner = ownConnection(RED, node, lndConnector(settings, clockOf(RED)), {
        backoff: { initialMs: 1000, maxMs: 60_000 },
        connectTimeoutMs: settings.callTimeoutMs + 1000,
      });
      publishLndConfig(node, { owner, guard, settings });
    } catch (err) {
      node.error(`flaregrid-lnd is not configured: ${(err as Error).message}`);
    }
  }

  RED.nodes.registerType('flaregrid-lnd', FlaregridLndNode, {
    credentials: { cert: { type: 'password' }, macaroon: { type: 'password' } },
  });

  // Test connection: the dialog sends what it shows; credentials it does not show (unchanged passwords) are the
  // deployed node's. The answer names the node, its sync state and its channels, or the error.
  RED.httpAdmin.post('/flaregrid-lnd/test', RED.auth.needsPermission('flaregrid-lnd.write'), (req, res) => {
    const body = (req.body ?? {}) as { id?: string; socket?: string; cert?: string; macaroon?: string; callTimeoutS?: number };
    const stored: Credentials = (typeof body.id === 'string' ? RED.nodes.getCredentials(body.id) : undefined) ?? {};
    const pick = (given: string | undefined, saved: string | undefined) => (given === undefined || given === '' || given === PASSWORD_PLACEHOLDER ? saved : given);
    const timeoutMs = (Number(body.callTimeoutS) > 0 ? Number(body.callTimeoutS) : 10) * 1000;
    let opened: ReturnType<typeof openLnd> | undefined;
    void (async () => {
      try {
        const socket = String(body.socket ?? '').trim().replace(/^\$\{(\w+)\}$/, (_whole, name: string) => process.env[name] ?? '');
        opened = openLnd({ socket, cert: pick(body.cert, stored.cert), macaroon: pick(body.macaroon, stored.macaroon) }, clockOf(RED));
        const probe = await probeLnd(opened.backend, timeoutMs);
        const channels = probe.info ? await opened.backend.channels(timeoutMs).catch(() => undefined) : undefined;
        res.json({ ok: true, ...probe, channels });
      } catch (err) {
        res.json({ ok: false, error: (err as Error).message });
      } finally {
        opened?.close();
      }
    })();
  });
};
