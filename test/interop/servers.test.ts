// Interop with servers no one here wrote, from Debian's packages, on loopback: Python's
// `websockets` (asyncio), Tornado, websocketd (Go) and nginx as a reverse proxy in front of
// `websockets`. scripts/setup-test-deps.sh installs them. Debian's Python modules are seen by
// /usr/bin/python3, so that is the interpreter used.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type WebSocketError } from '../../src/node.js';
import { pumpUntil, pumpUntilClosed, sleep } from '../support/helpers.js';

const PYTHON = '/usr/bin/python3';
/** An echo of 10 000 messages through a foreign server is slower under the suite's parallel load. */
const ECHO_TIMEOUT = 120_000;
const children = new Set<ChildProcess>();
const scratch = mkdtempSync(join(tmpdir(), 'ticksocket-interop-'));

afterAll(async () => {
  await Promise.all([...children].map(stop));
  // Nothing this file started may outlive it: no server, and no worker of one (nginx's workers
  // used to be orphaned when their master was killed).
  const leftover = execFileSync('ps', ['-eo', 'pid=,args='])
    .toString()
    .split('\n')
    .filter((line) => line.includes(scratch) || /^\s*\d+ nginx: /.test(line));
  rmSync(scratch, { recursive: true, force: true });
  expect(leftover).toEqual([]);
});

/** Stop a server: SIGTERM, then SIGKILL if it has not exited within 3 s; resolves on its exit. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function run(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Start a server that prints its port as the first line on stdout. */
function startPrintingPort(command: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = run(command, args);
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${errors}`)), 10_000);
    child.stderr!.on('data', (chunk) => (errors += chunk));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (!output.includes('\n')) return;
      clearTimeout(timer);
      resolve({ child, port: Number(output.trim().split('\n')[0]) });
    });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${errors}`)));
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Wait until something accepts TCP on 127.0.0.1:port. */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on ${port}`);
}

const startWebsockets = () => startPrintingPort(PYTHON, ['test/interop/websockets_server.py']);
const startTornado = () => startPrintingPort(PYTHON, ['test/interop/tornado_server.py']);

async function startWebsocketd(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = run('websocketd', ['--address=127.0.0.1', `--port=${port}`, 'cat']);
  await listening(port);
  return { child, port };
}

async function startNginx(upstream: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const prefix = join(scratch, `nginx-${port}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `master_process off;
daemon off;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstream};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_buffering off;
      proxy_read_timeout 60s;
    }
  }
}
`,
  );
  const child = run('/usr/sbin/nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')]);
  await listening(port);
  return { child, port };
}

/** Deterministic messages: mostly small, some up to 64 KiB, ten of 1 MiB; text and binary. */
function messages(count: number, { textOnly = false, largest = 1024 * 1024 } = {}): (string | Uint8Array)[] {
  let seed = 12345;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789 éλ😀';
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < count; i++) {
    const size =
      i % 1000 === 500
        ? largest
        : i % 50 === 0
          ? Math.floor(random() * Math.min(largest, 65536))
          : Math.floor(random() * 512) + 1;
    if (textOnly || i % 2 === 0) {
      let text = '';
      while (text.length < size) text += letters[Math.floor(random() * letters.length)];
      out.push(text.slice(0, Math.max(1, size)));
    } else {
      const bytes = new Uint8Array(size);
      for (let j = 0; j < size; j++) bytes[j] = Math.floor(random() * 256);
      out.push(bytes);
    }
  }
  return out;
}

const digest = (list: (string | Uint8Array)[]) => {
  const hash = createHash('sha256');
  for (const item of list) hash.update(typeof item === 'string' ? `t${item}` : Buffer.concat([Buffer.from('b'), item]));
  return hash.digest('hex');
};

