// ReconnectingWebSocket against a real server that is killed and restarted on the same port.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { InvalidPayloadError, InvalidStateError, ReconnectingWebSocket } from '../../src/node.js';
import { closeAllServers, pumpUntil, startServer, type TestServer } from '../support/helpers.js';

afterEach(closeAllServers);

const fast = { minDelay: 30, maxDelay: 80, jitter: 0 };

/** A server that records what each connection sent, in order. */
async function recordingServer(port = 0): Promise<{ server: TestServer; received: string[] }> {
  const received: string[] = [];
  const server = await startServer((client) => client.on('message', (data) => received.push(String(data))), {}, port);
  return { server, received };
}

function eventLog(socket: ReconnectingWebSocket): string[] {
  const events: string[] = [];
  socket.on('open', () => events.push('open'));
  socket.on('reconnecting', (_s, attempt) => events.push(`reconnecting ${attempt}`));
  socket.on('reconnected', (_s, attempts) => events.push(`reconnected after ${attempts}`));
  socket.on('error', (_s, error) => events.push(`error ${error.code}`));
  socket.on('closed', (_s, code) => events.push(`closed ${code}`));
  return events;
}

describe('ReconnectingWebSocket', () => {
  it('reconnects with backoff after the server dies; handlers run in the new session; fresh queued sends arrive once, in order; stale ones never', async () => {
    const first = await recordingServer();
    const port = first.server.port;
    const socket = new ReconnectingWebSocket(first.server.url, {
      reconnect: { ...fast, sendPolicy: 'queue', maxQueuedAge: 300 },
    });
    const events = eventLog(socket);
    let joins = 0;
    socket.on('open', (s) => s.send(`join ${++joins}`));
    socket.open();
    await pumpUntil(socket, () => first.received.includes('join 1'));
    socket.send('before');
    await pumpUntil(socket, () => first.received.includes('before'));

    await first.server.close(); // the server dies
    await pumpUntil(socket, () => socket.state === 'reconnecting');
    expect(socket.isOpen).toBe(false);
    socket.send('stale'); // queued, then too old by the time the server is back
    const staleAt = performance.now();
    await pumpUntil(socket, () => performance.now() - staleAt > 400, { timeoutMs: 3_000 });
    socket.send('fresh 1');
    socket.send('fresh 2');
    const bytes = Buffer.from('fresh 3'); // queued bytes are the socket's own: changing them later changes nothing
    socket.send(bytes);
    bytes.write('CHANGED');

    const second = await recordingServer(port); // back on the same port
    await pumpUntil(socket, () => second.received.length === 4, { timeoutMs: 5_000 });
    await pumpUntil(socket, () => events.some((entry) => entry.startsWith('reconnected')));
    expect(first.received).toEqual(['join 1', 'before']);
    expect(second.received).toEqual(['join 2', 'fresh 1', 'fresh 2', 'fresh 3']);
    expect(socket.stats).toMatchObject({ reconnects: 1, expiredSends: 1, queuedSends: 0 });
    // Failed attempts while the server was down: reconnecting 1, 2, 3... with errors between.
    const attempts = events.filter((entry) => entry.startsWith('reconnecting'));
    expect(attempts[0]).toBe('reconnecting 1');
    expect(attempts.length).toBeGreaterThan(1);
    expect(events).toContain('error connection_refused');
    expect(events.filter((entry) => entry === 'open')).toHaveLength(2);
    expect(events.at(-1)).toBe(`reconnected after ${attempts.length}`);
    expect(events).not.toContain('closed 1006');
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('close() during backoff stops it for good', async () => {
    const first = await recordingServer();
    const port = first.server.port;
    const socket = new ReconnectingWebSocket(first.server.url, { reconnect: fast });
    const events = eventLog(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    await first.server.close();
    await pumpUntil(socket, () => socket.state === 'reconnecting');
    socket.close(4001, 'leaving');
    expect(socket.state).toBe('closing');
    const second = await recordingServer(port);
    const until = performance.now() + 400; // several backoff periods
    await pumpUntil(socket, () => performance.now() > until);
    expect(socket.state).toBe('closed');
    expect(events.at(-1)).toBe('closed 4001');
    expect(events.filter((entry) => entry.startsWith('closed'))).toHaveLength(1);
    expect(second.server.clients).toHaveLength(0);
    expect(() => socket.send('x')).toThrow(InvalidStateError);
  });

  it('a final close code from the server ends it without reconnecting', async () => {
    const server = await startServer((client: ServerSocket) => setTimeout(() => client.close(1000, 'game over'), 20));
    const socket = new ReconnectingWebSocket(server.url, { reconnect: fast });
    const events = eventLog(socket);
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed');
    expect(events).toEqual(['open', 'closed 1000']);
  });

  it('a 4xx handshake refusal is not retried', async () => {
    const http = createHttpServer();
    http.on('upgrade', (_request, tcp: Socket) => tcp.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const socket = new ReconnectingWebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, {
        reconnect: fast,
      });
      const events = eventLog(socket);
      socket.open();
      await pumpUntil(socket, () => socket.state === 'closed');
      expect(events).toEqual(['error handshake_refused', 'closed 1006']);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('send policies while disconnected: drop counts, fail throws, queue caps', async () => {
    const first = await recordingServer();
    const socket = new ReconnectingWebSocket(first.server.url, { reconnect: { ...fast, maxQueuedSends: 2 } });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    await first.server.close();
    await pumpUntil(socket, () => socket.state === 'reconnecting');
    socket.send('dropped'); // default policy: drop
    expect(socket.stats.droppedSends).toBe(1);
    expect(() => socket.send('refused', 'fail')).toThrow(/not sent/);
    for (const text of ['q1', 'q2', 'q3']) socket.send(text, 'queue');
    expect(socket.stats).toMatchObject({ queuedSends: 2, expiredSends: 1 });
    // Bad data is refused at once, whatever the policy: it must not wait to fail in a flush.
    for (const policy of ['drop', 'queue'] as const) {
      expect(() => socket.send(42 as never, policy)).toThrow(InvalidPayloadError);
    }
    expect(socket.stats).toMatchObject({ queuedSends: 2, droppedSends: 1 });
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('checks its options', () => {
    expect(() => new ReconnectingWebSocket('ws://127.0.0.1:1', { reconnect: { factor: 0.5 } })).toThrow(/factor/);
    expect(() => new ReconnectingWebSocket('ws://127.0.0.1:1', { reconnect: { sendPolicy: 'keep' as never } })).toThrow(
      /sendPolicy/,
    );
    expect(() => new ReconnectingWebSocket('ftp://x')).toThrow(/ws:/);
  });

  it('counters are totals over its connections; serverNow() follows the current connection’s server clock', async () => {
    // Each server says its clock on connection and echoes; the second starts its clock anew.
    const clockServer = (clock: number, port = 0) =>
      startServer(
        (client) => {
          client.send(JSON.stringify({ clock }));
          client.on('message', (data) => client.send(String(data)));
        },
        {},
        port,
      );
    const first = await clockServer(1_000_000);
    const socket = new ReconnectingWebSocket(first.url, {
      reconnect: fast,
      serverTime: (data) =>
        typeof data === 'string' && data.startsWith('{') ? (JSON.parse(data) as { clock: number }).clock : undefined,
    });
    const texts: string[] = [];
    socket.on('message', (_s, text) => texts.push(text));
    socket.open();
    await pumpUntil(socket, () => texts.length === 1);
    for (let i = 0; i < 3; i++) socket.send(`a${i}`);
    await pumpUntil(socket, () => texts.length === 4);
    expect(socket.serverNow()).toBeGreaterThan(999_000);
    expect(socket.stats).toMatchObject({ messagesIn: 4, messagesOut: 3 });
    const port = first.port;
    await first.close();
    await pumpUntil(socket, () => socket.state === 'reconnecting');
    const second = await clockServer(5_000, port);
    await pumpUntil(socket, () => socket.isOpen && texts.length === 5, { timeoutMs: 5_000 });
    socket.send('b');
    await pumpUntil(socket, () => texts.length === 6);
    // 6 in, 4 out over both connections: counters never go back, so rates read from them stay right.
    expect(socket.stats).toMatchObject({ messagesIn: 6, messagesOut: 4, reconnects: 1 });
    const serverNow = socket.serverNow()!;
    expect(serverNow).toBeGreaterThanOrEqual(5_000);
    expect(serverNow).toBeLessThan(100_000); // the restarted server's clock, not the first one's
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
    await second.close();
  });
});
