/// <reference lib="dom" />
// The editor as an integrator sees it, in headless Chromium: the palette category, the meter's edit dialog
// with the profile list from the runtime, the custom profile table and its check, field validation, and help.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openEditor, type Editor } from '../support/browser';

const SCREENSHOTS = join(__dirname, '..', '..', 'screenshots');

const FLOW = [
  { id: 'tab', type: 'tab', label: 'editor test' },
  {
    id: 'meter1', type: 'flaregrid-meter', z: 'tab', name: '', meterId: 'prosumer-1', role: 'prosumer', profile: 'flaregrid-pm1',
    customProfile: '', unitId: 21, pollIntervalS: 3600, staleAfterS: 5, invert: false, maxRegistersPerRead: 125, contextStore: '',
    x: 200, y: 100, wires: [['balance1'], []],
  },
  {
    id: 'balance1', type: 'flaregrid-balance', z: 'tab', name: '', site: 'well-7', reserveKw: 20, reservePct: 5, staleAfterS: 5,
    imbalanceKw: 2, imbalancePct: 3, minIntervalS: 1, heartbeatS: 10, expectedMeters: '', x: 420, y: 100, wires: [[]],
  },
];

describe('the editor in headless Chromium', function () {
  this.timeout(90000);
  let editor: Editor;
  let page: Page;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    editor = await openEditor({ flows: FLOW });
    page = editor.page;
  });
  afterEach(() => editor.errors.assertNone());
  after(async () => {
    await editor?.close();
  });

  it('shows both nodes in the flaregrid palette category, with their labels', async () => {
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="flaregrid-meter"]');
    const category = await page.$eval('.red-ui-palette-node[data-palette-type="flaregrid-meter"]', (el) =>
      el.closest('.red-ui-palette-category')?.id,
    );
    assert.equal(category, 'red-ui-palette-container-flaregrid');
    assert.ok(await page.$('#red-ui-palette-container-flaregrid .red-ui-palette-node[data-palette-type="flaregrid-balance"]'));
    assert.equal(await page.$eval('.red-ui-palette-node[data-palette-type="flaregrid-meter"] .red-ui-palette-label', (el) => el.textContent?.trim()), 'meter');
  });

  it('lists the built-in profiles from the runtime in the meter dialog', async () => {
    await page.evaluate(() => (window as any).RED.editor.edit((window as any).RED.nodes.node('meter1')));
    await page.waitForFunction(() => document.querySelectorAll('#node-input-profile option').length > 2);
    const profiles = await page.$$eval('#node-input-profile option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    for (const id of ['flaregrid-gc1', 'flaregrid-pm1', 'flaregrid-bm1', 'sunspec-meter', 'eastron-sdm630', 'custom']) {
      assert.ok(profiles.includes(id), `${id} in ${profiles.join(', ')}`);
    }
    assert.equal(await page.$eval('#node-input-profile', (el) => (el as HTMLSelectElement).value), 'flaregrid-pm1');
    assert.equal(await page.isVisible('.flaregrid-meter-custom'), false, 'the custom table stays hidden for a built-in profile');
    await page.screenshot({ path: join(SCREENSHOTS, 'meter-dialog.png') });
  });

  it('marks a meter id with spaces as invalid', async () => {
    // Typing, as a person does: the editor validates on every key.
    const invalid = (selector: string) => page.$eval(selector, (el) => el.classList.contains('input-error'));
    await page.fill('#node-input-meterId', '');
    await page.type('#node-input-meterId', 'prosumer 1!');
    assert.ok(await invalid('#node-input-meterId'), 'a meter id with a space and a ! is refused');
    await page.fill('#node-input-meterId', '');
    await page.type('#node-input-meterId', 'prosumer-1');
    assert.equal(await invalid('#node-input-meterId'), false);
    await page.fill('#node-input-unitId', '');
    await page.type('#node-input-unitId', '300');
    assert.ok(await invalid('#node-input-unitId'), 'unit id 300 is out of the Modbus range');
    await page.fill('#node-input-unitId', '');
    await page.type('#node-input-unitId', '21');
    assert.equal(await invalid('#node-input-unitId'), false);
  });

  it('checks a custom profile table against the schema and shows the reason when it is wrong', async () => {
    await page.selectOption('#node-input-profile', 'custom');
    assert.ok(await page.isVisible('.flaregrid-meter-custom'));
    await page.waitForFunction(() => document.querySelectorAll('#node-input-custom-base option').length > 1);
    await page.selectOption('#node-input-custom-base', 'flaregrid-gc1');
    const rows = await page.$$eval('#node-input-register-container li', (items) => items.length);
    assert.ok(rows >= 8, `the FG-GC1 registers fill the table (${rows} rows)`);
    await page.click('#node-input-custom-check');
    await page.waitForFunction(() => (document.querySelector('#node-input-custom-result')?.textContent ?? '') !== '');
    assert.equal(await page.textContent('#node-input-custom-result'), 'The profile is valid.');

    // A scale-factor register that does not exist in the table.
    await page.fill('#node-input-register-container li:first-child .r-sf', 'NoSuchRegister');
    await page.click('#node-input-custom-check');
    await page.waitForFunction(() => document.querySelector('#node-input-custom-result')?.classList.contains('flaregrid-meter-error'));
    const reason = (await page.textContent('#node-input-custom-result')) ?? '';
    assert.match(reason, /NoSuchRegister/);
    await page.$eval('#node-input-custom-result', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(SCREENSHOTS, 'meter-custom-profile.png') });
    await page.evaluate(() => (window as any).RED.tray.close());
  });

  it('shows the help in the sidebar with Inputs, Outputs and Details', async () => {
    const helpText = () => Array.from(document.querySelectorAll('.red-ui-help')).map((e) => e.textContent).join(' ');
    await page.evaluate(() => (window as any).RED.sidebar.help.show('flaregrid-meter'));
    await page.waitForFunction(`(${helpText.toString()})().includes('Modbus read requests')`);
    const help = await page.evaluate(`(${helpText.toString()})()`) as string;
    for (const section of ['Inputs', 'Outputs', 'Details', 'MeterReading']) assert.match(help, new RegExp(section));
    await page.screenshot({ path: join(SCREENSHOTS, 'meter-help.png') });
    await page.evaluate(() => (window as any).RED.sidebar.help.show('flaregrid-balance'));
    await page.waitForFunction(`(${helpText.toString()})().includes('SiteBalance')`);
  });
});