/** Send every message (at most `window` in flight), collect the echoes, compare checksums. */
async function echoAll(
  url: string,
  list: (string | Uint8Array)[],
  { lineEcho = false, window = 512 } = {},
): Promise<void> {
  const socket = new WebSocket(url, { maxPayload: 8 * 1024 * 1024, perMessageDeflate: false });
  const received: (string | Uint8Array)[] = [];
  socket.on('message', (_s, text) => received.push(lineEcho ? text.replace(/\n$/, '') : text));
  socket.on('binary', (_s, data) => received.push(new Uint8Array(data)));
  socket.open();
  await pumpUntil(socket, () => socket.isOpen, { what: 'open' });
  let sent = 0;
  await pumpUntil(
    {
      update: () => {
        while (sent < list.length && sent - received.length < window) socket.send(list[sent++]!);
        return socket.update();
      },
    },
    () => received.length === list.length,
    { timeoutMs: ECHO_TIMEOUT - 10_000, what: `${list.length} echoes` },
  );
  expect(digest(received)).toBe(digest(list));
  socket.close();
  await pumpUntilClosed(socket);
}

/** Ask the server for its fragmented message; what arrives (assembled). */
async function assembled(url: string): Promise<string[]> {
  const socket = new WebSocket(url);
  const seen: string[] = [];
  socket.on('message', (_s, text) => seen.push(text));
  socket.on('open', (s) => s.send('fragments'));
  socket.open();
  await pumpUntil(socket, () => seen.length === 1);
  socket.close();
  await pumpUntilClosed(socket);
  return seen;
}

async function closedByServer(url: string): Promise<[number, string, string[]]> {
  const socket = new WebSocket(url);
  const events: string[] = [];
  let closed: [number, string] = [0, ''];
  socket.on('error', (_s, error) => events.push(error.code));
  socket.on('closed', (_s, code, reason) => {
    closed = [code, reason];
  });
  socket.on('open', (s) => s.send('close 4001 game over'));
  socket.open();
  await pumpUntilClosed(socket, [socket], 10_000);
  return [...closed, events];
}

async function pingPong(url: string): Promise<number> {
  const socket = new WebSocket(url, { pingInterval: 20, closeAfterNoMessage: 2_000 });
  socket.open();
  await pumpUntil(socket, () => socket.latency > 0 && socket.stats.latency > 0, { timeoutMs: 5_000 });
  const latency = socket.latency;
  socket.close();
  await pumpUntilClosed(socket);
  return latency;
}

/** Kill the server process while it streams echoes back: error, closed 1006, once; a clean prefix. */
async function killedMidStream(url: string, server: ChildProcess): Promise<void> {
  const socket = new WebSocket(url);
  const received: string[] = [];
  const ends: string[] = [];
  let error: WebSocketError | undefined;
  socket.on('message', (_s, text) => received.push(text));
  socket.on('error', (_s, e) => {
    error = e;
    ends.push('error');
  });
  socket.on('closed', (_s, code) => ends.push(`closed ${code}`));
  socket.open();
  await pumpUntil(socket, () => socket.isOpen);
  let sent = 0;
  await pumpUntil(
    {
      update: () => {
        for (let i = 0; i < 20 && socket.isOpen; i++) socket.send(`n${sent++}`);
        if (received.length > 200 && server.exitCode === null && !server.killed) server.kill('SIGKILL');
        return socket.update();
      },
    },
    () => socket.state === 'closed',
    { timeoutMs: 15_000, what: 'the end after the kill' },
  );
  expect(received).toEqual(Array.from({ length: received.length }, (_, i) => `n${i}`));
  expect(ends).toEqual(['error', 'closed 1006']);
  expect(['connection_lost', 'connection_reset']).toContain(error?.code);
}

