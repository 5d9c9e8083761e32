// Serves test/browser/page.html and the browser bundle from 127.0.0.1, and opens the page in
// Chromium, for the browser tests. The page exposes `window.scenarios`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium, launchLifecycleChromium } from '../support/chromium.js';

export const BUNDLE = 'dist/ticksocket.browser.js';
export const DEVTOOLS_BUNDLE = 'dist/ticksocket.devtools.js';

export interface BrowserHarness {
  /** The HTTP server of the page (a WebSocket server may be attached to it). */
  http: Server;
  /** `127.0.0.1:PORT` of that server. */
  host: string;
  page: Page;
  /** Open another page of the same browser: `/` as `page`, or `/isolated`, the same page cross-origin isolated (COOP/COEP). */
  openPage(path: '/' | '/isolated'): Promise<Page>;
  /** Errors the pages threw. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** What `window.lifecycle` of page.html records of its socket, for the lifecycle tests. */
export interface LifecycleState {
  /** `lifecycle` events: the state, and whether it came with how long the page was away. */
  events: [string, boolean][];
  errors: [string, string][];
  closed: number[];
  opens: number;
  latency: number;
  isOpen: boolean;
}

/** What makes a page cross-origin isolated (`crossOriginIsolated`: SharedArrayBuffer may be shared with workers). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/**
 * `lifecycle`: pages that freeze, hide and throttle as a player's tab does (see
 * `launchLifecycleChromium`); otherwise Playwright's pages, which stay focused and unthrottled.
 */
export async function startBrowserHarness({ lifecycle = false } = {}): Promise<BrowserHarness> {
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { stdio: 'inherit' });
  const bundle = readFileSync(BUNDLE);
  const html = readFileSync('test/browser/page.html');
  const http = createServer((request, response) => {
    if (request.url === '/ticksocket.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else if (request.url === '/devtools.js')
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(DEVTOOLS_BUNDLE));
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (request.url === '/isolated')
      response.writeHead(200, { 'content-type': 'text/html', ...ISOLATION_HEADERS }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  let newPage: () => Promise<Page>;
  let closeBrowser: () => Promise<void>;
  if (lifecycle) {
    const launched = await launchLifecycleChromium();
    newPage = () => launched.context.newPage();
    closeBrowser = launched.close;
  } else {
    const browser = await launchChromium();
    newPage = () => browser.newPage();
    closeBrowser = () => browser.close();
  }
  const pageErrors: string[] = [];
  const openPage = async (path: '/' | '/isolated'): Promise<Page> => {
    const page = await newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${String(error)}`));
    await page.goto(`http://${host}${path}`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, {
      timeout: 10_000,
    });
    return page;
  };
  const page = await openPage('/');
  return {
    http,
    host,
    page,
    openPage,
    pageErrors,
    async close() {
      await closeBrowser();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** Run `window.scenarios[name](argument)` in the page. */
export function runScenario(page: Page, name: string, argument: string): Promise<unknown> {
  return page.evaluate(
    ([scenarioName, scenarioArgument]) =>
      (window as unknown as { scenarios: Record<string, (argument: string) => Promise<unknown>> }).scenarios[
        scenarioName
      ]!(scenarioArgument),
    [name, argument] as const,
  );
}
