// The browser transport in real headless Chromium (Debian's, through playwright-core): the
// esbuild browser bundle is served from a local HTTP server, talks to a local ws server, and
// is pumped from requestAnimationFrame. Open, text, binary, close and failures behave as in Node.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { type BrowserHarness, BUNDLE, runScenario, startBrowserHarness } from './harness.js';

let harness: BrowserHarness;
let wss: WebSocketServer;
let base: string;
let closedPort: number;
const pairWaiting: ServerSocket[] = [];
let pairGo = 0;

beforeAll(async () => {
  harness = await startBrowserHarness();
  wss = new WebSocketServer({
    server: harness.http,
    // '/slow-burst-then-close' answers the upgrade 200 ms late: the test holds the page meanwhile.
    verifyClient: (info, done) =>
      info.req.url === '/slow-burst-then-close' ? setTimeout(() => done(true), 200) : done(true),
  });
  wss.on('connection', (client, request) => {
    if (request.url === '/echo') {
      client.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
    } else if (request.url === '/burst-then-close' || request.url === '/slow-burst-then-close') {
      for (let i = 0; i < 100; i++) client.send(`m${i}`);
      client.send(Buffer.from([7, 8]));
      client.close(4001, 'server done');
    } else if (request.url === '/pong') {
      client.on('message', (data) => client.send(String(data) === 'ping' ? 'pong' : `echo ${data}`));
    } else if (request.url === '/echo-late') {
      // Echoes 50 ms later: they arrive while the page's thread is held, none before.
      client.on('message', (data) => setTimeout(() => client.send(String(data)), 50));
    } else if (request.url === '/ring-flood') {
      // 600 messages of 1 KB (1.2 times the shared ring), one of 300 KB (larger than it) among them, then 'done'.
      client.on('message', () => {
        for (let i = 0; i < 600; i++) {
          const payload = Buffer.alloc(i === 300 ? 300 * 1024 : 1024);
          payload.writeUInt32LE(i, 0);
          client.send(payload);
        }
        client.send('done');
      });
    } else if (request.url === '/pair') {
      // Two sockets each say 'go'; then b1, a1, b2, a2 leave 50 ms apart, alternating between them
      // (apart enough that a worker thread kept waiting by a loaded machine still reads them in turn).
      pairWaiting.push(client);
      client.on('message', () => {
        if (++pairGo < 2) return;
        const [a, b] = pairWaiting.splice(0, 2);
        const order: [ServerSocket, string][] = [
          [b!, 'b1'],
          [a!, 'a1'],
          [b!, 'b2'],
          [a!, 'a2'],
        ];
        pairGo = 0;
        for (const [i, [peer, text]] of order.entries()) setTimeout(() => peer.send(text), 50 * (i + 1));
      });
    } else if (request.url === '/every-10ms') {
      let sent = 0;
      const timer = setInterval(() => client.send(`t${sent++}`), 10);
      client.on('close', () => clearInterval(timer));
    } else if (request.url === '/flood') {
      for (let i = 0; i < 200; i++) client.send(`f${i}`);
    }
  });
  base = `ws://${harness.host}`;
  // A port with nothing listening, for the refused case.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  expect(harness.pageErrors).toEqual([]);
});

afterAll(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await harness?.close();
});

type Scenario =
  | 'views'
  | 'echo'
  | 'serverCloses'
  | 'refused'
  | 'overflow'
  | 'refusals'
  | 'manager'
  | 'appPing'
  | 'burst'
  | 'heldThread'
  | 'heldOpen'
  | 'longGap'
  | 'managerOrder'
  | 'ringFlood';

let page: Page;
function scenario(name: Scenario, url: string = base): Promise<unknown[]> {
  return runScenario(page, name, url) as Promise<unknown[]>;
}

