// The Artillery engine as a team installs it: the packed ticksocket and the packed engine in a
// fresh app, `artillery run` (the pinned one scripts/setup-test-deps.sh keeps in .runtimes/,
// telemetry off) on a scenario against a local `ws` server, and Artillery's JSON report read back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllServers, runProcess, startServer, type TestServer } from '../support/helpers.js';

const ARTILLERY = resolve('.runtimes/artillery/node_modules/.bin/artillery');
let app = '';
let server: TestServer;
const received: string[] = [];

beforeAll(async () => {
  if (!existsSync(ARTILLERY)) throw new Error('artillery is not in .runtimes/: run bash scripts/setup-test-deps.sh');
  app = mkdtempSync(join(tmpdir(), 'ticksocket-artillery-'));
  const pack = (dir: string) =>
    JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: dir, encoding: 'utf8' }))[0]
      .filename as string;
  const library = pack('.');
  const engine = pack('integrations/artillery');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'load-test', private: true, type: 'module' }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(app, library), join(app, engine)],
    {
      cwd: app,
      stdio: 'ignore',
    },
  );
  server = await startServer((socket) => socket.on('message', (data) => received.push(String(data))));
}, 120_000);

afterAll(async () => {
  await closeAllServers();
  if (app !== '') rmSync(app, { recursive: true, force: true });
});

describe('artillery-engine-ticksocket', () => {
  it('runs a scenario (connect, a 20 Hz loop, think, send, close): Artillery reports the engine’s metrics, no errors', async () => {
    writeFileSync(
      join(app, 'scenario.yml'),
      `config:
  target: "${server.url}"
  phases:
    - duration: 2
      arrivalRate: 4
  engines:
    ticksocket: {}
scenarios:
  - engine: ticksocket
    flow:
      - connect: {}
      - loop: { hz: 20, duration: 1, send: "input" }
      - think: 0.2
      - send: "bye"
      - close: {}
`,
    );
    const { code, output } = await runProcess(ARTILLERY, ['run', '--output', 'report.json', 'scenario.yml'], {
      cwd: app,
      // Artillery resolves engines from where it is installed; the app's node_modules hold this one.
      env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', NODE_PATH: join(app, 'node_modules') },
      timeoutMs: 90_000,
    });
    expect(code, output).toBe(0);
    const { aggregate } = JSON.parse(readFileSync(join(app, 'report.json'), 'utf8'));
    const counters = aggregate.counters as Record<string, number>;
    expect(counters['vusers.created'], output).toBe(8);
    expect(counters['vusers.completed']).toBe(8);
    expect(counters['vusers.failed'] ?? 0).toBe(0);
    expect(Object.keys(counters).filter((name) => name.startsWith('errors.') || name.includes('.errors.'))).toEqual([]);
    expect(counters['ticksocket.connected']).toBe(8);
    expect(counters['ticksocket.closed']).toBe(8);
    expect(counters['ticksocket.messages_sent']).toBe(received.length); // every send reached the server
    expect(received.filter((text) => text === 'bye')).toHaveLength(8);
    expect(received.filter((text) => text === 'input').length).toBeGreaterThanOrEqual(8 * 15); // 1 s at 20 Hz each
    expect(aggregate.summaries['ticksocket.rtt']?.count).toBeGreaterThan(0);
  });
});
