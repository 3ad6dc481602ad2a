/// <reference lib="dom" />
// Reading FlowFuse Dashboard 2 pages in a browser test: a text widget's value by its label, a table's rows by its
// title, a number input set as a user sets it; and screenshots, to dist/screenshots and, when
// FLAREGRID_SCREENSHOTS_TO_DOCS=1, the ones the README shows to docs/img (so a normal run leaves the tree clean).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

const PACKAGE_ROOT = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(PACKAGE_ROOT, 'dist', 'screenshots');
const DOCS_IMG = join(PACKAGE_ROOT, 'docs', 'img');

/** The value of the ui-text whose label is `label` (or, failing that, begins with it), '' while it has none. */
export function textValue(page: Page, label: string): Promise<string> {
  return page.evaluate((l) => {
    const rows = Array.from(document.querySelectorAll('.nrdb-ui-text'));
    const labelOf = (r: Element) => r.querySelector('.nrdb-ui-text-label')?.textContent?.trim() ?? '';
    const row = rows.find((r) => labelOf(r) === l) ?? rows.find((r) => labelOf(r).startsWith(l));
    return row?.querySelector('.nrdb-ui-text-value')?.textContent?.trim() ?? '';
  }, label);
}

/** Waits until the ui-text labelled `label` shows a value that `pattern` matches, and returns it. */
export async function waitForText(page: Page, label: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const startedAt = Date.now();
  let value = await textValue(page, label);
  while (!pattern.test(value)) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`'${label}' did not match ${pattern} within ${timeoutMs} ms: '${value}'`);
    await page.waitForTimeout(500);
    value = await textValue(page, label);
  }
  return value;
}

/** The rows (cell texts) of the ui-table titled `title`; the "No data available" row is none. */
export function tableRows(page: Page, title: string): Promise<string[][]> {
  return page.evaluate((t) => {
    const table = Array.from(document.querySelectorAll('.nrdb-ui-table')).find((e) => e.querySelector('.nrdb-ui-table-title')?.textContent?.trim() === t);
    return Array.from(table?.querySelectorAll('tbody tr') ?? [])
      .map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? ''))
      .filter((cells) => cells.length > 1);
  }, title);
}

/** Waits until the table titled `title` has a row that `accept` takes, and returns that row. */
export async function waitForRow(page: Page, title: string, accept: (cells: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  const startedAt = Date.now();
  for (;;) {
    const rows = await tableRows(page, title);
    const row = rows.find(accept);
    if (row) return row;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`no matching row in '${title}' within ${timeoutMs} ms: ${JSON.stringify(rows.slice(0, 5))}`);
    await page.waitForTimeout(1000);
  }
}

/** Types a value into the ui-number-input labelled `label` and sends it (Enter), as a user does. */
export async function enterNumber(page: Page, label: string, value: string): Promise<void> {
  const input = page.locator('.nrdb-ui-number-input').filter({ has: page.locator('label', { hasText: label }) }).locator('input').first();
  // Key by key: the widget's model follows typing, not a value set from outside (fill).
  await input.click();
  await input.press('Control+a');
  await input.press('Delete');
  await input.pressSequentially(value);
  await input.press('Enter');
}

/** Saves a screenshot to dist/screenshots; `toDocs`: also to docs/img when FLAREGRID_SCREENSHOTS_TO_DOCS=1. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; toDocs?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  if (options.toDocs && process.env.FLAREGRID_SCREENSHOTS_TO_DOCS === '1') {
    // The README shows the page, not a passing notice over it (the artifact above keeps what the test saw).
    mkdirSync(DOCS_IMG, { recursive: true });
    copyFileSync(path, join(DOCS_IMG, name));
  }
  return path;
}
