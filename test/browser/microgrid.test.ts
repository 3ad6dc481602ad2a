/// <reference lib="dom" />
// The microgrid as `npm start` brings it up, seen in headless Chromium: every FlareGrid node of the reference
// flows turns green in the editor, and the dashboard's pages show live figures. Screenshots of each go to
// dist/screenshots.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, PageErrors } from '../support/browser';
import { startMicrogrid, type Microgrid } from '../support/microgrid';

const SCREENSHOTS = join(__dirname, '..', '..', 'screenshots');
/** from the editor's first load, wall time: meters answer in seconds, 180 miners are read within two polls */
const GREEN_WITHIN_MS = 45_000;

describe('the reference microgrid in the browser', function () {
  this.timeout(180_000);
  let grid: Microgrid;
  let browser: Browser;
  let page: Page;
  let errors: PageErrors;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    grid = await startMicrogrid();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = new PageErrors(page);
  });
  afterEach(() => errors.assertNone());
  after(async () => {
    await browser?.close();
    await grid?.stop();
  });

  it(`shows every FlareGrid node of the reference flows green within ${GREEN_WITHIN_MS / 1000} s`, async () => {
    await page.goto(`${grid.editorUrl}/`);
    await page.waitForFunction(() => (window as any).RED?.workspaces?.count() > 0, undefined, { timeout: 30_000 });
    const statuses = () =>
      page.evaluate(() => {
        const all: { type: string; name: string; fill?: string; text?: string }[] = [];
        (window as any).RED.nodes.eachNode((n: any) => {
          if (n.type.startsWith('flaregrid-')) all.push({ type: n.type, name: n.name || n.meterId || n.id, fill: n.status?.fill, text: n.status?.text });
        });
        return all;
      });
    const startedAt = Date.now();
    let last = await statuses();
    while (Date.now() - startedAt < GREEN_WITHIN_MS && !last.every((s) => s.fill === 'green')) {
      await page.waitForTimeout(500);
      last = await statuses();
    }
    console.log(`      every FlareGrid node green ${Date.now() - startedAt} ms after the editor loaded (${last.length} nodes)`);
    assert.ok(last.length >= 12, `${last.length} FlareGrid nodes`);
    assert.deepEqual(last.filter((s) => s.fill !== 'green').map((s) => `${s.type} ${s.name}: ${s.fill} ${s.text}`), []);
    await page.screenshot({ path: join(SCREENSHOTS, 'editor-site-control.png') });
  });

  it('shows the plant live on the dashboard: capacity, gas use, flare, CO2e avoided, bus and gensets', async () => {
    await page.goto(`${grid.dashboardUrl}/plant`);
    const value = (label: string) =>
      page.evaluate((l) => {
        const rows = Array.from(document.querySelectorAll('.nrdb-ui-text'));
        const row = rows.find((r) => r.textContent?.includes(l));
        return row?.querySelector('.nrdb-ui-text-value')?.textContent?.trim() ?? '';
      }, label);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.nrdb-ui-text-value')).some((v) => /Mcf\/d/.test(v.textContent ?? '')), undefined, { timeout: 30_000 });
    assert.match(await value('Flare rate'), /^\d+\.\d Mcf\/d \(\d+\.\d scfm\)$/);
    assert.match(await value('CO2e avoided'), /^\d+\.\d{3} t CO2e$/);
    assert.match(await value('Avoiding now'), /^\d+\.\d{2} t CO2e\/day$/);
    // Charts draw on canvases once their first points are in; the gauges show their value as text.
    await page.waitForFunction(() => document.querySelectorAll('.nrdb-ui-chart canvas').length >= 4, undefined, { timeout: 30_000 });
    const gauges = await page.$$eval('.nrdb-ui-gauge', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(gauges.some((g) => /^Bus voltage.*3[6-9]\d\.\dV$/.test(g)), `bus voltage gauge: ${gauges.join(' | ')}`);
    await page.waitForTimeout(6000);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-plant.png'), fullPage: true });
  });

  it('shows every miner live on the dashboard: per group, per miner, hashrate and sats', async () => {
    await page.goto(`${grid.dashboardUrl}/miners`);
    await page.waitForFunction(() => /of 180 hashing/.test(document.body.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('.nrdb-ui-table tbody tr').length >= 10, undefined, { timeout: 30_000 });
    const first = await page.$eval('.nrdb-ui-table tbody tr', (tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim()));
    assert.equal(first[0], 'miner-1');
    assert.equal(first[1], 'container 1');
    assert.match(String(first[5]), /^\d+ TH\/s$/);
    assert.match((await page.textContent('body')) ?? '', /\d+\.\d\d PH\/s/);
    await page.waitForTimeout(6000);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-miners.png'), fullPage: true });
  });
});
