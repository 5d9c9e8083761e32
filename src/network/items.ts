/**
 * What a lab connection carries on its links, as flat items (a kind and up to four values, so
 * nothing is allocated per message), and how an item is handed on when its time comes.
 */
import type { WebSocketError } from '../errors.js';
import type { HeartbeatSink, OpenInfo, Transport, TransportSink } from '../transport.js';

// What goes down (server → game)...
export const OPEN = 0;
export const TEXT = 1;
export const BINARY = 2;
export const MESSAGE = 3;
export const FRAGMENT = 4;
export const ERROR = 5;
export const CLOSED = 6;
export const HEARD = 7;
export const PONG = 8;
// ...and up (game → server).
export const SEND = 0;
export const PING = 1;
export const CLOSE = 2;

/** What an item in flight costs beyond its bytes (its record), as `buffer` counts it. */
export const ITEM_BYTES = 64;

/** Hand a downlink item to the socket's sink (all but `CLOSED`, which ends the connection). */
export function deliverDown(
  sink: TransportSink,
  heartbeat: HeartbeatSink | undefined,
  kind: number,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  time: number,
): void {
  switch (kind) {
    case OPEN:
      sink.open(a as OpenInfo, time);
      break;
    case TEXT:
      sink.text(a as string | Uint8Array, time);
      break;
    case BINARY:
      sink.binary(a as Uint8Array, time);
      break;
    case MESSAGE:
      sink.message(a as Uint8Array, b as number, c as number, d as boolean, time);
      break;
    case FRAGMENT:
      sink.fragment(a as string | Uint8Array, b as boolean, time);
      break;
    case ERROR:
      sink.error(a as WebSocketError, time);
      break;
    case HEARD:
      heartbeat?.heard(time);
      break;
    case PONG:
      heartbeat?.pong(a as number, time);
      break;
  }
}

/** Hand an uplink item to the inner transport. */
export function deliverUp(inner: Transport, kind: number, a: unknown, b: unknown): void {
  switch (kind) {
    case SEND:
      inner.send(a as string | Uint8Array);
      break;
    case PING:
      inner.ping!(a as number);
      break;
    case CLOSE:
      inner.close(a as number, b as string);
      break;
  }
}

const encoder = new TextEncoder();

/** UTF-8 length of a string without encoding it into a new buffer each time (short strings: counted). */
export function byteLength(text: string): number {
  if (text.length > 256) return encoder.encode(text).length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
