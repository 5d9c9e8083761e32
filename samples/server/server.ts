// A small authoritative game-room server on `ws`: players join, hold a direction, and the
// server moves them and broadcasts binary snapshots at TICK_HZ, plus chat as text. It also
// serves the built browser samples over HTTP. A sample to copy, so it stays small and correct.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { type WebSocket as Peer, WebSocketServer } from 'ws';
import {
  encodeSnapshot,
  FIELD_HEIGHT,
  FIELD_WIDTH,
  INPUT,
  PING,
  PLAYER_SPEED,
  type PlayerState,
  parseText,
  type TextMessage,
  TICK_HZ,
} from '../shared/protocol.js';

interface Player extends PlayerState {
  name: string;
  dx: number;
  dy: number;
  peer: Peer;
}

export interface GameServer {
  /** `ws://host:port/room` */
  url: string;
  /** `http://host:port/` serving the browser samples */
  httpUrl: string;
  readonly players: number;
  /** Messages received and sent since start. */
  readonly stats: { received: number; sent: number };
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
            .writeHead(200, { 'content-type': CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream' })
            .end(file.data);
      },
      () => response.writeHead(500).end(),
    );
  });
  const wss = new WebSocketServer({ server: http, path: '/room', maxPayload: 64 * 1024 });
  const players = new Map<Peer, Player>();
  const stats = { received: 0, sent: 0 };
  let nextId = 1;
  let tick = 0;

  const send = (peer: Peer, data: Uint8Array | string): void => {
    if (peer.readyState !== peer.OPEN) return;
    peer.send(data);
    stats.sent++;
  };
  const broadcast = (message: TextMessage): void => {
    const text = JSON.stringify(message);
    for (const peer of players.keys()) send(peer, text);
  };

  wss.on('connection', (peer) => {
    const player: Player = {
      id: nextId++,
      name: 'player',
      x: Math.random() * FIELD_WIDTH,
      y: Math.random() * FIELD_HEIGHT,
      dx: 0,
      dy: 0,
      peer,
    };
    players.set(peer, player);
    send(peer, JSON.stringify({ type: 'welcome', id: player.id, tickHz: TICK_HZ } satisfies TextMessage));
    peer.on('message', (data: Buffer, isBinary) => {
      stats.received++;
      if (isBinary) {
        if (data[0] === INPUT && data.length === 3) {
          player.dx = Math.sign(data.readInt8(1));
          player.dy = Math.sign(data.readInt8(2));
        } else if (data[0] === PING && data.length === 9) {
          send(peer, data); // echoed as is: the client measures its round trip
        }
        return;
      }
      const message = parseText(data.toString());
      if (message?.type === 'join') player.name = String(message.name).slice(0, 32);
      else if (message?.type === 'chat') {
        broadcast({ type: 'chat', from: player.id, name: player.name, text: String(message.text).slice(0, 200) });
      }
    });
    peer.on('close', () => {
      players.delete(peer);
      broadcast({ type: 'left', id: player.id });
    });
    peer.on('error', () => peer.terminate());
  });

  const started = performance.now();
  const stepSeconds = 1 / TICK_HZ;
  const timer = setInterval(() => {
    tick++;
    for (const player of players.values()) {
      player.x = clamp(player.x + player.dx * PLAYER_SPEED * stepSeconds, 0, FIELD_WIDTH);
      player.y = clamp(player.y + player.dy * PLAYER_SPEED * stepSeconds, 0, FIELD_HEIGHT);
    }
    if (players.size === 0) return;
    const snapshot = encodeSnapshot(tick, performance.now() - started, [...players.values()]);
    for (const peer of players.keys()) send(peer, snapshot);
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
      return players.size;
    },
    stats,
    async close() {
      clearInterval(timer);
      for (const peer of players.keys()) peer.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Give peers a moment to answer the close handshake, then cut what is left.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const peer of wss.clients) peer.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value, max);
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
