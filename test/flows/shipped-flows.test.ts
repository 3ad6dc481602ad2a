// The shipped flows (flows/ and examples/) as an integrator reads them: in step with scripts/flows/, laid out
// left to right in groups without overlaps (an example dropped onto the user's tab has its comment above them),
// a comment on every tab, no secret, no dashboard node in a control flow, and every ${...} one the site settings
// or npm start define.

import assert from 'node:assert/strict';
import { shippedFlows, type ShippedFlow } from '../../scripts/flows';
import { nodeBox, type Box, type FlowNode } from '../../scripts/flows/kit';
import { PROCESS_ENV, SITE_VARIABLES } from '../../scripts/flows/site';
import { staleFlowFiles } from '../../scripts/write-flows';
import { mergeFlowFiles } from '../../scripts/start-flows';

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const onTab = (n: FlowNode) => typeof n.z === 'string' && n.type !== 'group' && n.type !== 'tab';
const label = (n: FlowNode) => `${n.type} ${String(n.name || n.label || n.id)}`;

describe('the shipped flows', () => {
  const files = shippedFlows();

  it('are in the tree as scripts/flows/ writes them (npm run flows)', () => {
    assert.deepEqual(staleFlowFiles(), []);
  });

  it('use every node id once across all files', () => {
    assert.doesNotThrow(() => mergeFlowFiles(files.filter((f) => f.path.startsWith('flows/')).map((f) => ({ name: f.path, nodes: f.nodes }))));
  });

  for (const file of files) {
    describe(file.path, () => {
      const nodes = file.nodes;
      const tabs = nodes.filter((n) => n.type === 'tab');

      it('has a comment on every tab that says what it does', () => {
        if (tabs.length === 0 && file.tabs.length > 0) {
          assert.ok(nodes.some((n) => n.type === 'comment' && String(n.info ?? '').length > 80), 'the example has a comment with an explanation');
        }
        for (const tab of tabs) {
          const comment = nodes.find((n) => n.type === 'comment' && n.z === tab.id);
          assert.ok(comment && String(comment.info ?? '').length > 80, `tab ${String(tab.label)} has a comment with an explanation`);
        }
      });

      // An example without a tab is dropped onto the user's tab, hung on the pointer by its first node.
      const dropped = file.path.startsWith('examples/') && tabs.length === 0;

      if (dropped) {
        it('starts with its comment, above every group and in none, so that the click that drops it lands off a group', () => {
          const tab = file.tabs[0];
          const first = tab.nodes().filter(onTab)[0];
          assert.equal(first.type, 'comment');
          assert.equal(first.g, undefined, 'the comment is in no group');
          for (const g of tab.nodes().filter((n) => n.type === 'group')) {
            assert.ok(g.y! > nodeBox(first).bottom, `group ${String(g.name)} starts below the comment`);
          }
        });
      }

      it('puts every node in a group, and no group or node over another', () => {
        for (const tab of file.tabs) {
          const drawn = tab.nodes().filter(onTab);
          for (const n of drawn) assert.ok(n.g || (dropped && n === drawn[0]), `${label(n)} is in a group`);
          drawn.forEach((a, i) => {
            for (const b of drawn.slice(i + 1)) assert.ok(!overlaps(nodeBox(a), nodeBox(b)), `${label(a)} and ${label(b)} overlap`);
          });
          const groups = tab.nodes().filter((n) => n.type === 'group');
          const frame = (g: FlowNode): Box => ({ left: g.x!, top: g.y!, right: g.x! + g.w!, bottom: g.y! + g.h! });
          groups.forEach((a, i) => {
            for (const b of groups.slice(i + 1)) assert.ok(!overlaps(frame(a), frame(b)), `groups ${String(a.name)} and ${String(b.name)} overlap`);
          });
        }
      });

      it('reads left to right: every wire ends right of where it starts', () => {
        for (const tab of file.tabs) {
          const byId = new Map(tab.nodes().map((n) => [n.id, n]));
          for (const from of tab.nodes().filter(onTab)) {
            for (const to of (from.wires ?? []).flat().map((id) => byId.get(id))) {
              assert.ok(to, `${label(from)} is wired to a node on its tab`);
              assert.ok(nodeBox(to).left > nodeBox(from).right, `${label(from)} → ${label(to)} runs left to right`);
            }
          }
        }
      });

      it('holds no secret: no credentials, passwords, keys or macaroons', () => {
        const text = JSON.stringify(nodes);
        assert.ok(!nodes.some((n) => 'credentials' in n), 'no node carries credentials');
        assert.doesNotMatch(text, /"(password|passphrase|macaroon|privateKey|secret)"\s*:\s*"[^"$]/i);
        assert.doesNotMatch(text, /\b[0-9a-f]{64,}\b/i, 'no long hex string (a key or macaroon)');
      });

      it('reads only the site settings and the addresses npm start sets from the environment', () => {
        const known = new Set(SITE_VARIABLES.map((v) => v.name));
        const used = [...JSON.stringify(nodes).matchAll(/\$\{([^}]+)\}|\$env\(\\?"([^"\\]+)\\?"\)|env\.get\('([^']+)'\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
        for (const name of used) {
          assert.ok(known.has(name) || PROCESS_ENV.test(name) || /^NR_/.test(name), `${name} is a site setting or an address npm start sets`);
        }
      });
    });
  }

  it('keeps the dashboard in its own file: no control flow has a dashboard node', () => {
    const control = files.filter((f: ShippedFlow) => f.path.startsWith('flows/') && !f.nodes.some((n) => n.type === 'ui-base'));
    assert.ok(control.length >= 2, control.map((f) => f.path).join(', '));
    for (const file of control) assert.deepEqual(file.nodes.filter((n) => n.type.startsWith('ui-')).map(label), [], file.path);
  });
});
