// The network overlay (`ticksocket/devtools`) in real Chromium: attached to a socket while the
// server streams at 60 Hz, its graphs move with the traffic (two screenshots a second apart differ
// in the graph area), the key toggles it, it reports what it costs a frame, and none of it is in
// the main browser bundle.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type BrowserHarness, BUNDLE, DEVTOOLS_BUNDLE, startBrowserHarness } from './harness.js';

let harness: BrowserHarness;
let wss: WebSocketServer;

beforeAll(async () => {
  harness = await startBrowserHarness();
  wss = new WebSocketServer({ server: harness.http });
  wss.on('connection', (client) => {
    let tick = 0;
    // 60 Hz snapshots of a size that changes, echoes of the client's inputs
    const timer = setInterval(() => client.send(Buffer.alloc(64 + ((tick++ * 37) % 900))), 16);
    client.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
    client.on('close', () => clearInterval(timer));
  });
});

afterAll(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise((resolve) => wss?.close(resolve));
  await harness?.close();
});

describe('the network overlay', () => {
  it('draws graphs that move with the traffic, toggles with its key, and says what it costs', async () => {
    const page = harness.page;
    // as source text: the test runner would rewrite a dynamic import() in a function
    await page.evaluate(`(async () => {
      const { WebSocket } = await import('/ticksocket.js');
      const { attachOverlay } = await import('/devtools.js');
      const socket = new WebSocket('ws://${harness.host}/stream', {
        pingInterval: 100,
        appPing: { message: 'ping', reply: (data) => data === 'ping' },
      });
      socket.on('binary', () => {});
      socket.open();
      const pump = () => {
        socket.update();
        if (socket.isOpen) socket.send(new Uint8Array(20));
        requestAnimationFrame(pump);
      };
      requestAnimationFrame(pump);
      window.overlay = attachOverlay(socket, { key: 'F2', title: 'test room' });
    })()`);
    const canvas = page.locator('canvas[data-ticksocket-overlay]');
    await page.waitForTimeout(1500);
    const first = await canvas.screenshot();
    await page.waitForTimeout(1000);
    const second = await canvas.screenshot();
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/overlay-1.png', first);
    writeFileSync('test-artifacts/overlay-2.png', second);
    expect(first.equals(second)).toBe(false);
    const cost = await page.evaluate(() => (window as unknown as { overlay: { costMs: number } }).overlay.costMs);
    expect(cost).toBeGreaterThan(0);
    console.log(`overlay: ${(cost * 1000).toFixed(0)} µs per frame (sampling and drawing), Chromium headless`);
    await page.keyboard.press('F2');
    expect(await canvas.isVisible()).toBe(false);
    await page.keyboard.press('F2');
    expect(await canvas.isVisible()).toBe(true);
    expect(harness.pageErrors).toEqual([]);
  });

  it('writes every label inside the panel (a long title, the counts)', async () => {
    const page = await harness.openPage('/');
    try {
      await page.evaluate(`(async () => {
        // Every text the overlay draws, checked against its canvas as it is drawn.
        window.overflows = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
          const width = Math.min(this.measureText(text).width, maxWidth ?? Infinity);
          if (x + width > this.canvas.width) window.overflows.push(text);
          return fillText.call(this, text, x, y, maxWidth);
        };
        const { WebSocket } = await import('/ticksocket.js');
        const { attachOverlay } = await import('/devtools.js');
        const socket = new WebSocket('ws://${harness.host}/stream');
        socket.on('binary', () => {});
        socket.open();
        const pump = () => {
          socket.update();
          window.pumped++;
          requestAnimationFrame(pump);
        };
        window.pumped = 0;
        requestAnimationFrame(pump);
        attachOverlay(socket, { key: 'F2', title: 'room · F2 hides · a title longer than the panel is wide' });
      })()`);
      await page.waitForFunction(() => (window as unknown as { pumped: number }).pumped > 30);
      expect(await page.evaluate(() => (window as unknown as { overflows: string[] }).overflows)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('is not in the main browser bundle', () => {
    const main = readFileSync(BUNDLE, 'utf8');
    const devtools = readFileSync(DEVTOOLS_BUNDLE, 'utf8');
    expect(devtools).toContain('ticksocketOverlay');
    expect(main).not.toContain('ticksocketOverlay');
    expect(main).not.toContain('coalesced ${');
  });
});