describe('Python websockets (asyncio)', () => {
  let server: { child: ChildProcess; port: number };
  beforeAll(async () => {
    server = await startWebsockets();
  });
  const url = () => `ws://127.0.0.1:${server.port}/`;

  it(
    'echoes 10 000 text and binary messages up to 1 MiB, checksums equal',
    () => echoAll(url(), messages(10_000)),
    ECHO_TIMEOUT,
  );
  it('sends a fragmented message, assembled', async () =>
    expect(await assembled(url())).toEqual(['fragmented message']));
  it('sends each fragment with an incompleteFrame handler', async () => {
    const socket = new WebSocket(url());
    const fragments: [string | Uint8Array, boolean][] = [];
    socket.on('incompleteFrame', (_s, fragment, isFinal) => fragments.push([fragment, isFinal]));
    socket.on('open', (s) => s.send('fragments'));
    socket.open();
    await pumpUntil(socket, () => fragments.at(-1)?.[1] === true);
    // websockets sends each item as a frame, then an empty final one: that is what is on the wire.
    expect(fragments).toEqual([
      ['frag', false],
      ['mented ', false],
      ['message', false],
      ['', true],
    ]);
    socket.close();
    await pumpUntilClosed(socket);
  });
  it('answers pings', async () => expect(await pingPong(url())).toBeGreaterThan(0));
  it('closes with a code and reason', async () => expect(await closedByServer(url())).toEqual([4001, 'game over', []]));
  it('killed mid-stream: error, then closed 1006, and what arrived is a clean prefix', async () => {
    const victim = await startWebsockets();
    await killedMidStream(`ws://127.0.0.1:${victim.port}/`, victim.child);
  });
});

describe('Tornado', () => {
  let server: { child: ChildProcess; port: number };
  beforeAll(async () => {
    server = await startTornado();
  });
  const url = () => `ws://127.0.0.1:${server.port}/`;

  it(
    'echoes 10 000 text and binary messages up to 1 MiB, checksums equal',
    () => echoAll(url(), messages(10_000)),
    ECHO_TIMEOUT,
  );
  it('answers pings', async () => expect(await pingPong(url())).toBeGreaterThan(0));
  it('closes with a code and reason', async () => expect(await closedByServer(url())).toEqual([4001, 'game over', []]));
  it('killed mid-stream: error, then closed 1006, and what arrived is a clean prefix', async () => {
    const victim = await startTornado();
    await killedMidStream(`ws://127.0.0.1:${victim.port}/`, victim.child);
  });
});

describe('websocketd (Go), relaying cat', () => {
  let server: { child: ChildProcess; port: number };
  beforeAll(async () => {
    server = await startWebsocketd();
  });
  const url = () => `ws://127.0.0.1:${server.port}/`;

  // websocketd relays lines of text: messages are lines, so this echo is text-only. With messages
  // pipelined (32 or more in flight), websocketd 0.4.1 stops relaying after a few hundred (ours are
  // all sent, nothing is buffered, the connection stays open): it gets one message at a time.
  it(
    'echoes 10 000 text messages up to 1 MiB, checksums equal',
    () => echoAll(url(), messages(10_000, { textOnly: true }), { lineEcho: true, window: 1 }),
    ECHO_TIMEOUT,
  );
  it('answers pings', async () => expect(await pingPong(url())).toBeGreaterThan(0));
  it('killed mid-stream: error, then closed 1006, and what arrived is a clean prefix', async () => {
    const victim = await startWebsocketd();
    await killedMidStream(`ws://127.0.0.1:${victim.port}/`, victim.child);
  });
});

describe('nginx reverse proxy in front of Python websockets', () => {
  let proxy: { child: ChildProcess; port: number };
  let upstream: { child: ChildProcess; port: number };
  beforeAll(async () => {
    upstream = await startWebsockets();
    proxy = await startNginx(upstream.port);
  });
  const url = () => `ws://127.0.0.1:${proxy.port}/`;

  it(
    'echoes 10 000 text and binary messages up to 1 MiB, checksums equal',
    () => echoAll(url(), messages(10_000)),
    ECHO_TIMEOUT,
  );
  it('passes a fragmented message through', async () => expect(await assembled(url())).toEqual(['fragmented message']));
  it('answers pings', async () => expect(await pingPong(url())).toBeGreaterThan(0));
  it('passes a close code and reason through', async () =>
    expect(await closedByServer(url())).toEqual([4001, 'game over', []]));
  it('upstream killed mid-stream: error, then closed 1006, and what arrived is a clean prefix', async () => {
    const victim = await startWebsockets();
    const victimProxy = await startNginx(victim.port);
    await killedMidStream(`ws://127.0.0.1:${victimProxy.port}/`, victim.child);
  });
});
