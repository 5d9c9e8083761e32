// Serves test/browser/page.html and the browser bundle from 127.0.0.1, and opens the page in
// Chromium, for the browser tests. The page exposes `window.scenarios`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';

export const BUNDLE = 'dist/ticksocket.browser.js';
export const DEVTOOLS_BUNDLE = 'dist/ticksocket.devtools.js';

export interface BrowserHarness {
  /** The HTTP server of the page (a WebSocket server may be attached to it). */
  http: Server;
  /** `127.0.0.1:PORT` of that server. */
  host: string;
  page: Page;
  /** Errors the page threw. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startBrowserHarness(): Promise<BrowserHarness> {
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { stdio: 'inherit' });
  const bundle = readFileSync(BUNDLE);
  const html = readFileSync('test/browser/page.html');
  const http = createServer((request, response) => {
    if (request.url === '/ticksocket.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else if (request.url === '/devtools.js')
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(DEVTOOLS_BUNDLE));
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  const browser: Browser = await launchChromium();
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`http://${host}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, {
    timeout: 10_000,
  });
  return {
    http,
    host,
    page,
    pageErrors,
    async close() {
      await browser.close();
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
