/// <reference lib="dom" />
// The microgrid as `npm start` brings it up, seen in headless Chromium: every FlareGrid node of the reference
// flows turns green in the editor, the dashboard's pages show live figures, and a Settings change reaches the
// running dispatch. The site is the reference one with the settings an integrator changes (00-site.json) set so
// that a few wall minutes hold trades, clearings and payments: speed-up 4, meters read every 2 s, 5-minute market
// slots with a 1-minute gate. Screenshots of each page go to dist/screenshots (and two to docs/img with
// FLAREGRID_SCREENSHOTS_TO_DOCS=1).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, PageErrors } from '../support/browser';
import { enterNumber, screenshot, tableRows, textValue, waitForRow, waitForText } from '../support/dashboard';
import { referenceFlowsWith, startMicrogrid, type Microgrid } from '../support/microgrid';

/** from the editor's first load, wall time: meters answer in seconds, 180 miners are read within two polls */
const GREEN_WITHIN_MS = 45_000;
const SPEEDUP = 4;
const SITE_CHANGES: Record<string, string> = { FLAREGRID_MARKET_SLOT_MIN: '5', FLAREGRID_MARKET_GATE_CLOSURE_S: '60', FLAREGRID_METER_POLL_S: '2' };
const wallMs = (plantMinutes: number) => (plantMinutes * 60_000) / SPEEDUP;
const kw = (text: string) => Number(/^(-?\d+(?:\.\d+)?) kW$/.exec(text)?.[1] ?? NaN);

