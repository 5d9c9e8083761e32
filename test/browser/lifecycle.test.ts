// The page's lifecycle in real Chromium, the parts a DevTools freeze cannot show (Chromium's own
// freeze, hidden tabs and their throttled timers are in freeze.test.ts, on pages that really freeze):
// - a return from a freeze with the connection still up, as the Page Lifecycle spec allows
//   (Chromium closes a frozen page's sockets instead): \`freeze\` and \`resume\` dispatched around
//   the page's thread held. A live connection survives it (a probe goes out on resume), a dead one
//   is found by that probe, round trips timed across it are left out of `latency`, and the game
//   hears `frozen` and `resumed` through update();
// - the page's thread held (a long task, a debugger pause) past a server's idle timeout: a worker
//   transport's pings run in the worker, so the connection survives; the page's own cannot;
// - a mute server, and the network lost and back.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { type BrowserHarness, type LifecycleState, startBrowserHarness } from './harness.js';

let harness: BrowserHarness;
let wss: WebSocketServer;
let base: string;
/** `/dies`: connections made while this is set stop answering once the client goes quiet for 500 ms. */
const quietKills = new Set<ServerSocket>();

beforeAll(async () => {
  harness = await startBrowserHarness();
  wss = new WebSocketServer({ server: harness.http });
  wss.on('connection', (client, request) => {
    let dead = false;
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const goesQuiet = request.url === '/dies' && quietKills.size === 0;
    if (goesQuiet) quietKills.add(client);
    const armQuiet = () => {
      clearTimeout(quiet);
      // the server (or a NAT on the way) forgets a quiet connection, without a word: half-open
      if (goesQuiet) quiet = setTimeout(() => (dead = true), 500);
    };
    armQuiet();
    client.on('message', (data) => {
      if (request.url === '/mute') return; // a server that hangs: it answers nothing, ever
      armQuiet();
      if (!dead && String(data) === 'ping') client.send('pong');
    });
    client.on('close', () => clearTimeout(quiet));
    if (request.url === '/closes') setTimeout(() => client.close(4000, 'go away'), 300);
    if (request.url === '/idle-kills') {
      // a server with an idle timeout: a client that sent nothing for 1 s is dropped
      let idle = setTimeout(() => client.terminate(), 1000);
      client.on('message', () => {
        clearTimeout(idle);
        idle = setTimeout(() => client.terminate(), 1000);
      });
      client.on('close', () => clearTimeout(idle));
    }
  });
  base = `ws://${harness.host}`;
});

afterAll(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await harness?.close();
});

