// The page lifecycle as Chromium runs it, driven through the DevTools protocol on pages that can
// really freeze and hide (launchLifecycleChromium: no focus emulation, no throttling turned off).
// What Chromium does, measured here: `Page.setWebLifecycleState({ state: 'frozen' })` hides the
// page, freezes it and its workers, and closes every WebSocket they hold (the server sees 1001);
// back to 'active', the page runs again, still hidden, its timers woken once a second, while its
// workers' timers run at full rate. So a frozen page loses its connection whatever the transport
// (the library tells the game and redials at once), and a hidden tab keeps a connection to a
// server with an idle timeout only when its pings run in a worker.
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type BrowserHarness, type LifecycleState, startBrowserHarness } from './harness.js';

type Mode = 'native' | 'worker' | 'worker+ring';

/** A client quiet this long is dropped by `/idle` (as servers and NATs with an idle timeout do). */
const IDLE_TIMEOUT = 600;

let harness: BrowserHarness;
let wss: WebSocketServer;
/** How each connection ended, as the server saw it: [path, code]. */
const serverCloses: [string, number][] = [];

beforeAll(async () => {
  harness = await startBrowserHarness({ lifecycle: true });
  wss = new WebSocketServer({ server: harness.http });
  wss.on('connection', (client, request) => {
    const path = request.url ?? '';
    let idle: ReturnType<typeof setTimeout> | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      if (path === '/idle') idle = setTimeout(() => client.terminate(), IDLE_TIMEOUT);
    };
    armIdle();
    client.on('message', (data) => {
      armIdle();
      if (String(data) === 'ping') client.send('pong');
    });
    if (path === '/closes') setTimeout(() => client.close(4000, 'go away'), 300);
    client.on('close', (code) => {
      clearTimeout(idle);
      serverCloses.push([path, code]);
    });
  });
});

afterAll(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await harness?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh page (its lifecycle is its own) whose sockets use `mode`, with a DevTools session on it. */
async function openPage(mode: Mode): Promise<{ page: Page; cdp: CDPSession; close(): Promise<void> }> {
  const page = await harness.openPage(mode === 'worker+ring' ? '/isolated' : '/');
  await page.evaluate((worker) => {
    (window as unknown as { transport: string }).transport = worker ? 'worker' : 'native';
  }, mode !== 'native');
  const cdp = await page.context().newCDPSession(page);
  return {
    page,
    cdp,
    async close() {
      await cdp.detach().catch(() => {});
      await page.close();
    },
  };
}

/** Freeze the page for `ms`, as Chromium freezes a background tab, then let it run again (hidden). */
async function freeze(cdp: CDPSession, ms: number): Promise<void> {
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await sleep(ms);
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
}

/** The player comes back to the tab: it is visible again. */
async function show(cdp: CDPSession): Promise<void> {
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
}

function start(page: Page, path: string, options: { reconnecting?: boolean } = {}): Promise<void> {
  return page.evaluate(
    ([url, opts]) =>
      (window as unknown as { lifecycle: { start(u: string, o: object): void } }).lifecycle.start(url, opts),
    [`ws://${harness.host}${path}`, { backoff: 30_000, ...options }] as const,
  );
}

const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state);

/** Wait for `predicate` on the page's state (it runs in the page: it must not close over anything). */
function until(page: Page, what: string, predicate: (state: LifecycleState) => boolean): Promise<void> {
  const expression = `window.lifecycleRun !== undefined && (${predicate.toString()})(window.lifecycleRun.state)`;
  return page.waitForFunction(expression, undefined, { timeout: 5_000, polling: 50 }).then(
    () => undefined,
    async (error) => {
      throw new Error(`${what}: ${error}: ${JSON.stringify(await state(page))}`);
    },
  );
}

const stop = (page: Page) =>
  page.evaluate(() => (window as unknown as { lifecycle: { stop(): LifecycleState } }).lifecycle.stop());

