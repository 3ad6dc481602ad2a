// The one way browser tests get a browser and watch it. Chromium comes from npm (@sparticuz/chromium, a
// compressed build unpacked into the temp dir on first use), so `npm install` is all a machine needs;
// FLAREGRID_CHROMIUM may name the executable of a Chromium the system has instead.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { QUIET_EDITOR_THEME } from '../../scripts/start-config';
import { ensureCredentialFile } from '../../scripts/start-credentials';
import { writeFlowFile, type FlowNode } from '../../scripts/start-flows';
import { startRedProcess, type RedProcess } from './red-process';

// Nothing but loopback is reachable: no update checks, component downloads, sync or first-run pages, which
// would only wait for the network. Playwright gives every launch a fresh temporary profile (user-data dir)
// of its own and removes it on close.
const QUIET_FLAGS = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  const system = process.env.FLAREGRID_CHROMIUM;
  // The npm build is a headless shell that wants its own flags (single process, no zygote); a system
  // Chromium runs with Playwright's defaults.
  const executablePath = system || (await sparticuz.executablePath());
  const args = system ? ['--no-sandbox', '--disable-gpu'] : sparticuz.args;
  return chromium.launch({ executablePath, args: [...args, ...QUIET_FLAGS], headless: true });
}

const OFFLINE_CATALOGUE_URL = /^https:\/\/catalogue\.nodered\.org\/catalogue\.json(\?_=\d+)?$/;
// The editor catches what a comms subscriber (the Debug sidebar, for one) throws and reports it as a warning.
const SWALLOWED_EXCEPTION = /^Uncaught error from RED\.comms\.subscribe: /;
// Node-RED 5.0.7's Debug sidebar names a message's flow with RED.nodes.workspace(id).label (21-debug.html), which
// throws for a Debug message (an error the flows log) that arrives while the editor is still loading the flows:
// Node-RED's race, not a fault of the page.
const DEBUG_BEFORE_FLOWS = "Uncaught error from RED.comms.subscribe: TypeError: Cannot read properties of undefined (reading 'label')";

// Dashboard 2's gauges are drawn with the d3 it bundles (its `mermaid` asset) once before their group has a size, and
// the browser logs the negative rectangle of that first draw; the next draw is right, and the tests read the gauges'
// values. Only that message, from the dashboard's own assets, is passed over.
const DASHBOARD_FIRST_DRAW = /^Error: <rect> attribute (width|height): A negative value is not valid\. \("-\d+(\.\d+)?"\)$/;
const DASHBOARD_ASSET = /\/dashboard\/assets\/mermaid-[\w-]+\.js$/;

function isDashboardFirstDraw(message: Pick<ConsoleMessage, 'type' | 'text' | 'location'>): boolean {
  return message.type() === 'error' && DASHBOARD_FIRST_DRAW.test(message.text()) && DASHBOARD_ASSET.test(message.location().url);
}

/**
 * The editor's one request to the internet: the palette manager's catalogue of the Flow Library (with a
 * cache-busting `?_=<time>`), which a closed network refuses. It is the only console error a page may show.
 */
export function isOfflineCatalogueFetch(message: Pick<ConsoleMessage, 'type' | 'text' | 'location'>): boolean {
  return (
    message.type() === 'error' &&
    OFFLINE_CATALOGUE_URL.test(message.location().url) &&
    /^Failed to load resource: net::ERR_[A-Z_]+$/.test(message.text())
  );
}

/**
 * Collects every uncaught exception and console error of a page (and the exceptions the editor swallows and
 * reports as warnings), but the offline catalogue fetch, the Debug sidebar's race with the editor's loading and the
 * dashboard gauges' first draw.
 */
export class PageErrors {
  private readonly errors: string[] = [];

  constructor(page: Page) {
    page.on('pageerror', (err) => this.errors.push(`uncaught: ${err.stack ?? err.message}`));
    page.on('console', (message) => {
      const error = message.type() === 'error' || (message.type() === 'warning' && SWALLOWED_EXCEPTION.test(message.text()));
      if (!error || isOfflineCatalogueFetch(message) || isDashboardFirstDraw(message) || message.text() === DEBUG_BEFORE_FLOWS) return;
      const { url, lineNumber } = message.location();
      this.errors.push(`console.${message.type()}: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    });
  }

  /** Throws with every error seen since the last call, then forgets them. */
  assertNone(): void {
    const seen = this.errors.splice(0);
    if (seen.length > 0) throw new Error(`the page reported ${seen.length} error(s):\n${seen.join('\n')}`);
  }
}

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
const CREDENTIAL_SECRET = 'flaregrid-editor-test';
const FLOW_FILE = 'flows.json';

export interface Editor {
  red: RedProcess;
  browser: Browser;
  page: Page;
  errors: PageErrors;
  /** Loads the editor (again) and waits until its palette and flows are there. */
  load(): Promise<void>;
  close(): Promise<void>;
}

export interface EditorOptions {
  /** the flows the runtime starts with */
  flows?: FlowNode[];
  /** environment of the runtime, e.g. what `${...}` in a flow reads */
  env?: Record<string, string>;
}

/** A Node-RED with this package (as npm start loads it) in a fresh user dir, and the editor open on it. */
export async function openEditor(options: EditorOptions = {}): Promise<Editor> {
  const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-editor-'));
  writeFlowFile(userDir, FLOW_FILE, options.flows ?? []);
  ensureCredentialFile(userDir, FLOW_FILE, CREDENTIAL_SECRET);
  const settings = {
    httpAdminRoot: '/', httpNodeRoot: '/api', userDir, flowFile: FLOW_FILE, credentialSecret: CREDENTIAL_SECRET,
    nodesDir: [PACKAGE_ROOT], telemetry: { enabled: false, updateNotification: false }, editorTheme: QUIET_EDITOR_THEME,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
  let red: RedProcess | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await red?.stop();
    rmSync(userDir, { recursive: true, force: true });
  };
  try {
    red = await startRedProcess(settings, { env: options.env });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = new PageErrors(page);
    const url = red.url;
    const load = async (): Promise<void> => {
      await page.goto(url);
      // The workspace tabs exist once the flows are loaded; the palette before them.
      await page.waitForFunction(() => (window as any).RED?.workspaces?.count() > 0, undefined, { timeout: 30_000 });
    };
    await load();
    return { red, browser, page, errors, load, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Waits until a dialog field's red mark is as expected, then asserts it. The dialog validates on key events and
 * some of its settings arrive from the runtime after it opens, so a mark is a state to wait for, not to sample.
 */
export async function expectMarked(page: Page, selector: string, marked: boolean, message?: string): Promise<void> {
  const reached = await page
    .waitForFunction(
      ([sel, want]) => document.querySelector(sel as string)?.classList.contains('input-error') === want,
      [selector, marked] as const,
      { timeout: 5_000 },
    )
    .then(() => true, () => false);
  assert.ok(reached, message ?? `${selector} is ${marked ? '' : 'not '}marked invalid`);
}
