// Pump rule 4: `closed` is the last event of every socket, exactly once, after every message
// that arrived before the end; an error end is error → errorDesc → closed. One test per ending.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type WebSocketError } from '../../src/node.js';
import {
  closeAllServers,
  kinds,
  onGo,
  openSocket,
  pumpUntil,
  pumpUntilClosed,
  type Recorded,
  record,
  sleep,
  startServer,
  waitFor,
} from '../support/helpers.js';

afterEach(closeAllServers);

/** Pump until closed, then a few more frames: nothing may follow `closed`. */
async function pumpToEnd(socket: WebSocket): Promise<void> {
  await pumpUntilClosed(socket);
  for (let i = 0; i < 5; i++) {
    expect(socket.update()).toBe(0);
    await sleep(2);
  }
}

function expectClosedOnceAndLast(log: Recorded[]): Recorded {
  const closed = log.filter((entry) => entry[0] === 'closed');
  expect(closed).toHaveLength(1);
  expect(log.at(-1)![0]).toBe('closed');
  return closed[0]!;
}

const messages = (log: Recorded[]) => log.filter((entry) => entry[0] === 'message').map((entry) => entry[1]);

describe('rule 4: closed last, exactly once, after everything received', () => {
  it('clean close by the client', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 50; i++) client.send(`m${i}`);
      }),
    );
    const socket = await openSocket(server.url);
    const log = record(socket);
    socket.send('go');
    await pumpUntil(socket, () => messages(log).length === 50);
    socket.close(1000, 'client done');
    await pumpToEnd(socket);
    expect(expectClosedOnceAndLast(log)).toEqual(['closed', 1000, 'client done']);
    expect(kinds(log)).not.toContain('error');
  });

  it('clean close by the server, after a burst: every message first', async () => {
    const server = await startServer((client) => {
      for (let i = 0; i < 500; i++) client.send(`m${i}`);
      client.close(4002, 'server done');
    });
    const socket = new WebSocket(server.url);
    const log = record(socket);
    socket.open();
    await pumpToEnd(socket);
    expect(messages(log)).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
    expect(expectClosedOnceAndLast(log)).toEqual(['closed', 4002, 'server done']);
    expect(kinds(log)).not.toContain('error');
  });

  it('server ends TCP without a close frame mid-stream: all sent messages, then connection_lost and 1006', async () => {
    const server = await startServer((client) => {
      for (let i = 0; i < 200; i++) client.send(`m${i}`);
      // A complete frame, then half a frame, then EOF.
      const tcp = (client as unknown as { _socket: Socket })._socket;
      tcp.end(Buffer.from([0x81, 0x05, 0x68, 0x65]));
    });
    const socket = new WebSocket(server.url);
    const log = record(socket);
    socket.open();
    await pumpToEnd(socket);
    expect(messages(log)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(kinds(log).slice(-3)).toEqual(['error', 'errorDesc', 'closed']);
    expect(log.at(-3)).toEqual(['error', 'connection_lost']);
    expect(expectClosedOnceAndLast(log)[1]).toBe(1006);
  });

  it('server resets TCP mid-stream: what arrived, in order, then an error and 1006', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 200; i++) client.send(`m${i}`);
        setTimeout(() => (client as unknown as { _socket: Socket })._socket.resetAndDestroy(), 5);
      }),
    );
    const socket = await openSocket(server.url);
    const log = record(socket);
    socket.send('go');
    await pumpToEnd(socket);
    // A reset may discard bytes in flight, so what arrived is a prefix, in order.
    const got = messages(log);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => `m${i}`));
    expect(kinds(log).slice(-3)).toEqual(['error', 'errorDesc', 'closed']);
    expect(['connection_reset', 'connection_lost']).toContain(log.at(-3)![1]);
    expect(expectClosedOnceAndLast(log)[1]).toBe(1006);
  });

  it('connection refused', async () => {
    const server = await startServer();
    const port = server.port;
    await server.close();
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    const log = record(socket);
    let error: WebSocketError | undefined;
    socket.on('error', (_s, e) => (error = e));
    socket.open();
    await pumpToEnd(socket);
    expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
    expect(error!.code).toBe('connection_refused');
    expect(log[1]![1]).toMatch(/^connection_refused: .*server running/);
    expect(log[2]).toEqual(['closed', 1006, '']);
  });

  it('handshake refused with 401: status, headers and body in internalRequest.response', async () => {
    const http = createHttpServer((_request, response) => {
      response.writeHead(401, 'Unauthorized', { 'content-type': 'text/plain', 'x-reason': 'token' });
      response.end('missing token');
    });
    http.on('upgrade', (_request, tcp: Socket) => {
      tcp.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nX-Reason: token\r\nContent-Length: 13\r\n\r\nmissing token',
      );
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const socket = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/room`);
      const log = record(socket);
      let error: WebSocketError | undefined;
      socket.on('error', (_s, e) => (error = e));
      socket.open();
      await pumpToEnd(socket);
      expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
      expect(error!.code).toBe('handshake_refused');
      expect(error!.statusCode).toBe(401);
      expect(error!.message).toMatch(/401 Unauthorized.*credentials/);
      const response = socket.internalRequest.response!;
      expect(response.statusCode).toBe(401);
      expect(response.message).toBe('Unauthorized');
      expect(response.headers['x-reason']).toBe('token');
      expect(response.body).toBe('missing token');
      expect(log.at(-1)).toEqual(['closed', 1006, '']);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('handshake timeout: a server that accepts TCP and never answers', async () => {
    const held: Socket[] = [];
    const silent = createTcpServer((tcp) => held.push(tcp));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const socket = new WebSocket(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, {
        handshakeTimeout: 150,
      });
      const log = record(socket);
      let error: WebSocketError | undefined;
      socket.on('error', (_s, e) => (error = e));
      socket.open();
      await pumpToEnd(socket);
      expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
      expect(error!.code).toBe('handshake_timeout');
      expect(log.at(-1)![1]).toBe(1006);
    } finally {
      for (const tcp of held) tcp.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('the game closes while connecting: only closed (1006), nothing of the connection', async () => {
    const server = await startServer((client) => client.send('too late'));
    const socket = new WebSocket(server.url);
    const log = record(socket);
    socket.open();
    socket.close();
    expect(socket.state).toBe('closing');
    await pumpToEnd(socket);
    expect(log).toEqual([['closed', 1006, 'closed before the connection opened']]);
  });

  it('the game closes while connecting, after the server already opened and closed: still only closed (1006), state never open', async () => {
    const server = await startServer((client) => client.close(1000, 'bye at once'));
    const socket = new WebSocket(server.url);
    const log = record(socket);
    const states: string[] = [];
    socket.on('closed', (s) => states.push(s.state));
    socket.open();
    await waitFor(() => socket.queuedEvents === 2, { what: 'open and closed queued' });
    socket.close(); // the game never saw open
    expect(socket.state).toBe('closing');
    await pumpToEnd(socket);
    expect(log).toEqual([['closed', 1006, 'closed before the connection opened']]);
    expect(states).toEqual(['closed']);
  });

  it('a protocol error from the server: protocol_error with its close code', async () => {
    const server = await startServer(
      onGo((client) => {
        client.send('fine');
        // A text frame with invalid UTF-8.
        (client as unknown as { _socket: Socket })._socket.write(Buffer.from([0x81, 0x02, 0xc3, 0x28]));
      }),
    );
    const socket = await openSocket(server.url);
    const log = record(socket);
    let error: WebSocketError | undefined;
    socket.on('error', (_s, e) => (error = e));
    socket.send('go');
    await pumpToEnd(socket);
    expect(kinds(log)).toEqual(['message', 'error', 'errorDesc', 'closed']);
    expect(error!.code).toBe('protocol_error');
    expect(error!.closeCode).toBe(1007);
    expectClosedOnceAndLast(log);
  });

  it('a message over maxPayload: message_too_big (1009)', async () => {
    const server = await startServer(onGo((client) => client.send(Buffer.alloc(2048))));
    const socket = await openSocket(server.url, { maxPayload: 1024 });
    const log = record(socket);
    let error: WebSocketError | undefined;
    socket.on('error', (_s, e) => (error = e));
    socket.send('go');
    await pumpToEnd(socket);
    expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
    expect(error!.code).toBe('message_too_big');
    expect(error!.closeCode).toBe(1009);
  });
});
