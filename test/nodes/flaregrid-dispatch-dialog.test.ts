// The edit dialog, its labels and its help keep every dispatch parameter of lib/control/dispatch/params.ts with
// the same default, range and unit: the dialog is plain browser JavaScript and cannot import the table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NUMERIC_PARAMS } from '../../lib/control/dispatch';

const ROOT = join(__dirname, '..', '..', '..');
const NODE = join(ROOT, 'nodes', 'flaregrid-dispatch');
const editor = readFileSync(join(NODE, 'flaregrid-dispatch.html'), 'utf8');
const help = readFileSync(join(NODE, 'locales', 'en-US', 'flaregrid-dispatch.html'), 'utf8');
const catalogue = JSON.parse(readFileSync(join(NODE, 'locales', 'en-US', 'flaregrid-dispatch.json'), 'utf8'))['flaregrid-dispatch'];

const number = (text: string) => Number(text.replace(/,/g, ''));

describe('flaregrid-dispatch dialog and help', () => {
  for (const p of NUMERIC_PARAMS) {
    it(`${p.key}: default ${p.default} ${p.unit}, range and validator as in params.ts, a label with its unit, a help row`, () => {
      const field = new RegExp(`\\b${p.key}: \\{ value: ([^,]+), required: true, validate: FlareGridEditor\\.(range|above|wholeRange)\\(ns, ([^,]+), ([^)]+)\\) \\}`).exec(editor);
      assert.ok(field, `the dialog has a validated ${p.key} field`);
      const [, value, kind, min, max] = field;
      assert.equal(Number(value), p.default);
      assert.equal(kind, p.integer ? 'wholeRange' : p.exclusiveMin ? 'above' : 'range');
      assert.deepEqual([Number(min), Number(max)], [p.min, p.max]);
      assert.ok(new RegExp(`id="node-input-${p.key}"`).test(editor), 'an input in the template');
      const label: string = catalogue.label[p.key];
      assert.ok(label, 'a label in the catalogue');
      if (p.unit.startsWith('%')) assert.match(label, /%/);
      else if (p.unit) assert.ok(label.includes(`(${p.unit})`), `${label} says ${p.unit}`);
      const row = new RegExp(`<tr><td><code>${p.key}</code></td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>`).exec(help);
      assert.ok(row, 'a row in the help\'s parameter table');
      assert.equal(row[1], label);
      assert.equal(row[2], p.unit || '–');
      assert.equal(number(row[3]!), p.default);
    });
  }

  it('has the enums and the switch, and a section heading for each group', () => {
    for (const key of ['priorityMode', 'timerMode', 'economicMode', 'site', 'miners', 'priorities']) {
      assert.ok(new RegExp(`id="node-input-${key}"`).test(editor), key);
      assert.ok(catalogue.label[key], key);
    }
    for (const section of Object.keys(catalogue.section)) assert.ok(editor.includes(`flaregrid-dispatch.section.${section}`), section);
    assert.match(help, /^<script type="text\/html" data-help-name="flaregrid-dispatch">\n  <p>[^<]+<\/p>/, 'the first paragraph is the palette tooltip');
    assert.equal(Object.keys(catalogue.outputLabels).length, 3);
  });
});
