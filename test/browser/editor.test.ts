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
    id: 'meter1', type: 'flaregrid-meter', z: 'tab', name: '', configVersion: 1, site: 'well-7', meterId: 'prosumer-1', role: 'prosumer', profile: 'flaregrid-pm1',
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

  it('shows the role list from the runtime without cutting off its labels', async () => {
    const roles = await page.$$eval('#node-input-role option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(roles, ['genset', 'bus', 'load', 'prosumer', 'miner', 'battery']);
    const fits = await page.$eval('#node-input-role', (el) => {
      const select = el as HTMLSelectElement;
      const probe = document.createElement('span');
      probe.style.font = getComputedStyle(select).font;
      probe.style.position = 'absolute';
      document.body.appendChild(probe);
      const widest = Math.max(...Array.from(select.options).map((o) => ((probe.textContent = o.text), probe.offsetWidth)));
      probe.remove();
      // the arrow and the padding take about 30 px
      return { widest, width: select.clientWidth };
    });
    assert.ok(fits.widest + 30 <= fits.width, `the longest role label (${fits.widest} px) fits the dropdown (${fits.width} px)`);
  });

  const checkResult = async () => {
    await page.evaluate(() => { document.querySelector('#node-input-custom-result')!.textContent = ''; });
    await page.click('#node-input-custom-check');
    await page.waitForFunction(() => (document.querySelector('#node-input-custom-result')?.textContent ?? '') !== '');
    return (await page.textContent('#node-input-custom-result')) ?? '';
  };

  it('starts a custom profile from every built-in profile, and each passes the check unchanged', async () => {
    await page.selectOption('#node-input-profile', 'custom');
    assert.ok(await page.isVisible('.flaregrid-meter-custom'));
    await page.waitForFunction(() => document.querySelectorAll('#node-input-custom-base option').length > 1);
    const bases = await page.$$eval('#node-input-custom-base option', (options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    assert.deepEqual(bases, ['flaregrid-gc1', 'flaregrid-pm1', 'flaregrid-bm1', 'sunspec-meter', 'eastron-sdm630']);
    const builtins = await page.evaluate(() => fetch('flaregrid-meter/profiles').then((r) => r.json()));
    for (const base of bases) {
      await page.selectOption('#node-input-custom-base', base);
      const table = await page.evaluate(() => (window as any).RED.nodes.node('meter1')._flaregridTableToProfile());
      const builtin = builtins.find((p: { id: string }) => p.id === base).profile;
      // Everything the built-in has comes back out of the table: labels, ranges, words, not-implemented values.
      assert.deepEqual(table, { ...builtin, id: `${base}-custom`, name: `${builtin.name} (custom)` }, base);
      assert.equal(await checkResult(), 'The profile is valid.', base);
    }
  });

  it('checks a profile built from scratch, with the header fields the dialog shows', async () => {
    await page.evaluate(() => (window as any).$('#node-input-register-container').editableList('empty'));
    await page.evaluate(() => (window as any).$('#node-input-register-container').editableList('addItem', {}));
    const row = '#node-input-register-container li:first-child';
    await page.fill(`${row} [data-key="name"]`, 'P');
    await page.fill(`${row} [data-key="address"]`, '0');
    await page.selectOption(`${row} [data-key="fc"]`, '3');
    await page.selectOption(`${row} [data-key="type"]`, 's16');
    await page.fill(`${row} [data-key="scale"]`, '1');
    await page.fill(`${row} [data-key="unit"]`, 'W');
    await page.selectOption(`${row} [data-key="field"]`, 'powerW');
    for (const key of ['manufacturer', 'model', 'source', 'kind']) {
      assert.notEqual(await page.$eval(`#node-input-custom-header [data-key="${key}"]`, (el) => (el as HTMLInputElement).value), '', `${key} has a visible value`);
    }
    assert.equal(await checkResult(), 'The profile is valid.');
  });

  it('checks a custom profile table against the schema and shows the reason when it is wrong', async () => {
    await page.selectOption('#node-input-custom-base', 'flaregrid-gc1');
    const rows = await page.$$eval('#node-input-register-container li', (items) => items.length);
    assert.ok(rows >= 8, `the FG-GC1 registers fill the table (${rows} rows)`);

    // A scale-factor register that does not exist in the table.
    await page.fill('#node-input-register-container li:first-child [data-key="scaleFactorRegister"]', 'NoSuchRegister');
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
