// The sample as a game, played in real headless Chromium: two pages (PixiJS, and Babylon.js
// through the worker transport) and bots in one room collect coins; the local player is
// predicted under a 3G network; a network blip resumes the session; a server restart ends in
// both pages playing again. Screenshots in test-artifacts/ (and docs/game.png, the README's,
// with UPDATE_SCREENSHOTS=1).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, runBots } from '../../samples/bot/bots.js';
import { type GameServer, startGameServer } from '../../samples/server/server.js';
import { launchChromium, SOFTWARE_WEBGL } from '../support/chromium.js';

const ARTIFACTS = 'test-artifacts';
const BOTS = 3;
let server: GameServer;
let browser: Browser;
let bots: Fleet;
let pixi: Page;
let babylon: Page;
const pageErrors: string[] = [];

interface Local {
  x: number;
  y: number;
  serverX: number;
  serverY: number;
  unanswered: number;
}
interface View {
  myId: number;
  state: string;
  session: string | undefined;
  resumed: boolean;
  rttMs: number;
  banner: string;
  local: Local | null;
  coins: { x: number; y: number }[];
  scores: { id: number; name: string; score: number }[];
  positionOf(id: number): { x: number; y: number } | null;
  setNetwork(net: string): void;
}

/** Read the page's game (a function of `view`, run in the page). */
function read<T, A = undefined>(page: Page, pick: (view: View, arg: A) => T, arg?: A): Promise<T> {
  return page.evaluate(
    ([source, value]) => new Function('view', 'arg', `return (${source})(view, arg)`)(globalThis.game, value),
    [pick.toString(), arg] as const,
  ) as Promise<T>;
}
declare global {
  var game: unknown;
}

/** Wait until `until` (a function of the page's game) holds. */
async function waitUntil<A>(page: Page, until: (view: View, arg: A) => boolean, arg?: A, timeout = 15_000) {
  await page.waitForFunction(
    ([source, value]) => new Function('view', 'arg', `return (${source})(view, arg)`)(globalThis.game, value),
    [until.toString(), arg] as const,
    { timeout },
  );
}

const scoreOf = (page: Page, id: number) =>
  read(page, (view, player: number) => view.scores.find((line) => line.id === player)?.score ?? -1, id);

