// `npm run market`: the auditor's command line, run as a child process on the compiled script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Market, ParticipantRegistry } from '../../../lib/market';
import { marketSettings, NOW, order, PAY_TO } from './fixtures';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'market.js');
const EXAMPLE = join(__dirname, '..', '..', 'fixtures', 'market', 'worked-example.json');

function run(...args: string[]): { code: number | null; json: Record<string, unknown>; stderr: string } {
  const child = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: child.status, json: child.stdout.trim() ? (JSON.parse(child.stdout) as Record<string, unknown>) : {}, stderr: child.stderr };
}

describe('market command line', () => {
  it('clear: the worked example clears at 49,000 msat/kWh with 1,000 Wh in four trades', () => {
    const { code, json } = run('clear', EXAMPLE);
    assert.equal(code, 0);
    const clearing = json.clearing as { priceMsatPerKwh: number; volumeWh: number; welfareMsat: number };
    assert.equal(clearing.priceMsatPerKwh, 49_000);
    assert.equal(clearing.volumeWh, 1_000);
    assert.equal(clearing.welfareMsat, 12_600);
    assert.equal((json.trades as unknown[]).length, 4);
    assert.deepEqual(json.rejects, []);
  });

  it('clear --mechanism trade-reduction reports the budget surplus', () => {
    const { code, json } = run('clear', EXAMPLE, '--mechanism', 'trade-reduction');
    assert.equal(code, 0);
    assert.equal((json.clearing as { budgetSurplusMsat: number }).budgetSurplusMsat, 1_400);
  });

  it('clear lists the orders it refuses, and exits 2 on a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flaregrid-market-cli-'));
    try {
      const file = join(dir, 'orders.json');
      const orders = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>[];
      writeFileSync(file, JSON.stringify([...orders, { ...orders[0], id: 'odd', nonce: 'odd-nonce-1', priceMsatPerKwh: 60_500 }]));
      const { json } = run('clear', file);
      assert.deepEqual((json.rejects as { reason: string }[]).map((r) => r.reason), ['off-tick']);
      writeFileSync(file, '[{');
      const broken = run('clear', file);
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /cannot be read as JSON/);
      assert.equal(run('audit').code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay: checks the chain and prints the state hash the market has; a changed byte fails it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flaregrid-market-cli-'));
    try {
      const market = await Market.open(marketSettings({ allowUnsigned: true }), { journalDir: dir, registry: new ParticipantRegistry() });
      await market.submit(order('sell', 100, 40_000, 'alice', { payTo: PAY_TO }), NOW);
      await market.submit(order('buy', 60, 50_000, 'bob'), NOW);
      const hash = market.stateHash();
      await market.close();
      const { code, json } = run('replay', dir);
      assert.equal(code, 0);
      assert.equal(json.stateHash, hash);
      assert.equal(json.openOrders, 1);
      const segment = join(dir, readdirSync(dir).find((f) => f.startsWith('segment-')) as string);
      writeFileSync(segment, readFileSync(segment, 'utf8').replace('"quantityWh":60', '"quantityWh":61'));
      const tampered = run('replay', dir);
      assert.equal(tampered.code, 1);
      assert.equal((tampered.json.problem as { code: string }).code, 'HASH_MISMATCH');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
