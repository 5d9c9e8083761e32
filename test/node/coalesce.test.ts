// Backlog rules for a game back from the background: coalescing keeps the newest snapshot per
// key and every unkeyed message, in arrival order; the backlog is visible before pumping.
import { afterEach, describe, expect, it } from 'vitest';
import { SocketManager, WebSocket } from '../../src/node.js';
import { closeAllServers, onGo, pumpUntil, pumpUntilClosed, startServer, waitFor } from '../support/helpers.js';

afterEach(closeAllServers);

const ENTITIES = 10;
const SNAPSHOTS = 10_000;
const CHATS = 100;

/** Binary snapshot: [u32 entity][u32 sequence]; text chat every 100 snapshots. */
function floodServer() {
  return startServer(
    onGo((client) => {
      for (let i = 0; i < SNAPSHOTS; i++) {
        const snapshot = Buffer.alloc(8);
        snapshot.writeUInt32LE(i % ENTITIES, 0);
        snapshot.writeUInt32LE(i, 4);
        client.send(snapshot);
        if (i % (SNAPSHOTS / CHATS) === 0) client.send(`chat ${i}`);
      }
    }),
  );
}

const u32 = (data: Uint8Array, at: number) => new DataView(data.buffer, data.byteOffset).getUint32(at, true);
const entityOf = (data: string | Uint8Array) => (typeof data === 'string' ? undefined : u32(data, 0));

describe('coalescing', () => {
  it.each(['socket', 'manager'] as const)(
    'one %s update() dispatches the newest snapshot of each entity and all chat, in arrival order',
    async (pump) => {
      const server = await floodServer();
      const manager = pump === 'manager' ? new SocketManager() : undefined;
      const socket = new WebSocket(server.url, { coalesce: entityOf, manager });
      const target = manager ?? socket;
      const seen: string[] = [];
      socket.on('binary', (_s, data) => seen.push(`snapshot ${u32(data, 0)}:${u32(data, 4)}`));
      socket.on('message', (_s, text) => seen.push(text));
      socket.on('open', (s) => s.send('go'));
      socket.open();
      await pumpUntil(target, () => socket.isOpen);
      // The game is in the background: nothing is pumped while everything arrives.
      await waitFor(() => socket.queuedEvents === SNAPSHOTS + CHATS, { what: 'the whole flood queued' });
      const backlog = socket.backlog;
      expect(backlog.events).toBe(SNAPSHOTS + CHATS);
      expect(backlog.bytes).toBeGreaterThan(SNAPSHOTS * 8);
      expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(0);

      expect(target.update()).toBe(ENTITIES + CHATS);
      // Expected: every chat, and for each entity its last snapshot, each where it arrived.
      const expected: string[] = [];
      for (let i = 0; i < SNAPSHOTS; i++) {
        if (i >= SNAPSHOTS - ENTITIES) expected.push(`snapshot ${i % ENTITIES}:${i}`);
        if (i % (SNAPSHOTS / CHATS) === 0) expected.push(`chat ${i}`);
      }
      expect(seen).toEqual(expected);
      expect(socket.stats.coalesced).toBe(SNAPSHOTS - ENTITIES);
      expect(socket.backlog).toEqual({ events: 0, bytes: 0, oldestAgeMs: 0 });
      socket.close();
      await pumpUntilClosed(target, [socket]);
    },
  );

  it('a key function that throws is reported, and its message is kept', async () => {
    const server = await startServer(
      onGo((client) => {
        client.send('a');
        client.send('b');
      }),
    );
    const reported: unknown[] = [];
    const socket = new WebSocket(server.url, {
      coalesce: () => {
        throw new Error('bad key');
      },
      onHandlerError: (error) => reported.push(error),
    });
    const seen: string[] = [];
    socket.on('message', (_s, text) => seen.push(text));
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntil(socket, () => seen.length === 2);
    expect(seen).toEqual(['a', 'b']);
    expect(reported.length).toBeGreaterThanOrEqual(2);
    socket.close();
    await pumpUntilClosed(socket);
  });
});
