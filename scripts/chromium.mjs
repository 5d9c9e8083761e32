// Launch Debian's Chromium headless through playwright-core (no browser download): shared by the
// tests (through test/support/chromium.ts) and the browser benchmarks.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

function checkInstalled() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run "npm run setup:test" (apt-get install -y chromium).`);
  }
}

export async function launchChromium(extraArgs = []) {
  checkInstalled();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...ARGS, ...extraArgs],
    timeout: 30_000,
  });
}

/**
 * Chromium with a page lifecycle of its own, for the lifecycle tests. Playwright's launch turns
 * off background timer throttling and emulates focus on every page, and a focused page cannot be
 * frozen (`Page.setWebLifecycleState` does nothing to it). So this starts Chromium itself, with
 * its DevTools on a loopback port, and attaches with `noDefaults`: the pages of its default
 * context freeze, hide and throttle as a player's tab does. Returns that context and a `close`
 * that ends the browser and removes its profile.
 */
export async function launchLifecycleChromium(extraArgs = []) {
  checkInstalled();
  const profile = mkdtempSync(join(tmpdir(), 'ticksocket-chromium-'));
  // its own process group, so that its helpers (zygote, renderers, GPU) end with it
  const child = spawn(
    CHROMIUM_PATH,
    [
      ...ARGS,
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      ...extraArgs,
      'about:blank',
    ],
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const end = async () => {
    const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    await Promise.race([exited, timeout]);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {} // the group has already ended
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const portFile = join(profile, 'DevToolsActivePort');
    for (let i = 0; i < 300 && !existsSync(portFile); i++) {
      if (child.exitCode !== null) throw new Error(`Chromium exited (${child.exitCode}) before it listened`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const port = readFileSync(portFile, 'utf8').split('\n')[0];
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { noDefaults: true, timeout: 30_000 });
    return {
      browser,
      context: browser.contexts()[0],
      async close() {
        // ends the browser itself (closing a browser attached over CDP only detaches)
        const session = await browser.newBrowserCDPSession().catch(() => null);
        await session?.send('Browser.close').catch(() => {});
        await end();
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await end();
    throw error;
  }
}
