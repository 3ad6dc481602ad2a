/// <reference lib="dom" />
// Every shipped flow in the editor, in headless Chromium: the palette holds every FlareGrid node in its category
// with its label and icon, and each file of flows/ and examples/ imports without an unknown node or an invalid
// field.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { shippedFlows } from '../../scripts/flows';
import { openEditor, type Editor } from '../support/browser';

const ROOT = join(__dirname, '..', '..', '..');
const TYPES = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);

describe('the shipped flows in the editor', function () {
  this.timeout(120_000);
  let editor: Editor;
  let page: Page;

  before(async () => {
    editor = await openEditor();
    page = editor.page;
  });
  afterEach(() => editor.errors.assertNone());
  after(async () => {
    await editor?.close();
  });

  it('shows every FlareGrid node in the flaregrid palette category, with its label and its own icon', async () => {
    const palette = await page.evaluate((types) => {
      const RED = (window as any).RED;
      return types.map((type: string) => {
        const def = RED.nodes.getType(type);
        const el = document.querySelector(`#red-ui-palette-container-flaregrid .red-ui-palette-node[data-palette-type="${type}"]`);
        return {
          type,
          category: def?.category,
          label: el?.querySelector('.red-ui-palette-label')?.textContent?.trim(),
          icon: (el?.querySelector('.red-ui-palette-icon') as HTMLElement | null)?.style.backgroundImage ?? '',
        };
      });
    }, TYPES);
    for (const node of palette) {
      if (node.category === 'config') continue;
      assert.equal(node.category, 'flaregrid', `${node.type} is in the flaregrid category`);
      assert.ok(node.label && node.label !== node.type && !node.label.includes('.'), `${node.type} has a palette label from its locale: ${node.label}`);
      assert.match(node.icon, new RegExp(`${node.type}\\.svg`), `${node.type} has its own icon`);
    }
    assert.ok(palette.filter((n) => n.category === 'flaregrid').length >= 3);
  });

  // flows/00-site.json holds the config nodes the other reference flows share: it is imported first and kept.
  const files = shippedFlows().sort((a, b) => Number(b.path.endsWith('00-site.json')) - Number(a.path.endsWith('00-site.json')));
  for (const file of files) {
    const keep = file.path.endsWith('00-site.json');
    it(`imports ${file.path} without an unknown node or an invalid field`, async () => {
      const result = await page.evaluate(([nodes, keep]) => {
        const RED = (window as any).RED;
        RED.view.importNodes(JSON.parse(JSON.stringify(nodes)), { addFlow: !nodes.some((n: { type: string }) => n.type === 'tab') });
        // Imported with their ids, except nodes on a tab the import made (an example without a tab of its own).
        const inFile = nodes.filter((n: any) => n.type !== 'tab' && n.type !== 'group');
        const found = inFile.map((n: any) => RED.nodes.node(n.id));
        // Config nodes are validated when the editor needs them; every node is validated here, as a deploy does.
        found.forEach((n: any) => n && RED.editor.validateNode(n));
        const problems = found
          .map((n: any, i: number) => (n ? n : { type: 'missing', name: inFile[i].id, _orig: inFile[i] }))
          .filter((n: any) => n.type === 'unknown' || n.type === 'missing' || n.valid === false)
          .map((n: any) => `${n.type === 'unknown' ? `unknown type ${n._orig?.type}` : n.type} ${n.name ?? n.id}: ${JSON.stringify(n.validationErrors ?? [])}`);
        if (!keep) {
          const tabs = new Set<string>(found.filter((n: any) => n && n.z).map((n: any) => n.z));
          for (const tab of tabs) RED.workspaces.delete(RED.nodes.workspace(tab));
          found.filter((n: any) => n && !n.z && RED.nodes.node(n.id)).forEach((n: any) => RED.nodes.remove(n.id));
        }
        return { problems };
      }, [file.nodes, keep] as const);
      assert.deepEqual(result.problems, [], `${file.path}: every node known and valid`);
    });
  }
});
