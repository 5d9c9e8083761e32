// The manager: one update() for every live socket; sockets join on open() and leave once
// their closed is dispatched; idle sockets add no events and no work to an update().
import { afterEach, describe, expect, it } from 'vitest';
import { SocketManager, WebSocket } from '../../src/node.js';
import { closeAllServers, pumpUntil, pumpUntilClosed, startServer, waitFor } from '../support/helpers.js';

afterEach(closeAllServers);

describe('SocketManager', () => {
  it('sockets join on open() and leave after their closed is dispatched', async () => {
    const server = await startServer();
    const manager = new SocketManager();
    const socket = new WebSocket(server.url, { manager });
    expect(manager.size).toBe(0);
    socket.open();
    expect(manager.size).toBe(1);
    expect(manager.sockets).toEqual([socket]);
    await pumpUntil(manager, () => socket.isOpen);
    socket.close();
    await waitFor(() => manager.queuedEvents === 1, { what: 'closed queued' });
    expect(manager.size).toBe(1); // closed not dispatched yet: still live for the game
    expect(manager.update()).toBe(1);
    expect(manager.size).toBe(0);
    expect(manager.update()).toBe(0);
  });

  it('with 300 idle sockets, an update() dispatches exactly the events of the active ones', async () => {
    const server = await startServer((client, request) => {
      if (request.url === '/active') client.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
    });
    const manager = new SocketManager();
    const idle = Array.from({ length: 300 }, () => new WebSocket(`${server.url}/idle`, { manager }).open());
    const active = [0, 1].map(() => new WebSocket(`${server.url}/active`, { manager }).open());
    const all = [...idle, ...active];
    await pumpUntil(manager, () => all.every((socket) => socket.isOpen), { timeoutMs: 15_000, what: '302 open' });
    expect(manager.size).toBe(302);
    expect(manager.update()).toBe(0);
    const echoes: string[] = [];
    for (const [index, socket] of active.entries()) {
      socket.on('message', (_s, text) => echoes.push(text));
      for (let i = 0; i < 5; i++) socket.send(`${index}:${i}`);
    }
    await waitFor(() => manager.queuedEvents === 10, { what: '10 echoes queued' });
    expect(manager.update()).toBe(10);
    expect(manager.stats).toMatchObject({ sockets: 302, messagesOut: 10, messagesIn: 10, queuedEvents: 0 });
    expect(echoes.filter((text) => text.startsWith('0:'))).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(echoes.filter((text) => text.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4']);
    manager.closeAll();
    await pumpUntilClosed(manager, all, 15_000);
    expect(manager.size).toBe(0);
  });

  it('its message counters are totals: a socket that leaves keeps counting in them', async () => {
    const server = await startServer((client) => client.on('message', (data) => client.send(String(data))));
    const manager = new SocketManager();
    const sockets = [0, 1].map(() => new WebSocket(server.url, { manager }).open());
    await pumpUntil(manager, () => sockets.every((socket) => socket.isOpen));
    for (const socket of sockets) socket.send('ping');
    await pumpUntil(manager, () => manager.stats.messagesIn === 2);
    sockets[0]!.close();
    await pumpUntilClosed(manager, [sockets[0]!]);
    expect(manager.size).toBe(1);
    expect(manager.stats).toMatchObject({ sockets: 1, messagesIn: 2, messagesOut: 2 });
    manager.closeAll();
    await pumpUntilClosed(manager, sockets);
    expect(manager.stats).toMatchObject({ sockets: 0, messagesIn: 2, messagesOut: 2, queuedEvents: 0 });
  });

  it('rejects a re-entrant update() from a handler', async () => {
    const server = await startServer((client) => client.send('x'));
    const manager = new SocketManager();
    const socket = new WebSocket(server.url, { manager });
    let inner: unknown;
    socket.on('message', () => {
      try {
        manager.update();
      } catch (error) {
        inner = error;
      }
    });
    socket.open();
    await pumpUntil(manager, () => inner !== undefined);
    expect((inner as { code: string }).code).toBe('invalid_state');
    manager.closeAll();
    await pumpUntilClosed(manager, [socket]);
  });
});
