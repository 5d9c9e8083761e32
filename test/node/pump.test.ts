// The design's pump rules 1, 2, 3, 5 and 7, against real ws servers on 127.0.0.1.
// (Rule 4 is test/node/endings.test.ts, rule 6 test/node/backpressure.test.ts.)

import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketManager, WebSocket } from '../../src/node.js';
import {
  closeAllServers,
  kinds,
  onGo,
  openSocket,
  pumpUntil,
  pumpUntilClosed,
  record,
  sleep,
  startServer,
  waitFor,
} from '../support/helpers.js';

afterEach(closeAllServers);

describe('rule 1: handlers run only inside update()', () => {
  it('queues open, messages and closed until update() is called', async () => {
    const server = await startServer((client) => {
      client.send('a');
      client.send(Buffer.from([1, 2, 3]));
      client.send('b');
      client.close(4001, 'bye');
    });
    const socket = new WebSocket(server.url);
    let insideUpdate = false;
    const calls: string[] = [];
    const note = (event: string) => () => {
      expect(insideUpdate).toBe(true);
      calls.push(event);
    };
    for (const event of ['open', 'message', 'binary', 'closed', 'error', 'errorDesc'] as const)
      socket.on(event, note(event));
    socket.open();
    await waitFor(() => socket.queuedEvents === 5, { what: 'all five events queued' });
    await sleep(20); // plenty of event-loop turns: still nothing dispatched
    expect(calls).toEqual([]);
    expect(socket.state).toBe('connecting'); // the game has not seen `open` yet
    insideUpdate = true;
    expect(socket.update()).toBe(5);
    insideUpdate = false;
    expect(calls).toEqual(['open', 'message', 'binary', 'message', 'closed']);
  });

  it('queues a failure too: error, errorDesc and closed wait for update()', async () => {
    const server = await startServer();
    const port = server.port;
    await server.close(); // nothing listens there now
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    const log = record(socket);
    socket.open();
    await waitFor(() => socket.queuedEvents === 2, { what: 'error and closed queued' });
    expect(log).toEqual([]);
    socket.update();
    expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
  });
});

