// The bot fleet a team points at its own server: the CLI with a custom script against a local
// `ws` server (its report against what the server counted), across worker threads too, bad
// flags, and the API's ramp-up.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetSummary, runFleet, summarize } from '../../src/bots/index.js';
import { closeAllServers, runProcess, startProcess, startServer, type TestServer } from '../support/helpers.js';

let server: TestServer;
let received = 0;
let sent = 0;
let dir = '';

// A game's own bot: sends its clock every step, times the echo itself.
const SCRIPT = `
export function setup(bot) {
  bot.socket.on('message', (_s, text) => bot.recordRtt(performance.now() - Number(text.slice(2))));
}
export function tick(bot) {
  bot.send('t:' + performance.now());
}
`;

beforeAll(async () => {
  server = await startServer((socket) =>
    socket.on('message', (data) => {
      received++;
      sent++;
      socket.send(String(data));
    }),
  );
  dir = mkdtempSync(join(tmpdir(), 'ticksocket-bots-'));
  writeFileSync(join(dir, 'my-bot.mjs'), SCRIPT);
  // The CLI runs from dist/ (the package's bin): npm test builds before vitest runs.
  if (!existsSync('dist/bots/cli.js')) throw new Error('dist/bots/cli.js is missing: run npm run build');
});

afterAll(async () => {
  await closeAllServers();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runProcess(process.execPath, ['dist/bots/cli.js', ...args]);

describe('ticksocket-bots', () => {
  it.each([1, 2])(
    'a custom script for 3 s on %i worker(s): the report matches what the server counted',
    async (workers) => {
      received = 0;
      sent = 0;
      const json = join(dir, `report-${workers}.json`);
      const { code, output } = await cli([
        '--url',
        server.url,
        '--bots',
        '40',
        '--hz',
        '20',
        '--seconds',
        '3',
        '--script',
        join(dir, 'my-bot.mjs'),
        '--workers',
        String(workers),
        '--json',
        json,
      ]);
      expect(code, output).toBe(0);
      expect(output).toMatch(/bots \d+\/40 open \| in [\d,]+ msg\/s/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as FleetSummary;
      expect(report).toMatchObject({ bots: 40, connected: 40, failed: 0, closedOnce: 40, errors: {} });
      expect(report.messagesOut).toBe(received); // every send reached the server...
      expect(report.messagesIn).toBeLessThanOrEqual(sent); // ...and what came back was counted, none twice
      expect(report.messagesIn).toBeGreaterThan(sent - 40 * 2); // (the last step's echoes may meet the close)
      expect(report.messagesOut).toBeGreaterThan(40 * 20 * 2); // 3 s at 20 Hz, bar the start
      expect(report.rttMs.count).toBe(report.messagesIn); // the script timed every echo
      expect(report.rttMs.p50).toBeGreaterThan(0);
      expect(report.rttMs.p99).toBeGreaterThanOrEqual(report.rttMs.p50);
      expect(report.loopLagMs.count).toBeGreaterThan(0);
    },
  );

  it.each([
    [['--url', 'ws://127.0.0.1:1', '--bots', 'many'], /--bots must be a number, got "many"/],
    [['--url', 'ws://127.0.0.1:1', '--bots', '0'], /bots must be a whole number above 0/],
    [['--url', 'ftp://127.0.0.1:1'], /ws:|wss:/],
    [['--bots', '3'], /--url is required/],
    [['--url', 'ws://127.0.0.1:1', '--botz', '3'], /Unknown option '--botz'/],
    [['--url', 'ws://127.0.0.1:1', '--net', 'wifi'], /--net must be one of lan/],
    [['--url', 'ws://127.0.0.1:1', '--script', 'no-such-bot.mjs'], /Could not load the bot script no-such-bot.mjs/],
  ])('%j: the mistake and the usage, exit 2, no stack trace', async (args, message) => {
    const { code, output } = await cli(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).toMatch(/Usage: ticksocket-bots --url/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it.each([1, 2])(
    'Ctrl-C on %i worker(s): the bots close and the report covers what ran, exit 0',
    async (workers) => {
      const json = join(dir, `stopped-${workers}.json`);
      const args = [
        '--url',
        server.url,
        '--bots',
        '10',
        '--seconds',
        '600',
        '--workers',
        String(workers),
        '--json',
        json,
      ];
      const cli = startProcess(process.execPath, ['dist/bots/cli.js', ...args]);
      try {
        await cli.waitFor(/bots 10\/10 open/, 30_000);
        await cli.interrupt();
        expect(await cli.exit(20_000), cli.output).toBe(0);
        const report = JSON.parse(readFileSync(json, 'utf8')) as FleetSummary;
        expect(report).toMatchObject({ bots: 10, connected: 10, failed: 0, closedOnce: 10 });
        expect(report.seconds).toBeLessThan(60);
        expect(report.messagesOut).toBeGreaterThan(0);
      } finally {
        cli.kill();
      }
    },
    60_000,
  );

  it('--help: the usage, exit 0', async () => {
    const { code, output } = await cli(['--help']);
    expect(code).toBe(0);
    expect(output).toMatch(/--workers N/);
  });
});

describe('runFleet', () => {
  it('ramps up: bots start at the rate asked, and all end closed once', async () => {
    const opens: number[] = [];
    const report = await runFleet({
      url: server.url,
      bots: 30,
      hz: 20,
      seconds: 4.5,
      rampUp: 10,
      onStatus: (status) => opens.push(status.open),
    });
    // About 10 a second, not 30 at once (how many by the first status depends on when it comes).
    expect(opens[0]).toBeLessThan(30);
    for (let i = 1; i < opens.length - 1; i++) expect(opens[i]).toBeGreaterThanOrEqual(opens[i - 1]!);
    expect(Math.max(...opens)).toBe(30);
    expect(summarize(report)).toMatchObject({ connected: 30, closedOnce: 30, failed: 0 });
  });

  it('stops early when its signal aborts, and refuses a signal that is not one', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const report = await runFleet({ url: server.url, bots: 5, seconds: 600, signal: stop.signal });
    expect(summarize(report)).toMatchObject({ connected: 5, closedOnce: 5, failed: 0 });
    expect(report.seconds).toBeLessThan(60);
    expect(() => runFleet({ url: server.url, bots: 1, seconds: 1, signal: 'stop' as never })).toThrow(
      /signal must be an AbortSignal/,
    );
  });

  it('a fleet behind its schedule skips the slots it missed: never two steps of a bot in one turn', async () => {
    const turnsOfTicks: number[] = [];
    let turn = 0;
    let turnCounted = false;
    let stalled = false;
    const report = await runFleet({
      url: server.url,
      bots: 1,
      hz: 50,
      seconds: 1.5,
      socket: { pingInterval: 0 },
      script: {
        tick() {
          // ticks in the same turn of the event loop count together (the microtask ends the turn)
          turnsOfTicks[turn] = (turnsOfTicks[turn] ?? 0) + 1;
          if (!turnCounted) {
            turnCounted = true;
            queueMicrotask(() => {
              turn++;
              turnCounted = false;
            });
          }
          if (!stalled) {
            stalled = true;
            const until = performance.now() + 300; // the bot host stalls for 15 slots
            while (performance.now() < until);
          }
        },
      },
    });
    expect(stalled).toBe(true);
    expect(turnsOfTicks.length).toBeGreaterThan(10);
    expect(Math.max(...turnsOfTicks.filter((n) => n !== undefined))).toBe(1);
    expect(summarize(report)).toMatchObject({ connected: 1, closedOnce: 1, failed: 0 });
  });
});