// Every scenario runs through each browser transport: the page's own WebSocket; the worker
// transport (that WebSocket in a Web Worker), messages handed over in posted batches; and the
// worker transport on a cross-origin isolated page, messages in a ring shared with the worker.
describe.each(['native', 'worker', 'worker+ring'] as const)('browser transport in Chromium (%s)', (transport) => {
  beforeAll(async () => {
    page = transport === 'worker+ring' ? await harness.openPage('/isolated') : harness.page;
    const isolated = await page.evaluate((mode) => {
      (window as unknown as { transport: string }).transport = mode === 'native' ? 'native' : 'worker';
      return globalThis.crossOriginIsolated;
    }, transport);
    expect(isolated).toBe(transport === 'worker+ring');
  });

  it('update() takes what arrived while the page’s thread was held, with no task in between only from the shared ring', async () => {
    const { dispatched, total } = (await scenario('heldThread')) as unknown as { dispatched: number; total: number };
    expect(total).toBe(50); // every echo, by the close
    // The posted paths need a task on the page's thread to hand each message (or batch) over.
    expect(dispatched).toBe(transport === 'worker+ring' ? 50 : 0);
  });

  it('1000 sends in one frame all come back, in order; eventTime is on the page’s clock', async () => {
    const result = (await scenario('burst')) as unknown as {
      echoed: (string | number)[];
      clockOk: boolean;
      bufferedAfterSends: number;
      workersStarted: number;
    };
    expect(result.workersStarted > 0).toBe(transport !== 'native');
    const expected = Array.from({ length: 500 }, (_, i) => [`t${i}`, i + 0.5]).flat();
    expect(result.echoed).toEqual(expected);
    expect(result.clockOk).toBe(true);
    expect(result.bufferedAfterSends).toBeGreaterThan(0); // sent this frame, not yet written
  });

  it('binaryView reads what send(bytes, start, end) and beginBinary() sent, for every size class', async () => {
    const result = (await scenario('views')) as unknown as {
      ok: boolean;
      last: unknown;
      count: number;
      expiredCode: string;
    };
    expect(result.count).toBe(9);
    expect(result.ok).toBe(true);
    expect(result.last).toEqual([0xdeadbeef, -1.25]);
    expect(result.expiredCode).toBe('view_expired');
  });

  it('opens, echoes text and binary, closes with the game’s code — all inside update()', async () => {
    expect(await scenario('echo')).toEqual([
      ['open'],
      ['message', 'hello'],
      ['binary', 'Uint8Array', [1, 2, 3]],
      ['closed', 4000, 'bye'],
    ]);
  });

  it.each(['serverCloses', 'heldOpen'] as const)(
    'a server close comes after every message, exactly once (%s)',
    async (name) => {
      const log = await scenario(name);
      expect(log).toHaveLength(1 + 100 + 1 + 1);
      expect(log[0]).toEqual(['open']);
      expect(log.slice(1, 101)).toEqual(Array.from({ length: 100 }, (_, i) => ['message', `m${i}`]));
      expect(log[101]).toEqual(['binary', 'Uint8Array', [7, 8]]);
      expect(log[102]).toEqual(['closed', 4001, 'server done']);
    },
  );

  it('a refused connection is error → errorDesc → closed 1006, as in Node', async () => {
    const log = await scenario('refused', `ws://127.0.0.1:${closedPort}`);
    expect(log.map((entry) => (entry as string[])[0])).toEqual(['error', 'errorDesc', 'closed']);
    expect(log[0]).toEqual(['error', 'connection_failed']);
    expect((log[1] as string[])[1]).toMatch(/^connection_failed: Could not connect/);
    expect(log[2]).toEqual(['closed', 1006, '']);
  });

  it('more than the shared ring holds while not pumped, and a message larger than it: all arrive, in order', async () => {
    const { indices, sizes } = (await scenario('ringFlood')) as unknown as { indices: number[]; sizes: number[] };
    expect(indices).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(sizes[300]).toBe(300 * 1024);
    expect(sizes.filter((size) => size === 1024)).toHaveLength(599);
  });

  it('attachToAnimationFrame tells the game of a frame that comes after a long stall, with what waits', async () => {
    const { gaps, messages } = (await scenario('longGap')) as unknown as {
      gaps: [number, number][];
      messages: number;
    };
    expect(gaps).toHaveLength(1); // the frame after the 1.5 s hold, and no other
    expect(gaps[0]![0]).toBeGreaterThanOrEqual(1500);
    // The shared ring is read by the backlog itself: what arrived during the hold is counted.
    if (transport === 'worker+ring') expect(gaps[0]![1]).toBeGreaterThan(50);
    expect(messages).toBeGreaterThan(100);
  });

  it('a flood past the hard cap while not pumped fails loudly with queue_overflow, keeping what came first', async () => {
    const log = (await scenario('overflow')) as [string, string | number][];
    const messages = log.filter((entry) => entry[0] === 'message').map((entry) => entry[1]);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages).toEqual(Array.from({ length: messages.length }, (_, i) => `f${i}`));
    expect(log.slice(messages.length)).toEqual([
      ['error', 'queue_overflow'],
      ['closed', 1006],
    ]);
  });

  it('an application ping measures latency where ping frames do not exist, and its replies reach no handler', async () => {
    const result = (await scenario('appPing')) as unknown as { latency: number; messages: string[] };
    expect(result.latency).toBeGreaterThan(0);
    expect(result.messages).toEqual(['echo hello']);
  });

  it('refuses what browsers cannot do, with typed errors', async () => {
    expect(await scenario('refusals')).toEqual([
      'StreamingUnsupportedError:streaming_unsupported',
      'InvalidCloseCodeError:invalid_close_code',
      'InvalidStateError:invalid_state',
      'InvalidUrlError:invalid_url',
    ]);
  });

  it('a manager dispatches in arrival order across its sockets, even when one socket is read first', async () => {
    expect(await scenario('managerOrder')).toEqual(['b1', 'a1', 'b2', 'a2']);
  });

  it('a manager pumps several sockets from attachToAnimationFrame', async () => {
    expect(await scenario('manager')).toEqual(['a says hi', 'b says hi']);
  });

  it('each socket’s worker is gone once the socket has closed', async () => {
    const workers = await page.evaluate(async () => {
      const counts = (window as unknown as { workers: { started: number; ended: number } }).workers;
      const deadline = performance.now() + 2000; // the refusals scenario's socket closes on its own
      while (counts.ended < counts.started && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return { ...counts };
    });
    if (transport === 'native') expect(workers.started).toBe(0);
    else expect(workers.started).toBeGreaterThanOrEqual(8);
    expect(workers.ended).toBe(workers.started);
  });
});

describe('browser bundle', () => {
  it('contains no ws and no node: import', () => {
    const bundle = readFileSync(BUNDLE, 'utf8');
    expect(bundle).not.toMatch(/from\s*["'](ws|node:[^"']*)["']/);
    expect(bundle).not.toMatch(/import\(\s*["'](ws|node:)/);
    expect(bundle).not.toMatch(/require\(/);
    expect(bundle).not.toMatch(/["']node:/);
  });
});
