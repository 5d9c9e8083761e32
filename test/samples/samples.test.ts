// The samples as a player meets them: the sample server, the PixiJS page and the Babylon.js
// page in real headless Chromium (software WebGL), each a player in the same room.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GameServer, startGameServer } from '../../samples/server/server.js';
import { launchChromium, SOFTWARE_WEBGL } from '../support/chromium.js';

const ARTIFACTS = 'test-artifacts';
let server: GameServer;
let browser: Browser;
let pixi: Page;
let babylon: Page;
const pageErrors: string[] = [];
/** Every console line of the pages (PixiJS titles its deprecations in a console group). */
const consoleLines: string[] = [];

interface GameView {
  myId: number;
  playerIds: number[];
  chat: string[];
  state: string;
  viaWorker: boolean;
  isolated: boolean;
}

const game = (page: Page): Promise<GameView> =>
  page.evaluate(() => {
    const view = (globalThis as unknown as { game: GameView }).game;
    return {
      myId: view.myId,
      playerIds: view.playerIds,
      chat: view.chat,
      state: view.state,
      viaWorker: view.viaWorker,
      isolated: view.isolated,
    };
  });

async function openGame(name: 'pixi' | 'babylon', query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${String(error)}`));
  page.on('console', (message) => consoleLines.push(`${name} ${message.type()}: ${message.text()}`));
  await page.goto(`${server.httpUrl}${name}.html?name=${name}-tester${query}`);
  await page.waitForFunction(() => (globalThis as unknown as { game?: GameView }).game?.state === 'open', undefined, {
    timeout: 15_000,
  });
  return page;
}

/** Distinct colours (quantized) in a PNG, counted by decoding it in the browser. */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
    const image = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < pixels.length; i += 4)
      colours.add(((pixels[i]! >> 4) << 8) | ((pixels[i + 1]! >> 4) << 4) | (pixels[i + 2]! >> 4));
    return colours.size;
  }, png.toString('base64'));
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-samples.mjs'], { stdio: 'inherit' });
  server = await startGameServer({ staticDir: 'samples/dist/web' });
  browser = await launchChromium(SOFTWARE_WEBGL);
  pixi = await openGame('pixi');
  babylon = await openGame('babylon', '&transport=worker'); // one game through the worker transport
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('PixiJS and Babylon.js samples in Chromium', () => {
  it('each player appears in the other’s state', async () => {
    await pixi.waitForFunction(
      () => (globalThis as unknown as { game: GameView }).game.playerIds.length >= 2,
      undefined,
      { timeout: 10_000 },
    );
    await babylon.waitForFunction(
      () => (globalThis as unknown as { game: GameView }).game.playerIds.length >= 2,
      undefined,
      { timeout: 10_000 },
    );
    const [pixiView, babylonView] = [await game(pixi), await game(babylon)];
    expect([pixiView.viaWorker, babylonView.viaWorker]).toEqual([false, true]);
    // The sample server makes its pages cross-origin isolated: the worker transport uses its shared ring.
    expect([pixiView.isolated, babylonView.isolated]).toEqual([true, true]);
    expect(pixiView.myId).toBeGreaterThan(0);
    expect(babylonView.myId).toBeGreaterThan(0);
    expect(pixiView.playerIds).toContain(babylonView.myId);
    expect(babylonView.playerIds).toContain(pixiView.myId);
    expect(pageErrors).toEqual([]);
  });

  it('keyboard input crosses: the PixiJS player moves in the Babylon.js scene', async () => {
    const { myId } = await game(pixi);
    const positionOf = (page: Page) =>
      page.evaluate(
        (id) =>
          (
            globalThis as unknown as { game: { positionOf(id: number): { x: number; y: number } | null } }
          ).game.positionOf(id),
        myId,
      );
    const before = await positionOf(babylon);
    await pixi.keyboard.down('ArrowLeft');
    await pixi.waitForTimeout(700);
    await pixi.keyboard.up('ArrowLeft');
    await pixi.waitForTimeout(300);
    const after = await positionOf(babylon);
    expect(before).not.toBeNull();
    expect(after!.x).toBeLessThan(before!.x);
  });

  it('the pages log no deprecation (PixiJS v8: a Graphics is a leaf, labels live beside it)', () => {
    expect(consoleLines.filter((line) => /deprecat/i.test(line))).toEqual([]);
  });

  it('in the Babylon.js scene every sphere carries its player’s number, facing the camera', async () => {
    const labels = await babylon.evaluate(() => {
      const scene = (
        globalThis as unknown as {
          scene: { getMeshByName(name: string): { billboardMode: number; parent: { name: string } | null } | null };
        }
      ).scene;
      const ids = (globalThis as unknown as { game: GameView }).game.playerIds;
      return ids.map((id) => {
        const label = scene.getMeshByName(`label-${id}`);
        return { id, parent: label?.parent?.name ?? null, billboard: label?.billboardMode ?? 0 };
      });
    });
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const label of labels) expect(label).toEqual({ id: label.id, parent: `player-${label.id}`, billboard: 7 });
  });

  it('in the Babylon.js scene the arrow keys steer the player and leave the camera alone', async () => {
    await babylon.locator('#stage canvas').click();
    const alpha = () => babylon.evaluate(() => (globalThis as unknown as { camera: { alpha: number } }).camera.alpha);
    const before = await alpha();
    await babylon.keyboard.down('ArrowLeft');
    await babylon.waitForTimeout(400);
    await babylon.keyboard.up('ArrowLeft');
    expect(await alpha()).toBe(before);
  });

  it('a chat longer than the list is not redrawn every frame, and its newest lines are shown', async () => {
    for (let i = 0; i < 12; i++) {
      await pixi.fill('#chat-input', `line ${i}`);
      await pixi.press('#chat-input', 'Enter');
    }
    await pixi.waitForFunction(
      () => document.querySelector('#chat')?.lastElementChild?.textContent?.endsWith('line 11'),
      undefined,
      {
        timeout: 10_000,
      },
    );
    const redraws = await pixi.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let count = 0;
          const observer = new MutationObserver((records) => {
            count += records.length;
          });
          observer.observe(document.querySelector('#chat')!, { childList: true });
          setTimeout(() => {
            observer.disconnect();
            resolve(count);
          }, 500);
        }),
    );
    expect(redraws).toBe(0); // about 30 frames, no new line
  });

  it('chat text crosses from one page to the other', async () => {
    await pixi.fill('#chat-input', 'hello from pixi');
    await pixi.press('#chat-input', 'Enter');
    await babylon.waitForFunction(
      () => (globalThis as unknown as { game: GameView }).game.chat.includes('pixi-tester: hello from pixi'),
      undefined,
      { timeout: 10_000 },
    );
    await babylon.fill('#chat-input', 'hi from babylon');
    await babylon.press('#chat-input', 'Enter');
    await pixi.waitForFunction(
      () => (globalThis as unknown as { game: GameView }).game.chat.includes('babylon-tester: hi from babylon'),
      undefined,
      { timeout: 10_000 },
    );
  });

  it('both canvases render something (screenshots in test-artifacts/)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [name, page] of [
      ['pixi', pixi],
      ['babylon', babylon],
    ] as const) {
      const png = await page.locator('#stage canvas').screenshot();
      writeFileSync(`${ARTIFACTS}/${name}.png`, png);
      // A blank canvas is one colour; the field, the players and the lighting make many more.
      expect(await distinctColours(page, png), `${name} canvas colours`).toBeGreaterThanOrEqual(4);
    }
    expect(pageErrors).toEqual([]);
  });

  it('?net=3g plays through the network lab: the HUD shows the conditions and the added latency (screenshot)', async () => {
    const page = await openGame('pixi', '&net=3g');
    type NetView = { rttMs: number; networkLine: string; network: { preset?: string }; setNetwork(net: string): void };
    await page.waitForFunction(() => (globalThis as unknown as { game: NetView }).game.rttMs > 0, undefined, {
      timeout: 15_000,
    });
    const seen = await page.evaluate(() => {
      const net = (globalThis as unknown as { game: NetView }).game;
      return { preset: net.network.preset, rtt: net.rttMs, line: net.networkLine };
    });
    expect(seen.preset).toBe('3g');
    // 120 ms each way (normal jitter, sd 20): a round trip far above loopback's fraction of a ms.
    expect(seen.rtt).toBeGreaterThan(100);
    expect(seen.line).toMatch(/^net: 3g \+120±20 ms each way, ↓250 KB\/s ↑48 KB\/s, 2% loss · added \d+ ms$/);
    await page.waitForFunction(() => /added [1-9]\d* ms/.test(document.querySelector('#net-line')?.textContent ?? ''));
    expect(await page.locator('#net').inputValue()).toBe('3g');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}/pixi-3g.png`, await page.screenshot({ fullPage: true }));
    // The selector's way: back to a perfect network while playing; the smoothed round trip (a ping
    // every 500 ms, each moving it an eighth of the way) falls toward loopback's.
    await page.locator('#net').selectOption('none');
    await page.waitForFunction(() => (globalThis as unknown as { game: NetView }).game.rttMs < 120, undefined, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (globalThis as unknown as { game: NetView }).game.networkLine)).toBe('net: none');
    await page.close();
    // The lab wraps any transport: here the worker one, in the Babylon.js page, on EDGE (160 ms each way).
    const edge = await openGame('babylon', '&transport=worker&net=edge');
    await edge.waitForFunction(() => (globalThis as unknown as { game: NetView }).game.rttMs > 0, undefined, {
      timeout: 15_000,
    });
    const viaWorker = await edge.evaluate(() => {
      const net = (globalThis as unknown as { game: NetView & { viaWorker: boolean } }).game;
      return { viaWorker: net.viaWorker, preset: net.network.preset, rtt: net.rttMs };
    });
    expect(viaWorker).toMatchObject({ viaWorker: true, preset: 'edge' });
    expect(viaWorker.rtt).toBeGreaterThan(150);
    await edge.close();
    expect(pageErrors).toEqual([]);
  });

  it('the server stops and comes back: both pages reconnect by themselves and play on', async () => {
    const port = Number(new URL(server.httpUrl).port);
    await server.close();
    for (const page of [pixi, babylon]) {
      await page.waitForFunction(
        () => (globalThis as unknown as { game: GameView }).game.state === 'reconnecting',
        undefined,
        {
          timeout: 10_000,
        },
      );
      expect((await game(page)).playerIds).toEqual([]); // no stale players while the server is gone
    }
    server = await startGameServer({ port, staticDir: 'samples/dist/web' });
    for (const page of [pixi, babylon]) {
      await page.waitForFunction(
        () => {
          const view = (globalThis as unknown as { game: GameView & { reconnects: number } }).game;
          return view.state === 'open' && view.reconnects === 1 && view.playerIds.length === 2;
        },
        undefined,
        { timeout: 15_000 },
      );
    }
    expect(pageErrors).toEqual([]);
  });

  it('the browser bundles contain no ws and no node: import', () => {
    const bundles = readdirSync('samples/dist/web').filter((file) => file.endsWith('.js'));
    expect(bundles.sort()).toEqual(['babylon.js', 'pixi.js']);
    for (const file of bundles) {
      const code = readFileSync(`samples/dist/web/${file}`, 'utf8');
      expect(code, file).not.toMatch(/from\s*["'](ws|node:[^"']*)["']/);
      expect(code, file).not.toMatch(/["']node:/);
    }
  });
});
