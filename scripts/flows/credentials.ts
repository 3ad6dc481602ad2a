// The credentials the reference flows need and cannot carry: each participant's Lightning TLS certificate and
// macaroon (its flaregrid-lnd node) and the site operator's market signing key (its flaregrid-participant node).
// npm start writes them, encrypted, into flows_cred.json when it deploys the reference flows.
import { generateSigningKey } from '../../lib/market/identity';
import type { LightningNetwork } from '../../sim/lnd';
import { market } from './market';
import { settlement } from './settlement';

export type Credentials = Record<string, Record<string, string>>;

/** By node id: what the simulated site's nodes need; a fresh signing key for the operator. */
export function referenceCredentials(lightning: LightningNetwork): Credentials {
  const credentials: Credentials = {};
  for (const [participant, node] of settlement().lnd) {
    const lnd = lightning.node(participant);
    credentials[node.id] = { cert: lnd.certPem(), macaroon: lnd.macaroon('admin') };
  }
  credentials[market().participant.id] = { privateKey: generateSigningKey().privateKeyHex };
  return credentials;
}