describe('the reference microgrid in the browser', function () {
  this.timeout(420_000);
  let grid: Microgrid;
  let browser: Browser;
  let page: Page;
  let errors: PageErrors;
  let flowsDir: string;

  before(async () => {
    flowsDir = referenceFlowsWith(SITE_CHANGES);
    grid = await startMicrogrid({ speedup: SPEEDUP, seed: 3, env: { FLAREGRID_FLOWS_DIR: flowsDir } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = new PageErrors(page);
  });
  afterEach(function () {
    // A page that stops answering is most often npm start gone: its last words say why.
    if (this.currentTest?.state === 'failed') console.log(grid.output().split('\n').slice(-30).join('\n'));
    errors.assertNone();
  });
  after(async () => {
    await browser?.close();
    await grid?.stop();
    if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
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
    await screenshot(page, 'editor-site-control.png', { toDocs: true });
  });

  it('shows the plant live on the dashboard: capacity, gas use, flare, CO2e avoided, bus and gensets', async () => {
    await page.goto(`${grid.dashboardUrl}/plant`);
    const value = (label: string) => textValue(page, label);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.nrdb-ui-text-value')).some((v) => /Mcf\/d/.test(v.textContent ?? '')), undefined, { timeout: 30_000 });
    assert.match(await value('Flare rate'), /^\d+\.\d Mcf\/d \(\d+\.\d scfm\)$/);
    assert.match(await value('CO2e avoided'), /^\d+\.\d{3} t CO2e$/);
    assert.match(await value('Avoiding now'), /^\d+\.\d{2} t CO2e\/day$/);
    // Charts draw on canvases once their first points are in; the gauges show their value as text.
    await page.waitForFunction(() => document.querySelectorAll('.nrdb-ui-chart canvas').length >= 4, undefined, { timeout: 30_000 });
    const gauges = await page.$$eval('.nrdb-ui-gauge', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(gauges.some((g) => /^Bus voltage.*3[6-9]\d\.\dV$/.test(g)), `bus voltage gauge: ${gauges.join(' | ')}`);
    await page.waitForTimeout(6000);
    await screenshot(page, 'dashboard-plant.png', { fullPage: true, toDocs: true });
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
    await screenshot(page, 'dashboard-miners.png', { fullPage: true });
  });
  it('shows the market live: the book depth, every trade, prices over time and the welfare of a clearing', async () => {
    await page.goto(`${grid.dashboardUrl}/market`);
    const trade = await waitForRow(page, 'Trades, newest first', () => true, wallMs(6));
    assert.match(trade[0]!, /^\d\d:\d\d:\d\d$/, 'matched at');
    assert.match(trade[1]!, /^\d\d:\d\d–\d\d:\d\d$/, 'delivery slot');
    assert.match(trade[4]!, /^\d+\.\d\d kWh$/);
    assert.match(trade[5]!, /^\d+(\.\d)? sat\/kWh$/);
    assert.match(await textValue(page, 'Last price'), /^\d+(\.\d)? sat\/kWh$/);
    // A continuous market clears a slot at its gate closure: its welfare against the best any clearing could reach.
    await waitForText(page, 'Welfare of the last clearing', /^\d+\.\d sat of \d+\.\d sat possible \(\d+\.\d%\), \d+ trades, \d+\.\d\d kWh, slot \d\d:\d\d$/, wallMs(10));
    await page.waitForFunction(() => document.querySelectorAll('.nrdb-ui-chart canvas').length >= 2, undefined, { timeout: 30_000 });
    await page.waitForTimeout(3000);
    await screenshot(page, 'dashboard-market.png', { fullPage: true });
  });

  it('shows the payments live: streams paid against delivered, receipts, and the cut-off list', async () => {
    await page.goto(`${grid.dashboardUrl}/payments`);
    const receipt = await waitForRow(page, 'Receipts', () => true, wallMs(10));
    assert.match(receipt[3]!, /^\d+ Wh$/, 'energy paid');
    assert.match(receipt[4]!, /^\d+\.\d{3} sat$/, 'payment');
    assert.match(receipt[6]!, /^[0-9a-f]{16}…$/, 'payment hash');
    const stream = await waitForRow(page, 'Streams', (cells) => /^[1-9]\d* Wh$/.test(cells[6] ?? '') && /^[1-9]\d* Wh, /.test(cells[7] ?? ''), wallMs(5));
    assert.match(stream[9]!, /^(streaming|closing|closed)$/);
    // Cut-offs and restores come from the sellers' gates (test/flows/reference-microgrid.test.ts makes one); the
    // list is there, with its columns, from the start.
    const cutoffColumns = await page.$$eval('.nrdb-ui-table', (tables) =>
      tables.filter((t) => t.querySelector('.nrdb-ui-table-title')?.textContent?.trim() === 'Cut-offs').flatMap((t) => Array.from(t.querySelectorAll('thead th')).map((th) => th.textContent?.trim())),
    );
    assert.deepEqual(cutoffColumns, ['Time', 'Buyer', 'What', 'Unpaid', 'Why']);
    assert.ok((await tableRows(page, 'Streams')).length >= 1);
    await page.waitForTimeout(3000);
    await screenshot(page, 'dashboard-payments.png', { fullPage: true });
  });

  it('applies a Settings change to the running dispatch, and refuses a value outside its bounds with the reason', async () => {
    await page.goto(`${grid.dashboardUrl}/settings`);
    const heldBefore = kw(await waitForText(page, 'Reserve held free', /^\d+\.\d kW$/, 30_000));
    const budgetBefore = kw(await textValue(page, 'Budget for the miners'));
    // A reserve larger than what the running miners can shed in seconds: dispatch holds the rest free at once.
    await enterNumber(page, 'Reserve (kW)', '2000');
    const held = kw(await waitForText(page, 'Reserve held free', /^(1\d{3}|2000)\.\d kW$/, 30_000));
    assert.ok(held > heldBefore + 500, `reserve held ${heldBefore} → ${held} kW`);
    assert.ok(kw(await textValue(page, 'Budget for the miners')) < budgetBefore, 'the miners get less');
    await enterNumber(page, 'Reserve (kW)', '-5');
    await waitForText(page, 'Last value refused', /reserveKw must be a number from 0 to 100000 kW, got -5$/, 30_000);
    await page.waitForTimeout(2000);
    assert.ok(kw(await textValue(page, 'Reserve held free')) > 1000, 'the refused value changed nothing');
    await screenshot(page, 'dashboard-settings.png', { fullPage: true });
    await enterNumber(page, 'Reserve (kW)', '40');
    await waitForText(page, 'Reserve held free', /^\d{1,3}\.\d kW$/, 30_000);
  });
});
