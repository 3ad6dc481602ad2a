/// <reference lib="dom" />
// The meter's example as a newcomer meets it: imported from Import > Examples into the editor, deployed
// against the running simulator, and the editor loaded again while it runs, without an error in the page.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startPlant, type RunningPlant } from '../../sim';
import { openEditor, type Editor } from '../support/browser';

const EXAMPLE = ['@flaregrid/node-red-microgrid', 'flaregrid-meter', "Read the simulator's meters"];
const EXAMPLE_FILE = join(__dirname, '..', '..', '..', 'examples', 'flaregrid-meter', "Read the simulator's meters.json");
// The debug node of each meter, in the example's order: genset-1, bus-main, prosumer-1, miners.
const READING_DEBUG_IDS = ['genset-1', 'bus-main', 'prosumer-1', 'miners'].map((meterId) => {
  const nodes = JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8')) as { id: string; type: string; name?: string }[];
  return nodes.find((n) => n.type === 'debug' && n.name === `${meterId} reading`)!.id;
});
// Long enough for several polls of the example's four meters to reach the page before its flows do.
const SLOW_FLOWS_MS = 2500;

describe('the meter example in the editor, against the simulator', function () {
  this.timeout(90000);
  let plant: RunningPlant;
  let editor: Editor;
  let page: Page;

  before(async () => {
    plant = await startPlant({ realtime: true, seed: 5 });
    plant.setMinerSlotPowerW(0, 20_000);
    editor = await openEditor({ env: { FLAREGRID_MODBUS_HOST: '127.0.0.1', FLAREGRID_MODBUS_PORT: String(plant.modbusPort) } });
    page = editor.page;
  });
  afterEach(() => editor.errors.assertNone());
  after(async () => {
    await editor?.close();
    await plant?.stop();
  });

  /** The status text of each reading debug node: the example shows each meter's powerW there. */
  const readingStatuses = (): Promise<(string | undefined)[]> =>
    page.evaluate((ids) => ids.map((id) => (window as any).RED.nodes.node(id)?.status?.text as string | undefined), READING_DEBUG_IDS);

  it('imports the example from Import > Examples, deploys it and shows every meter\'s power', async () => {
    await page.evaluate(() => (window as any).RED.actions.invoke('core:show-examples-import-dialog'));
    for (const label of EXAMPLE) {
      await page.locator('#red-ui-clipboard-dialog .red-ui-treeList-label', { hasText: label }).first().click();
    }
    await page.click('#red-ui-clipboard-dialog-ok');
    // The dialog fetches the example, then the imported nodes follow the pointer until a click drops them.
    await page.waitForFunction((ids) => ids.every((id) => (window as any).RED.nodes.node(id) !== undefined), READING_DEBUG_IDS);
    await page.mouse.move(600, 500);
    await page.mouse.click(600, 500);
    await page.waitForFunction(() => (window as any).RED.nodes.dirty() === true);
    await page.click('#red-ui-header-button-deploy');
    await page.waitForFunction(() => (window as any).RED.nodes.dirty() === false);

    await page.waitForFunction(
      (ids) => ids.every((id) => /^-?\d+(\.\d+)?$/.test((window as any).RED.nodes.node(id)?.status?.text ?? '')),
      READING_DEBUG_IDS,
      { timeout: 20_000 },
    );
    const powers = (await readingStatuses()).map(Number);
    assert.ok(powers[0] > 0, `genset-1 feeds the bus: ${powers[0]} W`);
    assert.ok(powers[3] < 0, `the miners draw from it: ${powers[3]} W`);
  });

  it('loads the editor again while the example runs, even when the flows arrive late', async () => {
    // The editor subscribes to the Debug sidebar's messages before it has loaded the flows; a message that
    // arrives in between names a flow the editor does not know yet, and Node-RED's sidebar then throws
    // "Cannot read properties of undefined (reading 'label')". Holding the flows back makes that window wide.
    const flowsRequest = (url: URL): boolean => url.pathname === '/flows';
    await page.route(flowsRequest, async (route) => {
      if (route.request().method() === 'GET') await new Promise((resolve) => setTimeout(resolve, SLOW_FLOWS_MS));
      await route.continue();
    });
    try {
      await editor.load();
      await page.waitForTimeout(1000);
    } finally {
      await page.unroute(flowsRequest);
    }
    assert.ok((await readingStatuses()).every((text) => text !== undefined), 'the running example shows its status again');
  });
});
