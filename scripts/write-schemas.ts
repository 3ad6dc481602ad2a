// `npm run schemas`: writes the published JSON Schemas (schemas/) and the contract page (docs/contracts.md) from
// lib/schemas. Commit what it writes; a test fails while the committed copies differ from the source.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contractsMarkdown, schemaFiles } from './contract-docs';

const root = resolve(__dirname, '..', '..');
const schemasDir = join(root, 'schemas');
mkdirSync(schemasDir, { recursive: true });
const files = schemaFiles();
for (const name of readdirSync(schemasDir)) if (!files.has(name)) rmSync(join(schemasDir, name));
for (const [name, text] of files) writeFileSync(join(schemasDir, name), text);
mkdirSync(join(root, 'docs'), { recursive: true });
writeFileSync(join(root, 'docs', 'contracts.md'), contractsMarkdown());
console.log(`wrote ${files.size} schemas to schemas/ and docs/contracts.md`);
