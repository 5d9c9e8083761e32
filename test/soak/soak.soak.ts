// Soak: `npm run test:soak` (60 s; SOAK_SECONDS to change it). Up to 200 sockets on one manager
// with random connects and closes, echo traffic, floods, pauses of the pump, and the server
// killed and restarted on the same port. At the end: closed exactly once for every socket, every
// echo and flood stream an in-order prefix (complete where the connection closed cleanly), the
// totals matching, and heap and open handles back near their baseline.
import { expect, it } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { SocketManager, WebSocket } from '../../src/node.js';
import { pumpUntil, sleep, startServer, type TestServer } from '../support/helpers.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const MAX_SOCKETS = 200;

interface Tracked {
  socket: WebSocket;
  sent: number;
  echoed: number;
  flood: { expected: number; received: number } | null;
  floodsDone: number;
  closed: number[];
  disorder: string[];
  /** Not yet closed when the server was killed: its connection may go down with it. */
  liveAtKill: boolean;
  /** Closed by the wind-down before it opened: that ends in 1006, "closed before the connection opened". */
  connectingAtEnd: boolean;
}

const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

function onConnection(client: ServerSocket): void {
  client.on('message', (data, isBinary) => {
    const text = String(data);
    if (!isBinary && text.startsWith('flood ')) {
      const count = Number(text.slice(6));
      for (let i = 0; i < count; i++) client.send(`f${i}`);
    } else client.send(data, { binary: isBinary });
  });
}