async function openGame(name: 'pixi' | 'babylon', query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${String(error)}`));
  await page.goto(`${server.httpUrl}${name}.html?name=${name}${query}`);
  await waitUntil(page, (view) => view.state === 'open' && view.local !== null);
  return page;
}

/** Steer the page's player with its keyboard, to the nearest coin, until its score reaches `score`. */
async function collect(page: Page, score: number, deadlineMs = 30_000): Promise<void> {
  const id = await read(page, (view) => view.myId);
  const held = new Set<string>();
  const deadline = Date.now() + deadlineMs;
  try {
    while ((await scoreOf(page, id)) < score) {
      if (Date.now() > deadline) throw new Error(`no coin collected in ${deadlineMs} ms`);
      const { local, coins } = await read(page, (view) => ({ local: view.local, coins: view.coins }));
      const want = new Set<string>();
      const coin = [...coins].sort(
        (a, b) => (a.x - local!.x) ** 2 + (a.y - local!.y) ** 2 - ((b.x - local!.x) ** 2 + (b.y - local!.y) ** 2),
      )[0];
      if (coin !== undefined && local !== null) {
        if (Math.abs(coin.x - local.x) > 6) want.add(coin.x > local.x ? 'ArrowRight' : 'ArrowLeft');
        if (Math.abs(coin.y - local.y) > 6) want.add(coin.y > local.y ? 'ArrowDown' : 'ArrowUp');
      }
      for (const key of held) if (!want.has(key)) await page.keyboard.up(key);
      for (const key of want) if (!held.has(key)) await page.keyboard.down(key);
      held.clear();
      for (const key of want) held.add(key);
      await page.waitForTimeout(50);
    }
  } finally {
    for (const key of held) await page.keyboard.up(key);
  }
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-samples.mjs'], { stdio: 'inherit' });
  server = await startGameServer({ staticDir: 'samples/dist/web' });
  browser = await launchChromium(SOFTWARE_WEBGL);
  bots = runBots({ url: server.url, bots: BOTS, hz: 30 });
  pixi = await openGame('pixi');
  babylon = await openGame('babylon', '&transport=worker');
}, 60_000);

afterAll(async () => {
  bots?.stop();
  await bots?.done;
  await browser?.close();
  await server?.close();
});

describe('the sample game in Chromium', () => {
  it('two pages and bots in one room: a coin picked up changes the score on every page', async () => {
    for (const page of [pixi, babylon]) await waitUntil(page, (view, n) => view.scores.length === n, BOTS + 2);
    const pixiId = await read(pixi, (view) => view.myId);
    await collect(pixi, 1);
    // The PixiJS player's coin is on the Babylon.js page's board too, and the bots' are on both.
    await waitUntil(babylon, (view, id) => (view.scores.find((line) => line.id === id)?.score ?? 0) >= 1, pixiId);
    await waitUntil(
      pixi,
      (view) => view.scores.filter((line) => line.name.startsWith('bot-') && line.score > 0).length > 0,
    );
    const boards = await Promise.all([pixi, babylon].map((page) => read(page, (view) => view.scores)));
    expect(boards[0]!.map((line) => line.name).sort()).toEqual(boards[1]!.map((line) => line.name).sort());
    expect(boards[0]!.map((line) => line.name).sort()).toEqual(['babylon', 'bot-1', 'bot-2', 'bot-3', 'pixi']);
    // The board on the page, as the player sees it.
    expect(await pixi.locator('#scores li.mine').textContent()).toMatch(/^pixi \(#\d+\) [1-9]\d*$/);
    expect(pageErrors).toEqual([]);
  });

  it('the README screenshot: the game with its overlay, the board and bots playing', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await pixi.waitForTimeout(2_000); // the overlay's graphs fill with seconds of play
    const png = await pixi.screenshot({ clip: { x: 0, y: 0, width: 1200, height: 960 } });
    writeFileSync(`${ARTIFACTS}/game.png`, png);
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(`${ARTIFACTS}/game.png`, 'docs/game.png');
    // The README's image is one of these: a PNG of the same size (regenerate: npm run screenshot).
    expect(existsSync('docs/game.png'), 'docs/game.png (npm run screenshot)').toBe(true);
    const size = (bytes: Buffer) => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    expect(size(readFileSync('docs/game.png'))).toEqual(size(png));
  });

  it('prediction: under 3G (240 ms round trips) the local player moves at once; the server confirms later and they agree', async () => {
    await read(pixi, (view) => view.setNetwork('3g'));
    await waitUntil(pixi, (view) => view.rttMs > 200);
    const before = (await read(pixi, (view) => view.local))!;
    const key = before.x < 400 ? 'ArrowRight' : 'ArrowLeft';
    await pixi.keyboard.down(key);
    // Three frames later the player has moved on the page; the server has not seen the input yet.
    await pixi.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await pixi.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const moved = (await read(pixi, (view) => view.local))!;
    expect(Math.abs(moved.x - before.x)).toBeGreaterThan(1);
    expect(moved.serverX).toBe(before.serverX);
    expect(moved.unanswered).toBeGreaterThan(0);
    await pixi.waitForTimeout(500);
    await pixi.keyboard.up(key);
    // Once every input is answered, the predicted position is the server's (the same rule on both sides).
    await waitUntil(pixi, (view) => view.local !== null && view.local.unanswered === 0);
    const settled = (await read(pixi, (view) => view.local))!;
    expect(Math.abs(settled.x - settled.serverX)).toBeLessThan(0.01);
    expect(Math.abs(settled.x - before.x)).toBeGreaterThan(50); // about half a second at 160 units/s
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}/game-3g.png`, await pixi.screenshot({ fullPage: true }));
    await read(pixi, (view) => view.setNetwork('none'));
  });

  it('a network blip: both pages show “reconnecting…”, then resume their session (same player, same score)', async () => {
    const before = await Promise.all(
      [pixi, babylon].map((page) => read(page, (view) => ({ id: view.myId, session: view.session }))),
    );
    const scores = await Promise.all(before.map(({ id }, index) => scoreOf([pixi, babylon][index]!, id)));
    server.dropConnections();
    await waitUntil(pixi, (view) => view.banner.startsWith('reconnecting…'));
    for (const [index, page] of [pixi, babylon].entries()) {
      await waitUntil(page, (view) => view.state === 'open' && view.banner === '' && view.local !== null);
      const after = await read(page, (view) => ({ id: view.myId, session: view.session, resumed: view.resumed }));
      expect(after).toEqual({ ...before[index], resumed: true });
      expect(await scoreOf(page, after.id)).toBeGreaterThanOrEqual(scores[index]!);
    }
  });

  it('the server restarts: both pages play again in the new room', async () => {
    const port = Number(new URL(server.httpUrl).port);
    bots.stop();
    await bots.done;
    await server.close();
    for (const page of [pixi, babylon]) await waitUntil(page, (view) => view.banner.startsWith('reconnecting…'));
    // Taken while the server is down, so the banner is still up (after a blip it can be gone by the shot).
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}/game-reconnecting.png`, await pixi.locator('#stage').screenshot());
    server = await startGameServer({ port, staticDir: 'samples/dist/web' });
    for (const page of [pixi, babylon]) {
      await waitUntil(page, (view) => view.state === 'open' && view.local !== null && view.scores.length === 2);
      expect(await read(page, (view) => ({ resumed: view.resumed, banner: view.banner }))).toEqual({
        resumed: false, // a new server holds no session: a new player
        banner: '',
      });
    }
    // Playing: the PixiJS player moves, and the Babylon.js page sees it.
    const id = await read(pixi, (view) => view.myId);
    // The others are drawn a little in the past: the new player shows once that past has it.
    await waitUntil(babylon, (view, player) => view.positionOf(player) !== null, id);
    const start = (await read(babylon, (view, player) => view.positionOf(player), id))!;
    const key = start.x < 400 ? 'ArrowRight' : 'ArrowLeft';
    await pixi.keyboard.down(key);
    await pixi.waitForTimeout(600);
    await pixi.keyboard.up(key);
    await waitUntil(babylon, (view, [player, x]) => Math.abs((view.positionOf(player)?.x ?? x) - x) > 40, [
      id,
      start.x,
    ] as const);
    expect(pageErrors).toEqual([]);
  });
});