describe('rule 2: arrival order', () => {
  it('dispatches one socket’s 2000 text and binary messages in the order sent', async () => {
    const count = 2000;
    const server = await startServer((client) => {
      for (let i = 0; i < count; i++) {
        if (i % 3 === 0) client.send(Buffer.from(Uint32Array.of(i).buffer));
        else client.send(String(i));
      }
    });
    const socket = new WebSocket(server.url);
    const seen: number[] = [];
    socket.on('message', (_s, text) => seen.push(Number(text)));
    socket.on('binary', (_s, data) => seen.push(new DataView(data.buffer, data.byteOffset).getUint32(0, true)));
    socket.open();
    await pumpUntil(socket, () => seen.length === count, { what: `${count} messages` });
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('a manager dispatches across sockets in arrival order, with eventTime never going back', async () => {
    const server = await startServer();
    const manager = new SocketManager();
    const names = ['a', 'b', 'c'];
    const sockets = names.map((name) => new WebSocket(`${server.url}/${name}`, { manager }));
    const dispatched: string[] = [];
    const times: number[] = [];
    for (const socket of sockets) {
      socket.on('message', (s, text) => {
        dispatched.push(text);
        times.push(s.eventTime);
      });
      socket.open();
      await server.nextClient(); // connect one by one, so server.clients[i] is sockets[i]
    }
    await pumpUntil(manager, () => sockets.every((socket) => socket.isOpen), { what: 'all open' });
    // The server writes to the sockets in a scripted order, a few ms apart, so that the
    // arrival order is that order. The game does not pump meanwhile.
    const script = [0, 1, 0, 2, 2, 1, 0, 2, 1, 1, 0, 2];
    const expected: string[] = [];
    for (const [step, index] of script.entries()) {
      const text = `${names[index]}${step}`;
      expected.push(text);
      server.clients[index]!.send(text);
      await sleep(3);
    }
    await waitFor(() => manager.queuedEvents === script.length, { what: 'all arrivals queued' });
    expect(manager.update()).toBe(script.length);
    expect(dispatched).toEqual(expected);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    manager.closeAll();
    await pumpUntilClosed(manager, sockets);
    expect(manager.size).toBe(0);
  });
});

describe('rule 3: update() dispatches only what was queued when it began', () => {
  it('an event queued during a manager update() waits for the next one', async () => {
    // A TCP server that never answers the handshake keeps `slow` connecting.
    const silent = createTcpServer((socket) => silentSockets.push(socket));
    const silentSockets: Socket[] = [];
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const server = await startServer((client) => client.send('hello'));
      const manager = new SocketManager();
      const fast = new WebSocket(server.url, { manager });
      const slow = new WebSocket(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, { manager });
      const log: string[] = [];
      slow.on('closed', (_s, code) => log.push(`slow closed ${code}`));
      fast.on('message', () => {
        log.push('fast message');
        slow.close(); // cancels the connection: its `closed` is queued now, during update()
      });
      slow.open();
      fast.open();
      await pumpUntil(manager, () => log.length > 0, { what: 'fast message' });
      expect(log).toEqual(['fast message']);
      expect(manager.queuedEvents).toBe(1);
      expect(manager.update()).toBe(1);
      expect(log).toEqual(['fast message', 'slow closed 1006']);
      fast.close();
      await pumpUntilClosed(manager, [fast, slow]);
    } finally {
      for (const socket of silentSockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('budgets leave the rest queued, in order', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 10; i++) client.send(`m${i}`);
      }),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    socket.on('message', (_s, text) => seen.push(text));
    socket.send('go');
    await waitFor(() => socket.queuedEvents === 10, { what: '10 queued' });
    expect(socket.update({ maxEvents: 3 })).toBe(3);
    expect(seen).toEqual(['m0', 'm1', 'm2']);
    expect(socket.update({ maxEvents: 0 })).toBe(0);
    expect(socket.update({ maxMs: 0 })).toBe(1); // a time budget always lets one event through
    expect(socket.update()).toBe(6);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('a time budget stops a frame that handlers made slow, and the rest follows in order', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 10; i++) client.send(`m${i}`);
      }),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    socket.on('message', (_s, text) => {
      seen.push(text);
      const until = performance.now() + 5;
      while (performance.now() < until); // a heavy handler
    });
    socket.send('go');
    await waitFor(() => socket.queuedEvents === 10, { what: '10 queued' });
    const first = socket.update({ maxMs: 12 });
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThan(10);
    await pumpUntil(socket, () => seen.length === 10);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('a manager honours budgets the same way', async () => {
    const server = await startServer((client) => {
      for (let i = 0; i < 6; i++) client.send(`m${i}`);
    });
    const manager = new SocketManager();
    const socket = new WebSocket(server.url, { manager });
    const seen: string[] = [];
    socket.on('message', (_s, text) => seen.push(text));
    socket.open();
    await waitFor(() => manager.queuedEvents === 7, { what: 'open + 6 queued' });
    expect(manager.update({ maxEvents: 4 })).toBe(4);
    expect(seen).toEqual(['m0', 'm1', 'm2']);
    expect(manager.update()).toBe(3);
    expect(seen).toHaveLength(6);
    expect(() => socket.update()).toThrow(/manager\.update\(\)/);
    manager.closeAll();
    await pumpUntilClosed(manager, [socket]);
  });
});

describe('rule 5: a throwing handler loses nothing and is not swallowed', () => {
  it('dispatches the events after the throw, then rethrows it from update()', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 5; i++) client.send(`m${i}`);
      }),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    const boom = new Error('boom in handler');
    socket.on('message', (_s, text) => {
      seen.push(text);
      if (text === 'm1') throw boom;
    });
    socket.on('message', (_s, text) => seen.push(`second handler ${text}`));
    socket.send('go');
    await waitFor(() => socket.queuedEvents === 5);
    expect(() => socket.update()).toThrow(boom);
    expect(seen).toEqual([
      'm0',
      'second handler m0',
      'm1',
      'second handler m1',
      'm2',
      'second handler m2',
      'm3',
      'second handler m3',
      'm4',
      'second handler m4',
    ]);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('several throws arrive together as an AggregateError', async () => {
    const server = await startServer(
      onGo((client) => {
        client.send('x');
        client.send('y');
      }),
    );
    const socket = await openSocket(server.url);
    socket.on('message', (_s, text) => {
      throw new Error(`bad ${text}`);
    });
    socket.send('go');
    await waitFor(() => socket.queuedEvents === 2);
    let thrown: unknown;
    try {
      socket.update();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).errors.map((error: Error) => error.message)).toEqual(['bad x', 'bad y']);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('onHandlerError receives them instead, and update() does not throw', async () => {
    const server = await startServer((client) => client.send('x'));
    const reported: unknown[] = [];
    const socket = new WebSocket(server.url, { onHandlerError: (error, s) => reported.push([error, s]) });
    const boom = new Error('boom');
    socket.on('message', () => {
      throw boom;
    });
    socket.open();
    await pumpUntil(socket, () => reported.length === 1);
    expect(reported[0]).toEqual([boom, socket]);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('a manager dispatches the other sockets’ events, then rethrows', async () => {
    const server = await startServer((client) => client.send('hi'));
    const manager = new SocketManager();
    const a = new WebSocket(server.url, { manager });
    const b = new WebSocket(server.url, { manager });
    const boom = new Error('a fails');
    const seen: string[] = [];
    a.on('message', () => {
      throw boom;
    });
    b.on('message', (_s, text) => seen.push(text));
    a.open();
    await server.nextClient();
    b.open();
    await server.nextClient();
    await waitFor(() => manager.queuedEvents === 4, { what: 'both open + message' });
    expect(() => manager.update()).toThrow(boom);
    expect(seen).toEqual(['hi']);
    manager.closeAll();
    await pumpUntilClosed(manager, [a, b]);
  });
});

describe('rule 7: one consistent story per frame', () => {
  it('after the server has gone, the game still sees open until closed is dispatched; its sends are counted as dropped', async () => {
    const server = await startServer();
    const socket = await openSocket(server.url);
    const client = await server.nextClient();
    client.terminate();
    await waitFor(() => socket.queuedEvents >= 2, { what: 'error and closed queued' });
    expect(socket.isOpen).toBe(true);
    expect(() => socket.send('into the void')).not.toThrow();
    expect(socket.stats.droppedSends).toBe(1);
    const log = record(socket);
    socket.update();
    expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
    expect(socket.isOpen).toBe(false);
    expect(() => socket.send('now it throws')).toThrow(/closed/);
  });

  it('handlers may remove themselves or add others while an event is dispatched', async () => {
    const server = await startServer(
      onGo((client) => {
        client.send('1');
        client.send('2');
      }),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    const once = (_s: WebSocket, text: string) => {
      seen.push(`once ${text}`);
      socket.off('message', once);
      socket.on('message', (_t, later) => seen.push(`added ${later}`));
    };
    socket.on('message', once);
    socket.on('message', (_s, text) => seen.push(`always ${text}`));
    socket.send('go');
    await pumpUntil(socket, () => seen.length >= 3);
    expect(seen).toEqual(['once 1', 'always 1', 'always 2', 'added 2']);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('eventTime is when the transport got the event, not when the frame ran', async () => {
    const server = await startServer((client) => client.send('tick'));
    const socket = new WebSocket(server.url);
    let eventTime = 0;
    socket.on('message', (s) => (eventTime = s.eventTime));
    socket.open();
    await waitFor(() => socket.queuedEvents === 2);
    const queuedBy = performance.now();
    await sleep(30);
    socket.update();
    expect(eventTime).toBeGreaterThan(0);
    expect(eventTime).toBeLessThanOrEqual(queuedBy);
    socket.close();
    await pumpUntilClosed(socket);
  });
});