describe.each(['native', 'worker', 'worker+ring'] as const)('a page frozen by Chromium (%s transport)', (mode) => {
  it('Chromium closes the connection with the page (a worker’s too); the game hears frozen, resumed and the loss through update()', async () => {
    const { page, cdp, close } = await openPage(mode);
    serverCloses.length = 0;
    await start(page, '/live');
    await until(page, 'open', (s) => s.isOpen);
    await freeze(cdp, 1_500);
    await until(page, 'the loss reported', (s) => s.closed.length > 0);
    const after = await stop(page);
    await close();
    expect(serverCloses).toEqual([['/live', 1001]]); // the browser's going-away close, sent at the freeze
    const events = after.events.map(([event]) => event);
    expect(events.indexOf('frozen')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('resumed')).toBeGreaterThan(events.indexOf('frozen'));
    expect(after.events.find(([event]) => event === 'resumed')![1]).toBe(true); // with how long it was away
    expect(after.errors.map(([code]) => code)).toEqual(['connection_lost']);
    expect(after.closed).toEqual([1006]);
  });

  it('a ReconnectingWebSocket is open again at once on resume, not after its 30 s backoff', async () => {
    const { page, cdp, close } = await openPage(mode);
    await start(page, '/live', { reconnecting: true });
    await until(page, 'open', (s) => s.opens === 1);
    await freeze(cdp, 1_500);
    await until(page, 'open again', (s) => s.opens === 2 && s.isOpen); // far under the backoff
    const after = await stop(page);
    await close();
    expect(after.errors.map(([code]) => code)).toEqual(['connection_lost']);
    expect(after.closed).toEqual([1000]); // the end, for good, at the game's close
  });
});

describe.each([
  ['worker', [], [1000]],
  ['worker+ring', [], [1000]],
  ['native', ['connection_lost'], [1006]],
] as const)(
  'a hidden tab, against a server that drops a client quiet for %s ms (%s transport)'.replace(
    '%s ms',
    `${IDLE_TIMEOUT} ms`,
  ),
  (mode, errors, closed) => {
    it('the worker’s pings keep the connection, the throttled page’s cannot; back on the tab, the game hears visible', async () => {
      const { page, cdp, close } = await openPage(mode);
      await freeze(cdp, 50); // frozen and back: the tab is in the background now
      const hidden = await page.evaluate(async () => {
        let ticks = 0;
        const timer = setInterval(() => ticks++, 10);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        clearInterval(timer);
        return { visibility: document.visibilityState, ticks };
      });
      // what makes this a background tab: Chromium wakes its timers once a second, not 100 times
      expect(hidden.visibility).toBe('hidden');
      expect(hidden.ticks).toBeLessThan(10);
      await start(page, '/idle');
      await until(page, 'open', (s) => s.isOpen || s.closed.length > 0);
      await sleep(3_000); // five idle timeouts: only pings every 100 ms keep it
      await show(cdp);
      await until(page, 'visible', (s) => s.events.some(([event]) => event === 'visible') || s.closed.length > 0);
      await sleep(500);
      const after = await stop(page);
      await close();
      expect(after.errors.map(([code]) => code)).toEqual(errors);
      expect(after.closed).toEqual(closed);
      if (mode !== 'native') {
        expect(after.events).toContainEqual(['visible', true]);
        expect(after.latency).toBeGreaterThan(0); // timed again once visible (none while hidden)
        expect(after.latency).toBeLessThan(200);
      }
    });
  },
);

describe('a ReconnectingWebSocket frozen while it waits out its backoff', () => {
  it('redials at once on resume instead of waiting out its 30 s backoff', async () => {
    const { page, cdp, close } = await openPage('native');
    await start(page, '/closes', { reconnecting: true }); // the server closes with 4000 after 300 ms
    await until(page, 'waiting out its backoff', (s) => s.opens === 1 && !s.isOpen);
    await freeze(cdp, 500);
    await until(page, 'open again', (s) => s.opens === 2); // far under the backoff
    const after = await stop(page);
    await close();
    expect(after.closed).toEqual([1000]); // the end, for good, at the game's close
  });
});
