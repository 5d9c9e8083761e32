// Heartbeat and latency: real ping/pong frames in Node, an application ping for servers (and
// browsers) without them, silence detection, and the server clock offset.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type WebSocketError } from '../../src/node.js';
import {
  closeAllServers,
  kinds,
  onGo,
  pumpUntil,
  pumpUntilClosed,
  record,
  sleep,
  startServer,
} from '../support/helpers.js';

afterEach(closeAllServers);

describe('latency from ping frames', () => {
  it('matches the delay the server adds to its pongs, within 2 ms', async () => {
    const delay = 20;
    const held: number[] = [];
    const server = await startServer(
      (client) => {
        client.on('ping', (data) => {
          const received = performance.now();
          setTimeout(() => {
            held.push(performance.now() - received);
            client.pong(data);
          }, delay);
        });
      },
      { autoPong: false },
    );
    const socket = new WebSocket(server.url, { pingInterval: 40 });
    socket.open();
    await pumpUntil(socket, () => socket.stats.latency > 0 && held.length >= 20, { timeoutMs: 10_000 });
    // The reference is what the server really held each pong (timers run late on a busy machine).
    const meanHeld = held.reduce((sum, value) => sum + value, 0) / held.length;
    expect(Math.abs(socket.latency - meanHeld)).toBeLessThan(2);
    expect(socket.jitter).toBeGreaterThanOrEqual(0);
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('closeAfterNoMessage', () => {
  it('fails a half-open connection with timeout, then closed 1006, after the limit and within one ping interval more', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { pingInterval: 100, closeAfterNoMessage: 400 });
    const log = record(socket);
    let error: WebSocketError | undefined;
    let errorTime = 0;
    socket.on('error', (s, e) => {
      error = e;
      errorTime = s.eventTime;
    });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const client = await server.nextClient();
    // Half-open: the server stops reading and answering; TCP stays up.
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    const silentSince = performance.now();
    await pumpUntilClosed(socket, [socket], 5_000);
    expect(kinds(log)).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(error!.code).toBe('timeout');
    expect(log.at(-1)![1]).toBe(1006);
    const detectedAfter = errorTime - silentSince;
    expect(detectedAfter).toBeGreaterThanOrEqual(400 - 100); // the last pong may precede the pause by up to one interval
    // the limit found it, not TCP (test/unit/heartbeat.test.ts times it exactly, on a virtual clock)
    expect(detectedAfter).toBeLessThan(400 + 100 + 2_000);
  });

  it('keeps an idle connection whose server answers pings', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { pingInterval: 50, closeAfterNoMessage: 200 });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const end = performance.now() + 800;
    await pumpUntil(socket, () => performance.now() > end, { timeoutMs: 3_000 });
    expect(socket.isOpen).toBe(true);
    expect(socket.latency).toBeGreaterThan(0);
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('application ping and server clock', () => {
  const SERVER_CLOCK_AHEAD = 5_000; // the server's clock reads performance.now() + 5 s

  it('times app-level ping replies by arrival, hides them from handlers, and estimates the clock offset', async () => {
    const server = await startServer((client) => {
      client.on('message', (data) => {
        // Answered at once, as the clock estimate assumes (a held reply skews it by half the hold).
        if (String(data) === 'ping') client.send(`pong ${performance.now() + SERVER_CLOCK_AHEAD}`);
        else client.send(`echo ${data}`);
      });
    });
    const socket = new WebSocket(server.url, {
      pingInterval: 30,
      appPing: {
        message: 'ping',
        reply: (data) =>
          typeof data === 'string' && data.startsWith('pong ') ? { serverTime: Number(data.slice(5)) } : undefined,
      },
    });
    const messages: string[] = [];
    socket.on('message', (_s, text) => messages.push(text));
    socket.on('open', (s) => s.send('hello'));
    socket.open();
    await pumpUntil(socket, () => socket.latency > 0 && messages.length > 0 && socket.clockOffset !== undefined, {
      timeoutMs: 5_000,
    });
    await sleep(200);
    socket.update();
    expect(messages).toEqual(['echo hello']); // pongs never reach handlers
    expect(socket.latency).toBeGreaterThan(0);
    expect(Math.abs(socket.clockOffset! + SERVER_CLOCK_AHEAD)).toBeLessThan(3);
    expect(Math.abs(socket.serverNow(1000)! - (1000 + SERVER_CLOCK_AHEAD))).toBeLessThan(3);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('reads the server clock from game messages with serverTime', async () => {
    const ahead = 1234;
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 20; i++)
          setTimeout(() => client.send(JSON.stringify({ t: performance.now() + ahead })), i * 5);
      }),
    );
    const socket = new WebSocket(server.url, {
      serverTime: (data) => (typeof data === 'string' ? (JSON.parse(data) as { t: number }).t : undefined),
    });
    let received = 0;
    socket.on('message', () => received++);
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntil(socket, () => received === 20, { timeoutMs: 5_000 });
    // Without round trips the estimate includes the one-way delay: a little late, never early.
    const estimate = socket.serverNow(0)!;
    expect(estimate).toBeLessThanOrEqual(ahead + 0.5);
    expect(estimate).toBeGreaterThan(ahead - 3);
    expect(socket.clockOffset).toBeCloseTo(-estimate, 6);
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('options', () => {
  it.each([{ pingInterval: -1 }, { closeAfterNoMessage: Number.NaN }])('refuses %j', (options) => {
    expect(() => new WebSocket('ws://127.0.0.1:1', options)).toThrow(/must be a number of milliseconds/);
  });
});
