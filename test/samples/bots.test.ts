// The bot sample as a load generator, and the demo as a newcomer runs it.
import { execFileSync } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBots } from '../../samples/bot/bots.js';
import { NETWORK_PRESET_NAMES } from '../../samples/demo-args.mjs';
import { type GameServer, startGameServer } from '../../samples/server/server.js';
import { NETWORK_PRESETS } from '../../src/index.js';
import { runProcess, startProcess } from '../support/helpers.js';

let server: GameServer;
beforeAll(async () => {
  server = await startGameServer();
});
afterAll(async () => {
  await server?.close();
});

describe('bots', () => {
  it('50 bots connect, send, receive, and each ends with closed exactly once', async () => {
    const statuses: number[] = [];
    const fleet = runBots({
      url: server.url,
      bots: 50,
      hz: 20,
      seconds: 3,
      onStatus: (_line, status) => statuses.push(status.connected),
    });
    const reports = await fleet.done;
    expect(reports).toHaveLength(50);
    for (const [index, report] of reports.entries()) {
      expect(report.opened, `bot ${index} opened`).toBe(true);
      expect(report.sent, `bot ${index} sent`).toBeGreaterThan(10);
      expect(report.snapshots, `bot ${index} snapshots`).toBeGreaterThan(10);
      expect(report.closedEvents, `bot ${index} closed events`).toBe(1);
      expect(report.closeCode).toBe(1000);
      expect(report.errors).toEqual([]);
    }
    expect(Math.max(...statuses)).toBe(50);
    expect(server.stats.received).toBeGreaterThan(50 * 10);
  });

  it('--net 3g: every bot plays through its own lab; round trips carry both directions’ latency', async () => {
    const rttP50s: number[] = [];
    const fleet = runBots({
      url: server.url,
      bots: 10,
      hz: 20,
      seconds: 3,
      net: '3g',
      onStatus: (line, status) => {
        expect(line).toContain('(net 3g)');
        if (status.rttP50 > 0) rttP50s.push(status.rttP50);
      },
    });
    const reports = await fleet.done;
    for (const report of reports) {
      expect(report.opened).toBe(true);
      expect(report.closedEvents).toBe(1);
      expect(report.errors).toEqual([]);
    }
    // 120 ms each way with normal jitter (sd 20): the median round trip is about 240 ms.
    expect(rttP50s.at(-1)).toBeGreaterThan(180);
  });

  it('the demo’s --net names are the library’s presets', () => {
    expect([...NETWORK_PRESET_NAMES]).toEqual(Object.keys(NETWORK_PRESETS));
  });
});

const run = (args: string[], timeoutMs = 30_000) => runProcess(process.execPath, args, { timeoutMs });

describe('npm run demo', () => {
  it('runs the server and bots and exits 0 with --seconds', async () => {
    execFileSync(process.execPath, ['scripts/build-samples.mjs'], { stdio: 'inherit' });
    const { code, output } = await run(['samples/dist/demo.mjs', '--seconds', '3', '--bots', '4', '--port', '0']);
    expect(output).toMatch(/4\/4 bots connected, 4 closed exactly once/);
    expect(output).toMatch(/errors: none/);
    expect(code).toBe(0);
  });

  it('on a busy port, says so and uses a free one (no EADDRINUSE stack trace)', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const { code, output } = await run(
        ['scripts/demo.mjs', '--seconds', '2', '--bots', '2', '--port', `${port}`],
        60_000,
      );
      expect(output).toContain(`port ${port} is busy; using a free one`);
      expect(output).toMatch(/2\/2 bots connected, 2 closed exactly once/);
      expect(code).toBe(0);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it.each([
    [['--second', '5'], /Unknown option '--second'/],
    [['--bots', 'many'], /--bots must be a whole number from 1 to 10000, got "many"/],
    [['--port', '70000'], /--port must be a port from 0 to 65535/],
    [['extra'], /Unexpected argument 'extra'/],
    [
      ['--net', 'wifi'],
      /--net must be one of lan, broadband, dsl, 4g, 3g, edge, satellite, congested-wifi, got "wifi"/,
    ],
  ])('%j: the mistake and the usage, exit 2, before anything is built', async (args, message) => {
    const { code, output } = await run(['scripts/demo.mjs', ...args]);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).toMatch(/Usage: npm run demo -- \[options\]/);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('Ctrl-C: the bots stop, the summary is printed, exit 0', async () => {
    // Stopped as a terminal does it: SIGINT to the whole process group (scripts/demo.mjs and the demo
    // it runs), and the copy that npm forwards a moment later (under `npm run demo` it comes from npm).
    const demo = startProcess(process.execPath, ['scripts/demo.mjs', '--bots', '2', '--port', '0'], { group: true });
    try {
      await demo.waitFor(/bots 2\/2/, 60_000);
      await demo.interrupt();
      const code = await demo.exit(20_000);
      expect(demo.output).toMatch(/2\/2 bots connected, 2 closed exactly once/);
      expect(code).toBe(0);
    } finally {
      demo.kill();
    }
  }, 90_000);

  it('--help: the usage, exit 0', async () => {
    const { code, output } = await run(['scripts/demo.mjs', '--help']);
    expect(code).toBe(0);
    expect(output).toMatch(/Usage: npm run demo -- \[options\][\s\S]*--seconds N/);
  });
});
