// A participant's signing key is a Node-RED credential: deployed through the admin API as the editor deploys
// it, it lands encrypted in flows_cred.json and nowhere in flows.json, the admin API never hands it back, and
// Node-RED's log does not show it; the runtime still signs with it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, ParticipantRegistry } from '../../lib/market/identity';
import { packageRedSettings, startRedProcess, type RedProcess } from '../support/red-process';

describe('a deployed participant keeps its signing key out of the flow', function () {
  this.timeout(60_000);
  const key = generateSigningKey();
  let userDir: string;
  let red: RedProcess;
  let admin: string;

  before(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'flaregrid-credentials-'));
    red = await startRedProcess(packageRedSettings(userDir, []));
    admin = red.url.replace(/\/$/, '');
  });
  after(async () => {
    await red?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  async function until<T>(read: () => T): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        return read();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async function api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${admin}${path}`, { ...init, headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', ...init.headers } });
  }

  it('stores the key encrypted, never in flows.json, never in an answer of the admin API', async () => {
    const flows = [
      { id: 'tab', type: 'tab', label: 'market' },
      {
        id: 'alice-key', type: 'flaregrid-participant', name: '', configVersion: 0, participantId: 'alice', zone: 'feeder-1', payTo: '',
        publicKey: key.publicKeyHex, credentials: { privateKey: key.privateKeyHex },
      },
      {
        id: 'offer', type: 'flaregrid-offer', z: 'tab', x: 200, y: 100, name: '', configVersion: 0, participant: 'alice-key', market: 'well-7',
        action: 'order', side: 'sell', orderType: 'limit', quantity: '1000', quantityType: 'num', price: '95000', priceType: 'num', minFillWh: '',
        window: 'next-slot', slotMinutes: 15, slotAt: 'deliveryAt', slotAtType: 'msg', deliveryStart: '', deliveryEnd: '', expiresAfterS: 600, wires: [['to-file']],
      },
      { id: 'go', type: 'inject', z: 'tab', x: 50, y: 100, name: '', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', crontab: '', once: true, onceDelay: 0.1, topic: '', wires: [['offer']] },
      {
        id: 'to-file', type: 'file', z: 'tab', x: 400, y: 100, name: '', filename: join(userDir, 'order.json'), filenameType: 'str', appendNewline: false,
        createDir: false, overwriteFile: 'true', encoding: 'none', wires: [[]],
      },
    ];
    const deployed = await api('/flows', { method: 'POST', headers: { 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify({ flows }) });
    assert.equal(deployed.status, 200, await deployed.text());

    const flowFile = readFileSync(join(userDir, 'flows.json'), 'utf8');
    assert.ok(flowFile.includes(key.publicKeyHex), 'the public key is in the flow: it is not secret');
    assert.ok(!flowFile.includes(key.privateKeyHex), 'flows.json holds no private key');
    const credentialFile = readFileSync(join(userDir, 'flows_cred.json'), 'utf8');
    assert.ok(!credentialFile.includes(key.privateKeyHex), 'flows_cred.json holds it encrypted');
    assert.match(credentialFile, /^\{"\$":"[0-9a-f]+/, 'encrypted with the credential secret');

    const exported = await (await api('/flows')).text();
    assert.ok(!exported.includes(key.privateKeyHex), 'GET /flows does not hand it back');
    const credentials = (await (await api('/credentials/flaregrid-participant/alice-key')).json()) as Record<string, unknown>;
    assert.deepEqual(credentials, { has_privateKey: true }, 'the editor learns only that there is one');

    // the runtime signs with it: the offer's order, written to a file by a core file node, carries alice's signature
    const order = await until(() => JSON.parse(readFileSync(join(userDir, 'order.json'), 'utf8')) as Record<string, unknown> & { participant: string });
    assert.ok(new ParticipantRegistry([{ id: 'alice', publicKey: key.publicKeyHex }]).verify(order), 'signed with the stored key');
    const derived = (await (await api('/flaregrid-participant/public-key', { method: 'POST', body: JSON.stringify({ privateKey: key.privateKeyHex }) })).json()) as { publicKey: string };
    assert.equal(derived.publicKey, key.publicKeyHex);
    assert.ok(!red.output().includes(key.privateKeyHex), 'the log does not show it');
  });
});
