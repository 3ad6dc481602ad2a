/// <reference lib="dom" />
// The market nodes' edit dialogs in headless Chromium: their lists come from the runtime's catalogue, a bad
// field turns red, and the participant's dialog gets a key pair from the runtime and shows its public part.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openEditor, type Editor } from '../support/browser';
import { matcherConfig } from '../support/market';

const FLOW = [
  { id: 'tab', type: 'tab', label: 'market editor test' },
  { id: 'alice-key', type: 'flaregrid-participant', name: '', configVersion: 0, participantId: 'alice', zone: '', payTo: '', publicKey: '' },
  {
    id: 'offer1', type: 'flaregrid-offer', z: 'tab', name: '', configVersion: 0, participant: 'alice-key', market: 'well-7', action: 'order', side: 'sell',
    orderType: 'limit', quantity: '1500', quantityType: 'num', price: '95000', priceType: 'num', minFillWh: '', window: 'next-slot', slotMinutes: 15,
    slotAt: 'deliveryAt', slotAtType: 'msg', deliveryStart: '', deliveryEnd: '', expiresAfterS: 600, x: 200, y: 100, wires: [['matcher1']],
  },
  { id: 'matcher1', z: 'tab', x: 420, y: 100, name: '', configVersion: 0, ...matcherConfig('', []), wires: [[], [], []] },
];

describe('the market nodes in the editor (headless Chromium)', function () {
  this.timeout(90000);
  let editor: Editor;
  let page: Page;

  before(async () => {
    editor = await openEditor({ flows: FLOW as never });
    page = editor.page;
  });
  afterEach(async () => {
    await page.evaluate(() => (window as any).RED.tray.close());
    editor.errors.assertNone();
  });
  after(async () => {
    await editor?.close();
  });

  const invalid = (selector: string) => page.$eval(selector, (el) => el.classList.contains('input-error'));
  const options = (selector: string) => page.$$eval(`${selector} option`, (list) => list.map((o) => [(o as HTMLOptionElement).value, o.textContent]));

  async function edit(id: string): Promise<void> {
    await page.evaluate((nodeId) => (window as any).RED.editor.edit((window as any).RED.nodes.node(nodeId)), id);
    await page.waitForSelector('.red-ui-tray-body');
  }

  it('puts the offer and the matcher in the flaregrid palette category', async () => {
    for (const type of ['flaregrid-offer', 'flaregrid-matcher']) {
      const category = await page.$eval(`.red-ui-palette-node[data-palette-type="${type}"]`, (el) => el.closest('.red-ui-palette-category')?.id);
      assert.equal(category, 'red-ui-palette-container-flaregrid', type);
    }
  });

  it("fills the offer's lists from the runtime and marks a fractional quantity red", async () => {
    await edit('offer1');
    await page.waitForFunction(() => document.querySelectorAll('#node-input-orderType option').length === 4);
    assert.deepEqual((await options('#node-input-side')).map(([value]) => value), ['buy', 'sell']);
    assert.deepEqual((await options('#node-input-window')).map(([value]) => value), ['next-slot', 'slot-at', 'absolute']);
    assert.deepEqual(await options('#node-input-orderType'), [
      ['limit', 'limit: rests on the book'], ['ioc', 'immediate or cancel'], ['fok', 'fill or kill'], ['post-only', 'post only: never takes'],
    ]);
    assert.equal(await page.$eval('#node-input-side', (el) => (el as HTMLSelectElement).value), 'sell');
    await page.evaluate(() => (window as any).$('#node-input-quantity').typedInput('value', '1.5'));
    assert.ok(await invalid('#node-input-quantity'), 'a quantity of 1.5 Wh is refused');
    await page.evaluate(() => (window as any).$('#node-input-quantity').typedInput('value', '1500'));
    assert.equal(await invalid('#node-input-quantity'), false);
    await page.evaluate(() => (window as any).$('#node-input-price').typedInput('type', 'flow'));
    await page.evaluate(() => (window as any).$('#node-input-price').typedInput('value', 'sliderPrice'));
    assert.equal(await invalid('#node-input-price'), false, 'a price from flow context is checked when the offer runs');
    assert.equal(await page.isVisible('#node-input-deliveryStart'), false, 'no absolute window unless asked for');
    await page.selectOption('#node-input-window', 'absolute');
    assert.ok(await page.isVisible('#node-input-deliveryStart'));
    await page.fill('#node-input-deliveryStart', '');
    await page.type('#node-input-deliveryStart', 'tomorrow');
    assert.ok(await invalid('#node-input-deliveryStart'), 'not an ISO 8601 time');
  });

  it("fills the matcher's lists from the runtime and marks a cap below the floor and a broken registry red", async () => {
    await edit('matcher1');
    await page.waitForFunction(() => document.querySelectorAll('#node-input-selfTrade option').length === 3);
    assert.deepEqual((await options('#node-input-mode')).map(([value]) => value), ['continuous', 'auction']);
    assert.deepEqual(await options('#node-input-mechanism'), [['pay-as-clear', 'pay as clear (uniform price)'], ['trade-reduction', 'trade reduction (truthful)']]);
    assert.deepEqual((await options('#node-input-registrySource')).map(([value]) => value), ['config', 'file', 'msg']);
    await page.fill('#node-input-priceFloorMsatPerKwh', '2000');
    await page.fill('#node-input-priceCapMsatPerKwh', '');
    await page.type('#node-input-priceCapMsatPerKwh', '1000');
    assert.ok(await invalid('#node-input-priceCapMsatPerKwh'), 'a cap below the floor');
    await page.fill('#node-input-priceCapMsatPerKwh', '');
    await page.type('#node-input-priceCapMsatPerKwh', '1000000');
    assert.equal(await invalid('#node-input-priceCapMsatPerKwh'), false);
    await page.fill('#node-input-registry', '');
    await page.type('#node-input-registry', '[{"id": "bob"}]');
    assert.ok(await invalid('#node-input-registry'), 'a participant without a public key');
    await page.fill('#node-input-tickMsatPerKwh', '');
    await page.type('#node-input-tickMsatPerKwh', '0.5');
    assert.ok(await invalid('#node-input-tickMsatPerKwh'), 'a tick of half a msat');
  });

  it('generates a key pair in the participant dialog, shows the public key and the registry entry, and checks payTo', async () => {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'flaregrid-participant', 'alice-key'));
    await page.waitForSelector('#flaregrid-participant-generate');
    assert.equal(await page.isVisible('#flaregrid-participant-entry'), false, 'no entry without a key');
    await page.click('#flaregrid-participant-generate');
    await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.querySelector('#flaregrid-participant-public')?.textContent ?? ''));
    const publicKey = await page.$eval('#flaregrid-participant-public', (el) => el.textContent ?? '');
    assert.match(await page.$eval('#node-config-input-privateKey', (el) => (el as HTMLInputElement).value), /^[0-9a-f]{64}$/);
    assert.equal(await page.$eval('#node-config-input-privateKey', (el) => (el as HTMLInputElement).type), 'password', 'the key is not shown');
    assert.deepEqual(JSON.parse(await page.$eval('#flaregrid-participant-entry', (el) => el.textContent ?? '')), { id: 'alice', publicKey });
    await page.fill('#node-config-input-payTo', '');
    await page.type('#node-config-input-payTo', '04abc');
    assert.ok(await invalid('#node-config-input-payTo'), 'not a compressed Lightning node key');
  });
});
