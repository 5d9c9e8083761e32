// The sample game's wire format, shared by the server, the bots and the browser games.
//
// Binary (hot, every tick):
//   client → server  INPUT     [0x01][i8 dx][i8 dy]                 direction the player holds
//   client ↔ server  PING/PONG [0x02][f64 client time]               echoed as is, for RTT
//   server → client  SNAPSHOT  [0x10][u32 tick][f64 server ms][u16 n] then n × [u32 id][f32 x][f32 y]
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

export type TextMessage =
  | { type: 'join'; name: string }
  | { type: 'welcome'; id: number; tickHz: number }
  | { type: 'chat'; text: string; from?: number; name?: string }
  | { type: 'left'; id: number };

export interface PlayerState {
  id: number;
  x: number;
  y: number;
}

export interface Snapshot {
  tick: number;
  serverTime: number;
  players: PlayerState[];
}

const SNAPSHOT_HEADER = 15;
const SNAPSHOT_ENTRY = 12;

export function encodeInput(dx: number, dy: number): Uint8Array {
  const bytes = new Uint8Array(3);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, INPUT);
  view.setInt8(1, Math.max(-1, Math.min(1, Math.round(dx))));
  view.setInt8(2, Math.max(-1, Math.min(1, Math.round(dy))));
  return bytes;
}

export function encodePing(clientTime: number): Uint8Array {
  const bytes = new Uint8Array(9);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, PING);
  view.setFloat64(1, clientTime, true);
  return bytes;
}

export function readPingTime(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(1, true);
}

export function encodeSnapshot(tick: number, serverTime: number, players: readonly PlayerState[]): Uint8Array {
  const bytes = new Uint8Array(SNAPSHOT_HEADER + SNAPSHOT_ENTRY * players.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, SNAPSHOT);
  view.setUint32(1, tick, true);
  view.setFloat64(5, serverTime, true);
  view.setUint16(13, players.length, true);
  players.forEach((player, i) => {
    const at = SNAPSHOT_HEADER + SNAPSHOT_ENTRY * i;
    view.setUint32(at, player.id, true);
    view.setFloat32(at + 4, player.x, true);
    view.setFloat32(at + 8, player.y, true);
  });
  return bytes;
}

export function decodeSnapshot(data: Uint8Array): Snapshot {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint16(13, true);
  const players: PlayerState[] = [];
  for (let i = 0; i < count; i++) {
    const at = SNAPSHOT_HEADER + SNAPSHOT_ENTRY * i;
    players.push({ id: view.getUint32(at, true), x: view.getFloat32(at + 4, true), y: view.getFloat32(at + 8, true) });
  }
  return { tick: view.getUint32(1, true), serverTime: view.getFloat64(5, true), players };
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
