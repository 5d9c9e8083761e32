// The sample game's wire format and its one movement rule, shared by the server, the bots and
// the browser games (the client predicts with the same `move` the server runs).
//
// Binary (hot):
//   client → server  INPUT     [0x01][u32 seq][i8 dx][i8 dy][u8 ms]   hold (dx, dy) for ms
//   client → server  PING      [0x02][f64 client time]
//   server → client  PONG      [0x02][f64 client time][f64 server ms]  the ping echoed, plus the server's clock
//   server → client  SNAPSHOT  [0x10][u32 tick][f64 server ms][u16 n] then n × [u32 id][f32 x][f32 y][u32 acked seq][u16 score]
//                              then [u16 m] then m × [f32 x][f32 y]   the coins
// Text (rare): JSON, see `TextMessage`.

export const INPUT = 0x01;
export const PING = 0x02;
export const SNAPSHOT = 0x10;

/** The field players move on, in world units. */
export const FIELD_WIDTH = 800;
export const FIELD_HEIGHT = 600;
/** World units per second at full input. */
export const PLAYER_SPEED = 160;
/** Server simulation and snapshot rate. */
export const TICK_HZ = 20;
/** How often a moving client samples its input, predicts and sends it: every 16 ms (an integer, so both sides move alike). */
export const INPUT_STEP_MS = 16;
/** A coin is picked up by a player whose centre comes this close. */
export const PICKUP_RADIUS = 22;
export const COINS = 6;
/** The longest single input the server accepts, in ms. */
export const MAX_INPUT_MS = 100;

export type TextMessage =
  /** Sent on every (re)connection; `session` resumes the player the server still holds. */
  | { type: 'join'; name: string; session?: string }
  | { type: 'welcome'; id: number; tickHz: number; session: string; resumed: boolean }
  | { type: 'chat'; text: string; from?: number; name?: string }
  /** Everyone in the room, sent to all when someone joins or leaves. */
  | { type: 'roster'; players: { id: number; name: string }[] };

export interface PlayerState {
  id: number;
  x: number;
  y: number;
  /** The last input of this player the server applied (0: none). */
  acked: number;
  score: number;
}

export interface Coin {
  x: number;
  y: number;
}

export interface Snapshot {
  tick: number;
  serverTime: number;
  players: PlayerState[];
  coins: Coin[];
}

/** One step of the game's only rule: hold (dx, dy) for `ms`, stay on the field. */
export function move(position: { x: number; y: number }, dx: number, dy: number, ms: number): void {
  const distance = (PLAYER_SPEED * ms) / 1000;
  position.x = clamp(position.x + Math.sign(dx) * distance, 0, FIELD_WIDTH);
  position.y = clamp(position.y + Math.sign(dy) * distance, 0, FIELD_HEIGHT);
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value, max);
}

const SNAPSHOT_HEADER = 15;
const PLAYER_ENTRY = 18;
const COIN_ENTRY = 8;

export function encodeInput(seq: number, dx: number, dy: number, ms: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, INPUT);
  view.setUint32(1, seq, true);
  view.setInt8(5, Math.sign(dx));
  view.setInt8(6, Math.sign(dy));
  view.setUint8(7, Math.max(0, Math.min(MAX_INPUT_MS, Math.round(ms))));
  return bytes;
}

export interface Input {
  seq: number;
  dx: number;
  dy: number;
  ms: number;
}

/** An input message's fields, or undefined for anything that is not a well-formed one. */
export function decodeInput(data: Uint8Array): Input | undefined {
  if (data.length !== 8 || data[0] !== INPUT) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ms = view.getUint8(7);
  if (ms > MAX_INPUT_MS) return undefined;
  return { seq: view.getUint32(1, true), dx: Math.sign(view.getInt8(5)), dy: Math.sign(view.getInt8(6)), ms };
}

export function encodePing(clientTime: number): Uint8Array {
  const bytes = new Uint8Array(9);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, PING);
  view.setFloat64(1, clientTime, true);
  return bytes;
}

/** A ping's answer: the ping as it came, plus the server's clock. */
export function encodePong(ping: Uint8Array, serverTime: number): Uint8Array {
  const bytes = new Uint8Array(17);
  bytes.set(ping.subarray(0, 9));
  new DataView(bytes.buffer).setFloat64(9, serverTime, true);
  return bytes;
}

export function readPingTime(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(1, true);
}

/** The server's clock in a pong or a snapshot; undefined for other messages. */
export function readServerTime(data: string | Uint8Array): number | undefined {
  if (typeof data === 'string') return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data[0] === SNAPSHOT && data.length >= SNAPSHOT_HEADER) return view.getFloat64(5, true);
  if (data[0] === PING && data.length === 17) return view.getFloat64(9, true);
  return undefined;
}

export function encodeSnapshot(
  tick: number,
  serverTime: number,
  players: readonly PlayerState[],
  coins: readonly Coin[],
): Uint8Array {
  const coinsAt = SNAPSHOT_HEADER + PLAYER_ENTRY * players.length;
  const bytes = new Uint8Array(coinsAt + 2 + COIN_ENTRY * coins.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, SNAPSHOT);
  view.setUint32(1, tick, true);
  view.setFloat64(5, serverTime, true);
  view.setUint16(13, players.length, true);
  players.forEach((player, i) => {
    const at = SNAPSHOT_HEADER + PLAYER_ENTRY * i;
    view.setUint32(at, player.id, true);
    view.setFloat32(at + 4, player.x, true);
    view.setFloat32(at + 8, player.y, true);
    view.setUint32(at + 12, player.acked, true);
    view.setUint16(at + 16, Math.min(player.score, 0xffff), true);
  });
  view.setUint16(coinsAt, coins.length, true);
  coins.forEach((coin, i) => {
    view.setFloat32(coinsAt + 2 + COIN_ENTRY * i, coin.x, true);
    view.setFloat32(coinsAt + 6 + COIN_ENTRY * i, coin.y, true);
  });
  return bytes;
}

export function decodeSnapshot(data: Uint8Array): Snapshot {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint16(13, true);
  const players: PlayerState[] = [];
  for (let i = 0; i < count; i++) {
    const at = SNAPSHOT_HEADER + PLAYER_ENTRY * i;
    players.push({
      id: view.getUint32(at, true),
      x: view.getFloat32(at + 4, true),
      y: view.getFloat32(at + 8, true),
      acked: view.getUint32(at + 12, true),
      score: view.getUint16(at + 16, true),
    });
  }
  const coinsAt = SNAPSHOT_HEADER + PLAYER_ENTRY * count;
  const coins: Coin[] = [];
  for (let i = 0, n = view.getUint16(coinsAt, true); i < n; i++) {
    coins.push({
      x: view.getFloat32(coinsAt + 2 + COIN_ENTRY * i, true),
      y: view.getFloat32(coinsAt + 6 + COIN_ENTRY * i, true),
    });
  }
  return { tick: view.getUint32(1, true), serverTime: view.getFloat64(5, true), players, coins };
}

/** Parse a text message; undefined for anything that is not one of ours. */
export function parseText(text: string): TextMessage | undefined {
  try {
    const message = JSON.parse(text) as TextMessage;
    return typeof message === 'object' && message !== null && typeof message.type === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
