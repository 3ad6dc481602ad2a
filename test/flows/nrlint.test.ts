// Every shipped flow (examples/ and flows/) passes nrlint with the project's .nrlintrc.js. An example is
// linted as the editor holds it after an import: on a tab.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const NRLINT = join(ROOT, 'node_modules', 'nrlint', 'bin', 'nrlint.js');

function flowFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return flowFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

describe('nrlint over the shipped flows', () => {
  const files = [...flowFiles(join(ROOT, 'examples')), ...flowFiles(join(ROOT, 'flows'))];
  let workDir: string;
  before(() => (workDir = mkdtempSync(join(tmpdir(), 'flaregrid-nrlint-'))));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('finds the example of every node', () => {
    const examples = files.filter((f) => f.includes(`${join(ROOT, 'examples')}`)).map((f) => relative(ROOT, f));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-meter/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-balance/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-dispatch/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-miner/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-pay-stream/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-pay-gate/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-offer/')), examples.join(', '));
    assert.ok(examples.some((f) => f.startsWith('examples/flaregrid-matcher/')), examples.join(', '));
  });

  for (const file of files) {
    it(`lints ${relative(ROOT, file)} clean`, () => {
      const flow = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
      const onTab = flow.some((n) => n.type === 'tab')
        ? flow
        : [{ id: 'nrlint-tab', type: 'tab', label: 'import' }, ...flow.map((n) => ('x' in n ? { ...n, z: 'nrlint-tab' } : n))];
      const target = join(workDir, 'flow.json');
      writeFileSync(target, JSON.stringify(onTab));
      let output: string;
      try {
        output = execFileSync(process.execPath, [NRLINT, '-c', join(ROOT, '.nrlintrc.js'), '-f', 'json', target], { encoding: 'utf8' });
      } catch (err) {
        output = String((err as { stdout?: string }).stdout ?? err);
      }
      assert.deepEqual(JSON.parse(output), [], output);
    });
  }
});
