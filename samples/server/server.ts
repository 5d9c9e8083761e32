// A small authoritative game-room server on `ws`: players join, send timed inputs, and collect
// coins; the server applies the inputs (see room.ts), broadcasts binary snapshots at TICK_HZ
// and chat as text. It also serves the built browser samples over HTTP. A sample to copy, so
// it stays small and correct.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { type WebSocket as Peer, WebSocketServer } from 'ws';
import { decodeInput, encodePong, INPUT, PING, parseText, type TextMessage, TICK_HZ } from '../shared/protocol.js';
import { Room, type RoomPlayer } from './room.js';

export interface GameServer {
  /** `ws://host:port/room` */
  url: string;
  /** `http://host:port/` serving the browser samples */
  httpUrl: string;
  readonly players: number;
  /** Messages received and sent since start. */
  readonly stats: { received: number; sent: number };
  /** The game's state: players on the field (with scores) and coins. */
  readonly room: Room;
  /** Cut every connection without a close handshake, as a network blip does; the server stays up. */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface GameServerOptions {
  host?: string;
  port?: number;
  /** Folder served over HTTP (the built browser samples); none: HTTP answers 404. */
  staticDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
};

/** Start a room server. Port 0 (the default) picks a free port; `url` tells which. */
export async function startGameServer({
  host = '127.0.0.1',
  port = 0,
  staticDir,
}: GameServerOptions = {}): Promise<GameServer> {
  const http: Server = createServer((request, response) => {
    void serveStatic(staticDir, request.url ?? '/').then(
      (file) => {
        if (file === undefined) response.writeHead(404).end('not found');
        else
          response
            .writeHead(200, {
              'content-type': CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream',
              // Cross-origin isolated pages: the worker transport shares its ring with the page.
              'cross-origin-opener-policy': 'same-origin',
              'cross-origin-embedder-policy': 'require-corp',
            })
            .end(file.data);
      },
      () => response.writeHead(500).end(),
    );
  });
  const wss = new WebSocketServer({ server: http, path: '/room', maxPayload: 64 * 1024 });
  const room = new Room();
  /** Peers that joined, and their player. */
  const joined = new Map<Peer, RoomPlayer>();
  const stats = { received: 0, sent: 0 };
  const started = performance.now();
  const serverTime = () => performance.now() - started;
  let tick = 0;

  const send = (peer: Peer, data: Uint8Array | string): void => {
    if (peer.readyState !== peer.OPEN) return;
    peer.send(data);
    stats.sent++;
  };
  const broadcast = (message: TextMessage): void => {
    const text = JSON.stringify(message);
    for (const peer of joined.keys()) send(peer, text);
  };
  const sendRoster = () => broadcast({ type: 'roster', players: room.roster() });

  wss.on('connection', (peer) => {
    peer.on('message', (data: Buffer, isBinary) => {
      stats.received++;
      const player = joined.get(peer);
      if (isBinary) {
        if (data[0] === PING && data.length === 9) send(peer, encodePong(data, serverTime()));
        else if (data[0] === INPUT && player !== undefined) {
          const input = decodeInput(data);
          if (input !== undefined) room.input(player, input, performance.now());
        }
        return;
      }
      const message = parseText(data.toString());
      if (message?.type === 'join' && player === undefined) {
        const session = typeof message.session === 'string' ? message.session : undefined;
        const { player: joining, resumed } = room.join(String(message.name).slice(0, 32), session, performance.now());
        joined.set(peer, joining);
        const welcome: TextMessage = {
          type: 'welcome',
          id: joining.id,
          tickHz: TICK_HZ,
          session: joining.session,
          resumed,
        };
        send(peer, JSON.stringify(welcome));
        sendRoster();
      } else if (message?.type === 'chat' && player !== undefined) {
        broadcast({ type: 'chat', from: player.id, name: player.name, text: String(message.text).slice(0, 200) });
      }
    });
    peer.on('close', () => {
      const player = joined.get(peer);
      if (player === undefined) return;
      joined.delete(peer);
      room.leave(player, performance.now());
      sendRoster();
    });
    peer.on('error', () => peer.terminate());
  });

  const timer = setInterval(() => {
    tick++;
    room.step(performance.now());
    if (joined.size === 0) return;
    const snapshot = room.snapshot(tick, serverTime());
    for (const peer of joined.keys()) send(peer, snapshot);
  }, 1000 / TICK_HZ);

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      // ws re-emits the HTTP server's error on itself: reported once, by the rejection.
      wss.once('error', () => {});
      http.listen(port, host, resolve);
    });
  } catch (error) {
    clearInterval(timer);
    wss.close();
    throw error;
  }
  const address = http.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `ws://${hostPart}:${address.port}/room`,
    httpUrl: `http://${hostPart}:${address.port}/`,
    get players() {
      return room.players.size;
    },
    stats,
    room,
    dropConnections() {
      for (const peer of wss.clients) peer.terminate();
    },
    async close() {
      clearInterval(timer);
      for (const peer of wss.clients) peer.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Give peers a moment to answer the close handshake, then cut what is left.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const peer of wss.clients) peer.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function serveStatic(root: string | undefined, url: string): Promise<{ path: string; data: Buffer } | undefined> {
  if (root === undefined) return undefined;
  const pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
  const relative = normalize(pathname === '/' ? '/index.html' : pathname);
  if (relative.includes('..')) return undefined;
  const path = join(root, relative);
  try {
    return { path, data: await readFile(path) };
  } catch {
    return undefined;
  }
}
