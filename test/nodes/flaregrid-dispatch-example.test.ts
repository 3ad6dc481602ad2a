// The dispatch example flow, as Import > Examples brings it in, on the real runtime and wall time: the miners are
// woken into the surplus, a gas dip sheds them, and a pin outside a miner's limits is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import type { PowerTarget } from '../../lib/schemas';

const NODES = [
  require('../../nodes/flaregrid-dispatch/flaregrid-dispatch'),
  require('@node-red/nodes/core/common/20-inject'),
  require('@node-red/nodes/core/common/25-catch'),
  require('@node-red/nodes/core/common/90-comment'),
  require('@node-red/nodes/core/function/10-function'),
  require('@node-red/nodes/core/function/15-change'),
];
const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'flaregrid-dispatch', 'Dispatch miners to the surplus.json');

describe('flaregrid-dispatch example flow', function () {
  this.timeout(40_000);
  after(async () => {
    await helper.unload();
  });

  it('wakes the three miners into the surplus, sheds them in a gas dip, and refuses a pin below a miner\'s minimum', async () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
    const idOf = (name: string) => String(example.find((n) => n.name === name)!.id);
    await helper.load(NODES, example.map((n) => (n.type === 'debug' ? { ...n, type: 'helper', wires: [] } : n)));
    const targets: PowerTarget[] = [];
    const errors: string[] = [];
    helper.getNode(idOf('PowerTarget')).on('input', (msg: { payload: PowerTarget }) => targets.push(msg.payload));
    helper.getNode(idOf('why')).on('input', (msg: { error: { message: string } }) => errors.push(msg.error.message));
    const until = async (what: string, accept: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!accept()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; targets ${JSON.stringify(targets.map((t) => [t.minerId, t.targetW]))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const press = (name: string) => helper.getNode(idOf(name)).receive({});

    // 67 kW of gas, 60 kW firm: 7 kW for the miners; after the 5 s enable delay all three wake.
    await until('three miners woken', () => new Set(targets.filter((t) => t.targetW > 0).map((t) => t.minerId)).size === 3);
    for (const t of targets) assert.match(t.reason, /^add: /);
    press('gas 62 kW (a dip)');
    await until('a shed', () => targets.some((t) => t.targetW === 0 && /^shed: /.test(t.reason)));
    press('pin miner-2 to 700 W (refused)');
    await until('the refusal', () => errors.length > 0);
    assert.match(errors[0]!, /target for miner-2 must be 0 or one of its limits \(1400 … 3500 W in 100 W steps\), got 700/);
  });
});
