// The runtime suite: the same contract (test/runtimes/contract.mjs) run inside Bun and Deno (and
// Node, as the reference), each importing 'ticksocket' by name from a project of its own, so
// that the package's `bun` and `deno` export conditions are what is tested. The servers are
// Node's: `ws` servers and a raw TCP fault server on 127.0.0.1. The runtimes are the pinned ones
// scripts/setup-test-deps.sh installs into .runtimes/ (npm test runs it first).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeFaultServers, frame, startFaultServer } from '../faults/fault-server.js';
import { closeAllServers, runProcess, startServer } from '../support/helpers.js';

const ROOT = resolve('.');
const BIN = join(ROOT, '.runtimes/node_modules/.bin');
const RUNTIMES = {
  bun: { command: join(BIN, 'bun'), args: (script: string, config: string) => [script, config] },
  deno: { command: join(BIN, 'deno'), args: (script: string, config: string) => ['run', '-A', script, config] },
  node: { command: process.execPath, args: (script: string, config: string) => [script, config] },
} as const;
type Runtime = keyof typeof RUNTIMES;

const CASES = [
  'round trips: text and binary from 0 B to 16 MiB, in order',
  'handlers run only inside update()',
  'request headers reach the server',
  'close(1001): the runtime sends it (only browsers refuse it) and the server echoes it',
  'server close: its code and reason, closed once and last',
  'TCP reset mid-frame: error, then closed 1006 once',
  'refused connection: error, then closed 1006',
  '4xx handshake: error, then closed 1006',
  'flood while not pumped: bounded (paused, or queue_overflow), nothing lost silently',
  'a manager over 100 sockets: every echo, every closed once',
  'heartbeat: protocol pings measure the round trip',
];

interface CaseResult {
  name: string;
  ok: boolean;
  detail: string;
  paused?: boolean;
}
const results = new Map<Runtime, Map<string, CaseResult>>();
let project = '';
let refusedServer: Server | undefined;

function version(runtime: Runtime): string {
  const { command } = RUNTIMES[runtime];
  if (!existsSync(command)) {
    throw new Error(`${runtime} is not installed in .runtimes/: run bash scripts/setup-test-deps.sh`);
  }
  return execFileSync(command, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

async function runContract(runtime: Runtime, config: string): Promise<Map<string, CaseResult>> {
  const { command, args } = RUNTIMES[runtime];
  const { code, output } = await runProcess(command, args('contract.mjs', config), {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    timeoutMs: 90_000,
  });
  const found = new Map<string, CaseResult>();
  for (const line of output.split('\n')) {
    if (line.startsWith('RESULT ')) {
      const result = JSON.parse(line.slice(7)) as CaseResult;
      found.set(result.name, result);
    }
  }
  if (found.size === 0) throw new Error(`${runtime} ran no case (exit ${code}):\n${output}`);
  return found;
}

beforeAll(async () => {
  // A project of its own that depends on ticksocket (this checkout) by name.
  project = mkdtempSync(join(tmpdir(), 'ticksocket-runtimes-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules/ticksocket'), 'dir');
  writeFileSync(
    join(project, 'package.json'),
    '{ "type": "module", "private": true, "dependencies": { "ticksocket": "*" } }\n',
  );
  execFileSync('cp', [join(ROOT, 'test/runtimes/contract.mjs'), project]);

  const echo = await startServer((socket) =>
    socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary })),
  );
  const headers = await startServer((socket, request) => socket.send(String(request.headers.authorization)));
  const close4000 = await startServer((socket) => socket.close(4000, 'bye'));
  const flood = await startServer((socket) => {
    for (let i = 0; i < 1024; i++) {
      const payload = Buffer.alloc(64 * 1024, 7); // each its own: ws writes the buffer given, later
      payload.writeUInt32LE(i, 0);
      socket.send(payload);
    }
  });
  const reset = await startFaultServer((socket) => {
    socket.write(Buffer.concat([frame(0x81, 'first'), frame(0x81, 'second, cut short').subarray(0, 9)]));
    setTimeout(() => socket.resetAndDestroy(), 50); // half a frame, then a reset
  });
  const forbidden = await startFaultServer(() => {}, { status: '403 Forbidden', body: 'no' });
  // A port that refuses: bound once, then closed.
  refusedServer = createServer();
  await new Promise<void>((done) => refusedServer!.listen(0, '127.0.0.1', done));
  const refusedPort = (refusedServer.address() as AddressInfo).port;
  await new Promise((done) => refusedServer!.close(done));
  const config = JSON.stringify({
    echo: echo.url,
    headers: headers.url,
    close4000: close4000.url,
    flood: flood.url,
    reset: reset.url,
    forbidden: forbidden.url,
    refused: `ws://127.0.0.1:${refusedPort}/`,
  });
  for (const runtime of Object.keys(RUNTIMES) as Runtime[]) {
    console.log(`runtime suite: ${runtime} ${version(runtime)}`);
    results.set(runtime, await runContract(runtime, config));
  }
}, 300_000);

afterAll(async () => {
  await closeAllServers();
  await closeFaultServers();
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe.each(Object.keys(RUNTIMES) as Runtime[])('the runtime contract on %s', (runtime) => {
  it.each(CASES)('%s', (name) => {
    const result = results.get(runtime)?.get(name);
    expect(result, `${runtime} did not report "${name}"`).toBeDefined();
    expect(result!.ok, `${runtime}: ${result!.detail}`).toBe(true);
  });

  it('resolves its own entry: Bun the native WebSocket (no pause: the hard cap), Deno and Node ws (backpressure)', () => {
    const flood = results.get(runtime)!.get(CASES.find((name) => name.startsWith('flood'))!)!;
    // Where reading pauses, every message of the flood arrives; where it cannot, the cap ends it.
    expect(flood.paused, flood.detail).toBe(runtime !== 'bun');
  });
});
