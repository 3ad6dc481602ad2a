// The published forms of the contracts (schemas/*.schema.json, docs/contracts.md) are generated from lib/schemas
// by `npm run schemas`; this keeps the committed copies equal to what the source generates today.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractsMarkdown, schemaFiles } from '../../../scripts/contract-docs';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('published contracts', () => {
  it('schemas/ holds exactly the generated JSON Schemas, byte for byte (run npm run schemas after a contract change)', () => {
    const generated = schemaFiles();
    assert.deepEqual(readdirSync(join(ROOT, 'schemas')).sort(), [...generated.keys()].sort());
    for (const [name, text] of generated) assert.equal(readFileSync(join(ROOT, 'schemas', name), 'utf8'), text, `schemas/${name} is stale`);
  });

  it('docs/contracts.md is the generated contract page (run npm run schemas after a contract change)', () => {
    assert.equal(readFileSync(join(ROOT, 'docs', 'contracts.md'), 'utf8'), contractsMarkdown());
  });
});
