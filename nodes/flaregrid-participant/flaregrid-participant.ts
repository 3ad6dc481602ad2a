// flaregrid-participant: a market identity (config node). The participant id, zone and payment node are
// settings; the Ed25519 signing key is a Node-RED credential, so it is kept encrypted in flows_cred.json and
// never in the flow JSON. The edit dialog asks the runtime for a fresh key pair (POST
// <admin root>/flaregrid-participant/keys) and for the public key of a pasted key (POST .../public-key); neither
// logs what it returns.
import { generateSigningKey, publicKeyOf } from '../../lib/market/identity';
import { registerEditorApi } from '../shared/editor-api';
import { asError } from '../shared/handlers';
import { migrateConfig } from '../shared/migrate';
import { attachParticipant, participantHandle, type ParticipantSettings } from '../shared/participant';
import type { NodeDefinition, NodeRedAPI, RuntimeNode } from '../shared/red';
import { PARTICIPANT_MIGRATIONS } from './migrations';

const TYPE = 'flaregrid-participant';
const registered = new WeakSet<object>();

function registerKeyApi(RED: NodeRedAPI): void {
  if (registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);
  const write = RED.auth.needsPermission(`${TYPE}.write`);
  RED.httpAdmin.post(`/${TYPE}/keys`, write, (_req, res) => {
    const key = generateSigningKey();
    res.set('Cache-Control', 'no-store');
    res.json({ privateKey: key.privateKeyHex, publicKey: key.publicKeyHex });
  });
  RED.httpAdmin.post(`/${TYPE}/public-key`, write, (req, res) => {
    const privateKey = typeof req.body?.privateKey === 'string' ? req.body.privateKey.trim().toLowerCase() : '';
    try {
      res.json({ publicKey: publicKeyOf(privateKey) });
    } catch (err) {
      res.status(400).json({ error: asError(err).message });
    }
  });
}

export = function (RED: NodeRedAPI) {
  registerEditorApi(RED, TYPE, PARTICIPANT_MIGRATIONS);
  registerKeyApi(RED);

  function ParticipantNode(this: RuntimeNode, saved: NodeDefinition & ParticipantSettings): void {
    RED.nodes.createNode(this, saved);
    try {
      const config = migrateConfig(saved, PARTICIPANT_MIGRATIONS);
      attachParticipant(this, { handle: participantHandle(config, this.credentials?.privateKey) });
    } catch (err) {
      const problem = asError(err).message;
      attachParticipant(this, { problem });
      this.error(`${String(saved.participantId ?? TYPE)}: ${problem}`);
    }
  }

  RED.nodes.registerType(TYPE, ParticipantNode, { credentials: { privateKey: { type: 'password' } } });
};
