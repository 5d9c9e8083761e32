// The bot sample as a load generator, and the demo as a newcomer runs it.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBots } from '../../samples/bot/bots.js';
import { type GameServer, startGameServer } from '../../samples/server/server.js';

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
});

describe('npm run demo', () => {
  it('runs the server and bots and exits 0 with --seconds', async () => {
    execFileSync(process.execPath, ['scripts/build-samples.mjs'], { stdio: 'inherit' });
    const child = spawn(process.execPath, ['samples/dist/demo.mjs', '--seconds', '3', '--bots', '4', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(killer);
        resolve(exitCode);
      });
    });
    expect(output).toMatch(/4\/4 bots connected, 4 closed exactly once/);
    expect(output).toMatch(/errors: none/);
    expect(code).toBe(0);
  });
});