type Mode = 'native' | 'worker' | 'worker+ring';
let current: Page | undefined;
let isolated: Page | undefined;
const page = () => current ?? harness.page;
/** Run the next sockets through `mode`: worker+ring is the worker transport on a cross-origin isolated page (the shared ring). */
async function use(mode: Mode): Promise<void> {
  if (mode === 'worker+ring') isolated ??= await harness.openPage('/isolated');
  current = mode === 'worker+ring' ? isolated! : harness.page;
  await current.evaluate((m) => {
    (window as unknown as { transport: string }).transport = m === 'native' ? 'native' : 'worker';
  }, mode);
}
const state = () =>
  page().evaluate(() => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `freeze`, the page's thread held for `ms` (longer than the 1 s silence limit), then `resume`. */
async function freeze(ms: number): Promise<void> {
  await page().evaluate(
    (time) =>
      (
        window as unknown as { lifecycle: { freezeKeepingConnections(ms: number): void } }
      ).lifecycle.freezeKeepingConnections(time),
    ms,
  );
}

/** The page's thread held for `ms`, with no lifecycle event. */
async function hold(ms: number): Promise<void> {
  await page().evaluate(
    (time) => (window as unknown as { lifecycle: { hold(ms: number): void } }).lifecycle.hold(time),
    ms,
  );
}

async function start(path: string, options: { reconnecting?: boolean; backoff?: number } = {}): Promise<void> {
  await page().evaluate(
    ([url, opts]) =>
      (window as unknown as { lifecycle: { start(u: string, o: object): void } }).lifecycle.start(url, opts),
    [`${base}${path}`, options] as const,
  );
  if (path === '/mute') return;
  await page().waitForFunction(
    () => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state.latency > 0,
    undefined,
    { timeout: 5000 },
  );
}

async function stop(): Promise<LifecycleState> {
  return page().evaluate(() => (window as unknown as { lifecycle: { stop(): LifecycleState } }).lifecycle.stop());
}

describe.each(['native', 'worker', 'worker+ring'] as const)(
  'back from a freeze that kept the connection (%s transport)',
  (transport) => {
    beforeAll(() => use(transport));

    it('keeps a live connection frozen past its silence limit, times no round trip across the freeze, and tells the game', async () => {
      await start('/live');
      await sleep(300); // a few round trips
      const before = (await state()).latency;
      await freeze(2500);
      await sleep(600); // the probe and a few pings after the resume
      const after = await stop();
      expect(after.errors).toEqual([]);
      expect(after.closed).toEqual([1000]); // the game's own close, nothing before it
      expect(after.events).toEqual([
        ['frozen', false],
        ['resumed', true],
      ]);
      // a reply timed across the freeze would add hundreds of ms to the smoothed latency
      expect(after.latency).toBeLessThan(Math.max(5 * before, 200)); // a 2.5 s sample adds over 300 ms
    });

    it('finds a connection that died while frozen by the probe it sends on resume (the worker keeps it from dying)', async () => {
      quietKills.clear();
      await start('/dies'); // goes half-open once the client is quiet for 500 ms
      await freeze(2500);
      if (transport !== 'native') {
        // the worker's pings went on while the page was frozen: the server never saw a quiet client
        await sleep(1500);
        const after = await stop();
        expect(after.errors).toEqual([]);
        expect(after.closed).toEqual([1000]);
        return;
      }
      await page()
        .waitForFunction(
          () => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state.closed.length > 0,
          undefined,
          { timeout: 5000 },
        )
        .catch(async (error) => {
          throw new Error(`${error}: ${JSON.stringify(await state())}`);
        });
      const after = await stop();
      expect(after.errors.map(([code]) => code)).toEqual(['timeout']);
      expect(after.closed).toEqual([1006]);
      const counted = Number(/for (\d+) ms/.exec(after.errors[0]![1])?.[1]);
      expect(counted).toBeGreaterThan(1000);
      expect(counted).toBeLessThan(2500); // the limit after the resume, not the time frozen
    });
  },
);

describe.each(['native', 'worker', 'worker+ring'] as const)('a server that answers nothing (%s transport)', (mode) => {
  it('fails the connection with timeout, then closed 1006, once closeAfterNoMessage has passed', async () => {
    await use(mode);
    await start('/mute');
    await page().waitForFunction(
      () => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state.closed.length > 0,
      undefined,
      { timeout: 5000 },
    );
    const after = await stop();
    expect(after.errors.map(([code]) => code)).toEqual(['timeout']);
    expect(after.closed).toEqual([1006]);
  });
});

describe('the page’s thread held past the server’s idle timeout', () => {
  it.each([
    ['worker', [], [1000]],
    ['worker+ring', [], [1000]],
    ['native', ['connection_lost'], [1006]],
  ] as const)(
    '%s transport: the worker’s own pings keep the connection; the page’s stop with it',
    async (mode, errors, closed) => {
      await use(mode);
      await start('/idle-kills');
      await hold(2500);
      await sleep(600);
      const after = await stop();
      expect(after.errors.map(([code]) => code)).toEqual(errors);
      expect(after.closed).toEqual(closed);
      if (mode !== 'native') expect(after.latency).toBeLessThan(200); // timed by the worker's clock: not the 2.5 s hold
    },
  );
});

describe('the network lost and back (DevTools: Network.emulateNetworkConditions offline)', () => {
  it('a ReconnectingWebSocket waiting out a 30 s backoff redials at once when the network is back', async () => {
    await use('native');
    await start('/closes', { reconnecting: true, backoff: 30000 });
    await page().waitForFunction(
      () => !(window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state.isOpen,
      undefined,
      { timeout: 5000 },
    );
    const cdp = await page().context().newCDPSession(page());
    const offline = (value: boolean) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: value,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    await offline(true);
    await sleep(300);
    await offline(false);
    await page().waitForFunction(
      () => (window as unknown as { lifecycleRun: { state: LifecycleState } }).lifecycleRun.state.opens === 2,
      undefined,
      { timeout: 5000 }, // far under the backoff
    );
    const after = await stop();
    await cdp.detach();
    expect(after.opens).toBe(2);
  });
});
