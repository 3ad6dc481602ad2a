/// <reference lib="dom" />
// The dialogs whose lists are settings of the node rather than fields of a contract still take them from the
// runtime's catalogue (lib/schemas), with the node's own labels: payment and gate modes, dispatch's priority and
// timer modes, and the miners' firmware.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openEditor, type Editor } from '../support/browser';

const FLOW = [
  { id: 'tab', type: 'tab', label: 'dialog lists' },
  { id: 'stream1', type: 'flaregrid-pay-stream', z: 'tab', name: '', configVersion: 0, lnd: '', mode: 'prepay', x: 200, y: 80, wires: [[]] },
  { id: 'gate1', type: 'flaregrid-pay-gate', z: 'tab', name: '', configVersion: 0, lnd: '', mode: 'escrow', x: 200, y: 160, wires: [[], [], [], []] },
  { id: 'dispatch1', type: 'flaregrid-dispatch', z: 'tab', name: '', configVersion: 0, site: 'site-1', priorityMode: 'fixed', timerMode: 'reset', x: 200, y: 240, wires: [[], [], []] },
  { id: 'access1', type: 'flaregrid-miner-api', name: '', dialect: 'braiins' },
];

describe('dialog lists from the runtime (headless Chromium)', function () {
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

  /** the select's options once the catalogue has filled it, and the value it shows */
  async function list(selector: string, count: number): Promise<{ options: string[][]; value: string }> {
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} option`).length === n, [selector, count] as const);
    const options = await page.$$eval(`${selector} option`, (all) => all.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    return { options, value: await page.$eval(selector, (el) => (el as HTMLSelectElement).value) };
  }

  async function edit(id: string): Promise<void> {
    await page.evaluate((nodeId) => (window as any).RED.editor.edit((window as any).RED.nodes.node(nodeId)), id);
    await page.waitForSelector('.red-ui-tray-body');
  }

  it("lists the stream's four payment modes and keeps the saved one", async () => {
    await edit('stream1');
    const { options, value } = await list('#node-input-mode', 4);
    assert.deepEqual(options.map(([v]) => v), ['keysend', 'invoice', 'prepay', 'escrow']);
    assert.equal(options[2]![1], 'prepay: keysend, one step ahead');
    assert.equal(value, 'prepay');
  });

  it("lists the gate's three modes", async () => {
    await edit('gate1');
    const { options, value } = await list('#node-input-mode', 3);
    assert.deepEqual(options.map(([v]) => v), ['keysend', 'invoice', 'escrow']);
    assert.equal(value, 'escrow');
  });

  it("lists dispatch's priority and timer modes", async () => {
    await edit('dispatch1');
    assert.deepEqual((await list('#node-input-priorityMode', 2)).options.map(([v]) => v), ['efficiency', 'fixed']);
    const timers = await list('#node-input-timerMode', 2);
    assert.deepEqual(timers.options.map(([v]) => v), ['decay', 'reset']);
    assert.equal(timers.value, 'reset');
  });

  it("lists the miners' firmware with detection first", async () => {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'flaregrid-miner-api', 'access1'));
    await page.waitForSelector('#node-config-input-dialect');
    const { options, value } = await list('#node-config-input-dialect', 4);
    assert.deepEqual(options.map(([v]) => v), ['auto', 'luxos', 'braiins', 'bmminer']);
    assert.equal(value, 'braiins');
    assert.ok(options.every(([v, label]) => label !== '' && label !== v), `every firmware has its label: ${JSON.stringify(options)}`);
  });
});
