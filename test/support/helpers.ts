// Shared by the network tests: real `ws` servers on 127.0.0.1 port 0, a bounded pump loop,
// and a recorder that writes down every handler call in order.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ServerOptions, type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { type SocketManager, WebSocket } from '../../src/node.js';

export interface TestServer {
  url: string;
  port: number;
  wss: WebSocketServer;
  http: Server;
  /** Server-side sockets, in connection order. */
  clients: ServerSocket[];
  /** Next connection (resolves at once if one is there and not yet taken). */
  nextClient(): Promise<ServerSocket>;
  close(): Promise<void>;
}

const openServers = new Set<TestServer>();

/** A `ws` server on 127.0.0.1, on `port` (default: an ephemeral one). `onConnection` runs for each client. */
export async function startServer(
  onConnection?: (socket: ServerSocket, request: IncomingMessage) => void,
  options: Omit<ServerOptions, 'port' | 'host' | 'server'> = {},
  port = 0,
): Promise<TestServer> {
  const http = createServer();
  const wss = new WebSocketServer({ ...options, server: http });
  const clients: ServerSocket[] = [];
  let taken = 0;
  const waiters: ((socket: ServerSocket) => void)[] = [];
  wss.on('connection', (socket, request) => {
    clients.push(socket);
    onConnection?.(socket, request);
    const waiter = waiters.shift();
    if (waiter !== undefined) {
      taken++;
      waiter(socket);
    }
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const listening = (http.address() as AddressInfo).port;
  const server: TestServer = {
    url: `ws://127.0.0.1:${listening}`,
    port: listening,
    wss,
    http,
    clients,
    nextClient() {
      if (taken < clients.length) return Promise.resolve(clients[taken++]!);
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      openServers.delete(server);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  openServers.add(server);
  return server;
}

/** A connection handler that waits for the client's first message before running `script`. */
export function onGo(script: (socket: ServerSocket) => void): (socket: ServerSocket) => void {
  return (socket) => socket.once('message', () => script(socket));
}

/** Close every server a test left open (call from afterEach). */
export async function closeAllServers(): Promise<void> {
  await Promise.all([...openServers].map((server) => server.close()));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Pumpable {
  update(): number;
}

/**
 * Call `target.update()` from a macrotask loop (like a frame loop) until `done()` is true.
 * Bounded: fails after `timeoutMs`.
 */
export async function pumpUntil(
  target: Pumpable,
  done: () => boolean,
  { timeoutMs = 5_000, what = 'the condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let dispatched = 0;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`pumpUntil: ${what} not reached within ${timeoutMs} ms`);
    dispatched += target.update();
    if (!done()) await sleep(1);
  }
  return dispatched;
}

/** Wait (without pumping) until `done()` is true; bounded. */
export async function waitFor(
  done: () => boolean,
  { timeoutMs = 5_000, what = 'the condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} not reached within ${timeoutMs} ms`);
    await sleep(2);
  }
}

export type Recorded =
  | ['open']
  | ['message', string]
  | ['binary', Uint8Array]
  | ['closed', number, string]
  | ['error', string]
  | ['errorDesc', string]
  | ['incompleteFrame', string | Uint8Array, boolean];

/** Record every event of `socket`, in dispatch order. */
export function record(socket: WebSocket, log: Recorded[] = []): Recorded[] {
  socket.on('open', () => log.push(['open']));
  socket.on('message', (_s, text) => log.push(['message', text]));
  socket.on('binary', (_s, data) => log.push(['binary', data]));
  socket.on('closed', (_s, code, reason) => log.push(['closed', code, reason]));
  socket.on('error', (_s, error) => log.push(['error', error.code]));
  socket.on('errorDesc', (_s, description) => log.push(['errorDesc', description]));
  return log;
}

/** Kinds of the recorded events, e.g. `['open', 'message', 'closed']`. */
export const kinds = (log: readonly Recorded[]): string[] => log.map((entry) => entry[0]);

/** Open a socket to `url` and pump it until `open` (or fail). */
export async function openSocket(
  url: string,
  options: ConstructorParameters<typeof WebSocket>[1] = {},
): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  socket.open();
  await pumpUntil(socket, () => socket.state !== 'connecting', { what: 'open' });
  if (!socket.isOpen) throw new Error(`socket did not open: ${socket.state}`);
  return socket;
}

/** Pump a manager or socket until the sockets are closed. */
export async function pumpUntilClosed(
  target: WebSocket | SocketManager,
  sockets: WebSocket[] = target instanceof WebSocket ? [target] : [],
  timeoutMs = 5_000,
): Promise<void> {
  await pumpUntil(target, () => sockets.every((socket) => socket.state === 'closed'), {
    timeoutMs,
    what: 'closed',
  });
}

/** The error `action` throws (fails the test when it does not throw). */
export function thrownBy(action: () => unknown): Error & { code?: string } {
  try {
    action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}

/** Run `command` to its end (killed after `timeoutMs`), with its output (stdout and stderr) and exit code. */
export async function runProcess(
  command: string,
  args: readonly string[],
  { cwd, env, timeoutMs = 30_000 }: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const run = startProcess(command, args, { cwd, env });
  let code = await run.exit(timeoutMs);
  if (code === 'running') {
    run.kill();
    code = await run.exited;
  }
  return { code, output: run.output };
}

/**
 * A long-running command, to be stopped by the test: its output so far, a wait for a line,
 * Ctrl-C as a terminal sends it (`group`: to its whole process group), and its exit code.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  { group = false, cwd, env }: { group?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const child = spawn(command, args, { cwd, env, detached: group, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const read = (chunk: Buffer): void => {
    output += chunk;
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    get output() {
      return output;
    },
    /** Its exit code (null when a signal ended it). */
    exited,
    /** Resolves once the output matches `pattern`; rejects (with the output) after `timeoutMs`. */
    waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} in ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    /** SIGINT twice, 50 ms apart: from the terminal, and the copy that npm or npx forwards a moment later. */
    async interrupt(): Promise<void> {
      const signal = () => {
        if (!group) child.kill('SIGINT');
        else if (running()) process.kill(-child.pid!, 'SIGINT');
      };
      signal();
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (running()) signal();
    },
    /** The exit code, or 'running' if it has not exited within `timeoutMs`. */
    async exit(timeoutMs: number): Promise<number | null | 'running'> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'running'>((resolve) => {
        timer = setTimeout(() => resolve('running'), timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    /** Kill it (and its group) if it still runs. */
    kill(): void {
      if (!group) {
        if (running()) child.kill('SIGKILL');
        return;
      }
      try {
        process.kill(-child.pid!, 'SIGKILL'); // what it started too, even once it has exited
      } catch {
        // the group is gone
      }
    },
  };
}

/** Collect garbage until what the collector frees has been freed (V8 sweeps array buffers concurrently). */
export async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
}
