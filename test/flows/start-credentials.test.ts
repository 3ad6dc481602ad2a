// The credentials file npm start gives a fresh user dir; that Node-RED then loads it without a warning is
// checked end to end in start.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialFileName, ensureCredentialFile } from '../../scripts/start-credentials';

describe('npm start: the credentials file of a fresh user dir', () => {
  let userDir: string;
  beforeEach(() => (userDir = mkdtempSync(join(tmpdir(), 'flaregrid-cred-'))));
  afterEach(() => rmSync(userDir, { recursive: true, force: true }));

  it('is named after the flow file, as Node-RED names it', () => {
    assert.equal(credentialFileName('flows.json'), 'flows_cred.json');
    assert.equal(credentialFileName('site.json'), 'site_cred.json');
  });

  it('is written once, encrypted (an IV and cipher text under "$"), and differs for each user dir', () => {
    const path = ensureCredentialFile(userDir, 'flows.json', 'secret');
    assert.equal(path, join(userDir, 'flows_cred.json'));
    const written = JSON.parse(readFileSync(path!, 'utf8')) as { $: string };
    assert.deepEqual(Object.keys(written), ['$']);
    assert.match(written.$, /^[0-9a-f]{32}[A-Za-z0-9+/=]+$/);
    const other = mkdtempSync(join(tmpdir(), 'flaregrid-cred-'));
    try {
      const again = JSON.parse(readFileSync(ensureCredentialFile(other, 'flows.json', 'secret')!, 'utf8')) as { $: string };
      assert.notEqual(again.$.slice(0, 32), written.$.slice(0, 32), 'a fresh IV each time');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('never touches credentials that are there', () => {
    const path = join(userDir, 'flows_cred.json');
    writeFileSync(path, '{"$":"an engineer\'s credentials"}');
    assert.equal(ensureCredentialFile(userDir, 'flows.json', 'secret'), undefined);
    assert.equal(readFileSync(path, 'utf8'), '{"$":"an engineer\'s credentials"}');
  });
});