it(
  `${SECONDS} s with ${MAX_SOCKETS} sockets: connects, floods, pump pauses, server kills and restarts`,
  async () => {
    const random = (() => {
      let seed = 2026;
      return () => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) / 2 ** 32;
      };
    })();
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'the soak test needs --expose-gc (vitest.soak.config.ts)').toBeTypeOf('function');
    gc!();
    await sleep(100);
    const heapBefore = process.memoryUsage().heapUsed;
    const handlesBefore = handles();

    let server: TestServer | null = await startServer(onConnection);
    const port = server.port;
    const url = `ws://127.0.0.1:${port}/`;
    const manager = new SocketManager();
    const all: Tracked[] = [];
    const open = () => all.filter((tracked) => tracked.socket.isOpen);

    const connect = () => {
      const socket = new WebSocket(url, { manager, handshakeTimeout: 10_000, closeTimeout: 10_000 });
      const tracked: Tracked = {
        socket,
        sent: 0,
        echoed: 0,
        flood: null,
        floodsDone: 0,
        closed: [],
        disorder: [],
        liveAtKill: false,
        connectingAtEnd: false,
      };
      socket.on('message', (_s, text) => {
        if (text[0] === 'e') {
          if (text !== `e${tracked.echoed}`) tracked.disorder.push(`echo ${text}, expected e${tracked.echoed}`);
          tracked.echoed++;
        } else if (text[0] === 'f' && tracked.flood !== null) {
          if (text !== `f${tracked.flood.received}`)
            tracked.disorder.push(`flood ${text}, expected f${tracked.flood.received}`);
          if (++tracked.flood.received === tracked.flood.expected) {
            tracked.flood = null;
            tracked.floodsDone++;
          }
        }
      });
      socket.on('closed', (_s, code) => tracked.closed.push(code));
      socket.open();
      all.push(tracked);
    };

    const deadline = performance.now() + SECONDS * 1000;
    let pausedUntil = 0;
    let nextKill = performance.now() + 8_000;
    let kills = 0;
    while (performance.now() < deadline) {
      const now = performance.now();
      const live = manager.size;
      if (live < MAX_SOCKETS && random() < 0.5) for (let i = 0; i < 5 && manager.size < MAX_SOCKETS; i++) connect();
      const ready = open();
      for (let i = 0; i < 20 && ready.length > 0; i++) {
        const tracked = ready[Math.floor(random() * ready.length)]!;
        tracked.socket.send(`e${tracked.sent++}`);
      }
      if (ready.length > 0 && random() < 0.05) {
        const tracked = ready[Math.floor(random() * ready.length)]!;
        if (tracked.flood === null) {
          const count = 100 + Math.floor(random() * 2_000);
          tracked.flood = { expected: count, received: 0 };
          tracked.socket.send(`flood ${count}`);
        }
      }
      if (ready.length > 0 && random() < 0.03) ready[Math.floor(random() * ready.length)]!.socket.close(1000, 'enough');
      if (now >= pausedUntil) {
        if (random() < 0.01)
          pausedUntil = now + 100 + random() * 400; // the game stops pumping a while
        else manager.update({ maxMs: 8 });
      }
      if (now >= nextKill && server !== null) {
        for (const tracked of all) if (tracked.closed.length === 0) tracked.liveAtKill = true;
        await server.close(); // the server dies with every connection
        server = null;
        kills++;
        await sleep(200 + random() * 300);
        server = await startServer(onConnection, {}, port);
        nextKill = performance.now() + 6_000 + random() * 4_000;
      }
      await sleep(5);
    }

    // Wind down: every socket closes and dispatches its closed.
    for (let i = 0; i < 3; i++) connect(); // a few still connecting at the end, every run (else only some runs have one)
    for (const tracked of all) {
      tracked.connectingAtEnd = tracked.socket.state === 'connecting';
      tracked.socket.close(1000, 'soak over');
    }
    await pumpUntil(manager, () => manager.size === 0, { timeoutMs: 30_000, what: 'every socket closed' });
    await server?.close();

    const opened = all.length;
    expect(opened).toBeGreaterThan(MAX_SOCKETS);
    expect(kills).toBeGreaterThan(0);
    for (const tracked of all) {
      expect(tracked.closed).toHaveLength(1);
      expect(tracked.disorder).toEqual([]);
      expect(tracked.echoed).toBeLessThanOrEqual(tracked.sent);
      if (tracked.closed[0] === 1000) expect(tracked.echoed).toBe(tracked.sent); // a clean close: nothing missing
      expect(tracked.socket.stats.queuedEvents).toBe(0);
    }
    const clean = all.filter((tracked) => tracked.closed[0] === 1000);
    const totalSent = clean.reduce((sum, tracked) => sum + tracked.sent, 0);
    const totalEchoed = clean.reduce((sum, tracked) => sum + tracked.echoed, 0);
    expect(totalEchoed).toBe(totalSent);
    // Every connection that did not close cleanly was live when the server was killed, or still
    // connecting when the wind-down closed it: nothing else in this run loses one (the timeouts are
    // far above what a loaded machine needs).
    const unexplained = all
      .filter((tracked) => tracked.closed[0] !== 1000 && !tracked.liveAtKill)
      .filter((tracked) => !(tracked.connectingAtEnd && tracked.closed[0] === 1006))
      .map((tracked) => `closed ${tracked.closed[0]} with no kill while it was live`);
    expect(unexplained).toEqual([]);
    expect(clean.length).toBeGreaterThan(100);
    expect(all.reduce((sum, tracked) => sum + tracked.floodsDone, 0)).toBeGreaterThan(0);

    const unopened = all.filter((tracked) => tracked.connectingAtEnd && tracked.closed[0] !== 1000).length;
    expect(unopened).toBeGreaterThanOrEqual(3);
    all.length = 0;
    (globalThis as { gc?: () => void }).gc?.();
    await sleep(200);
    (globalThis as { gc?: () => void }).gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
    expect(handles()).toBeLessThanOrEqual(handlesBefore + 2);
    const lost = opened - clean.length - unopened;
    console.log(
      `soak: ${opened} sockets (${clean.length} closed cleanly, ${lost} lost with a kill, ${unopened} closed before they opened), ${kills} server kills, ${totalSent} echoes on clean closes, heap +${(
        (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
      ).toFixed(1)} MiB, handles ${handlesBefore} -> ${handles()}`,
    );
  },
  (SECONDS + 90) * 1000,
);
