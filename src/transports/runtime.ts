/**
 * The native WebSocket of the server-side runtimes that ship one (Bun, Deno), as a transport:
 * the browser transport with what those runtimes add. Both send request headers; Bun also
 * sends protocol pings (its `ping()` and `pong` event) and any close code RFC 6455 allows.
 * Neither can pause reading, so the queue's hard cap bounds memory, as in browsers.
 */
import type { Transport, TransportOptions } from '../transport.js';
import { checkHeaders } from '../validate.js';
import { type BatchTarget, BrowserTransport, type NativeSocket, type OpenNative } from './browser.js';

/** Options of the native transport of Bun and Deno. */
export interface RuntimeTransportOptions {
  /** Extra HTTP headers for the upgrade request (cookies, auth tokens). */
  headers?: Record<string, string>;
}

/** Bun's WebSocket client: the standard one, plus protocol pings. */
interface BunSocket extends NativeSocket {
  ping(data: Uint8Array): void;
  addEventListener(type: 'pong', listener: (event: { data: ArrayBuffer | Uint8Array }) => void): void;
}

const isBun = (): boolean => typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/**
 * Make the native-WebSocket transport of Bun or Deno for one socket (the `bun` and `deno`
 * entries' default).
 */
export function createRuntimeTransport(url: string, options: TransportOptions & RuntimeTransportOptions): Transport {
  checkHeaders(options.headers, undefined);
  const open: OpenNative = (target, protocols) =>
    // Both runtimes take the protocols and headers in an options object (a non-standard extension).
    new globalThis.WebSocket(target, { protocols, headers: options.headers } as never) as unknown as NativeSocket;
  return isBun() ? new BunTransport(url, options, open) : new RuntimeTransport(url, options, open);
}

/** The browser transport, timing messages itself: these runtimes stamp their events 0. */
class RuntimeTransport extends BrowserTransport {
  protected override readonly onMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    const time = performance.now();
    this.heartbeat?.heard(time);
    if (typeof data === 'string') this.sink.text(data, time);
    else this.sink.binary(new Uint8Array(data as ArrayBuffer), time);
  };
}

/** Bun: any close code RFC 6455 allows; pings carry their send time (8 bytes, little-endian double), as the Node transport's do. */
class BunTransport extends RuntimeTransport {
  constructor(url: string, options: TransportOptions, open: OpenNative) {
    super(url, options, (target, protocols, batches) => listenForPongs(open(target, protocols, batches), batches));
  }

  override refuseCloseCode(): string | undefined {
    return undefined; // the code was checked against RFC 6455 already; Bun sends any valid one
  }

  ping(sentAt: number): void {
    const stamp = new Uint8Array(8);
    new DataView(stamp.buffer).setFloat64(0, sentAt, true);
    if (this.native?.readyState === 1) (this.native as BunSocket).ping(stamp);
  }
}

function listenForPongs(native: NativeSocket, batches: BatchTarget): NativeSocket {
  (native as BunSocket).addEventListener('pong', (event) => {
    const now = performance.now();
    // An ArrayBuffer, as binaryType says (a Buffer before it is set).
    const data = event.data instanceof ArrayBuffer ? new Uint8Array(event.data) : event.data;
    batches.heartbeat?.heard(now);
    if (data.length === 8) {
      batches.heartbeat?.pong(new DataView(data.buffer, data.byteOffset, 8).getFloat64(0, true), now);
    }
  });
  return native;
}
