/**
 * The browser transport, over the native `WebSocket`. Its handlers are fields bound once per
 * connection; they only hand the browser's data to the sink. Browsers cannot pause reading and
 * never show fragments, so the queue's hard cap applies and `incompleteFrame` is refused.
 * Browsers do not say why a connection failed (refused, DNS, TLS or an HTTP status all look the
 * same), so such failures are `connection_failed`.
 */
import { redactUrl, WebSocketError } from '../errors.js';
import { timerDelay } from '../timers.js';
import type {
  ConnectOptions,
  HeartbeatSink,
  Inbox,
  KeepAlive,
  Transport,
  TransportOptions,
  TransportSink,
} from '../transport.js';

/** The part of the WebSocket API the transport drives: the page's own, or one whose other end is a worker. */
export interface NativeSocket {
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: string;
  onopen: (() => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: (() => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Where its messages wait for `update()`, if they do (the worker's shared ring). */
  readonly inbox?: Inbox | undefined;
}

/** Where a native socket that receives messages in batches (the worker's) reports them. */
export interface BatchTarget {
  readonly sink: TransportSink;
  readonly heartbeat: HeartbeatSink | undefined;
  /** The heartbeat the native socket runs itself (the worker's), if any. */
  readonly keepAlive: KeepAlive | undefined;
}

/** Opens the native socket of one connection. */
export type OpenNative = (url: string, protocols: string[] | undefined, batches: BatchTarget) => NativeSocket;

/** The page's own WebSocket. */
const openPageSocket: OpenNative = (url, protocols) => new globalThis.WebSocket(url, protocols) as NativeSocket;

/** Make the native-WebSocket transport for one socket. */
export function createBrowserTransport(url: string, options: TransportOptions): Transport {
  return new BrowserTransport(url, options, openPageSocket);
}

/** @internal The native-WebSocket transport, over the page's WebSocket or another {@link NativeSocket}. */
export class BrowserTransport implements Transport, BatchTarget {
  readonly canPause = false;
  readonly canStreamFragments = false;
  sink!: TransportSink;
  heartbeat: HeartbeatSink | undefined;
  keepAlive: KeepAlive | undefined;
  protected native: NativeSocket | null = null;
  private opened = false;
  private errorReported = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** @param keepsAlive the native socket runs the heartbeat's timers itself (the worker's). */
  constructor(
    private readonly url: string,
    private readonly options: TransportOptions,
    private readonly openNative: OpenNative,
    readonly keepsAlive = false,
  ) {}

  get bufferedAmount(): number {
    return this.native === null ? 0 : this.native.bufferedAmount;
  }

  get inbox(): Inbox | undefined {
    return this.native?.inbox;
  }

  connect(sink: TransportSink, { heartbeat, keepAlive }: ConnectOptions): void {
    this.sink = sink;
    this.heartbeat = heartbeat;
    this.keepAlive = keepAlive;
    const native = this.openNative(this.url, this.options.protocols as string[], this);
    native.binaryType = 'arraybuffer';
    native.onopen = this.onOpen;
    native.onmessage = this.onMessage;
    native.onerror = this.onError;
    native.onclose = this.onClose;
    this.native = native;
    const timeout = this.options.handshakeTimeout ?? 0;
    if (timeout > 0) this.timer = setTimeout(this.onHandshakeTimeout, timerDelay(timeout));
  }

  send(data: string | Uint8Array): boolean {
    const native = this.native;
    if (native === null || native.readyState !== 1) return false;
    native.send(data);
    return true;
  }

  close(code: number, reason: string): void {
    const native = this.native;
    if (native === null || native.readyState >= 2) return;
    native.close(code, reason);
    const timeout = this.options.closeTimeout ?? 0;
    if (timeout > 0) {
      clearTimeout(this.timer);
      this.timer = setTimeout(this.onCloseTimeout, timerDelay(timeout));
    }
  }

  abort(): void {
    this.end(1006, '', false);
  }

  pause(): void {}

  resume(): void {}

  refuseCloseCode(code: number): string | undefined {
    if (code === 1000 || (code >= 3000 && code <= 4999)) return undefined;
    return `Browsers and Deno only send close code 1000 or 3000–4999, not ${code}.`;
  }

  private readonly onOpen = (): void => {
    clearTimeout(this.timer);
    this.opened = true;
    this.heartbeat?.heard(performance.now());
    const native = this.native!;
    this.sink.open({ protocol: native.protocol, extensions: native.extensions, response: null });
  };

  protected readonly onMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    this.heartbeat?.heard(event.timeStamp);
    // An event's timeStamp is on the performance.now() clock: when the message arrived.
    if (typeof data === 'string') this.sink.text(data, event.timeStamp);
    else this.sink.binary(new Uint8Array(data as ArrayBuffer), event.timeStamp);
  };

  private readonly onError = (): void => {
    if (this.errorReported) return;
    this.errorReported = true;
    this.sink.error(
      this.opened
        ? new WebSocketError(
            'connection_lost',
            `The connection to ${redactUrl(this.url)} failed (the browser gives no detail).`,
          )
        : new WebSocketError(
            'connection_failed',
            `Could not connect to ${redactUrl(this.url)}: the server is down, refused the upgrade, or the name or certificate is wrong (browsers do not say which; the devtools console does).`,
          ),
    );
  };

  private readonly onClose = (event: { code: number; reason: string; wasClean: boolean }): void => {
    this.end(event.code, event.reason, event.wasClean);
  };

  private readonly onHandshakeTimeout = (): void => {
    if (this.errorReported) return;
    this.errorReported = true;
    this.sink.error(
      new WebSocketError(
        'handshake_timeout',
        `No WebSocket handshake from ${redactUrl(this.url)} within handshakeTimeout.`,
      ),
    );
    this.end(1006, '', false);
  };

  private readonly onCloseTimeout = (): void => {
    this.end(1006, 'close timeout', false);
  };

  /** Report the end once and let go of the native socket. */
  private end(code: number, reason: string, wasClean: boolean): void {
    const native = this.native;
    if (native === null) return;
    this.native = null;
    clearTimeout(this.timer);
    native.onopen = native.onmessage = native.onerror = native.onclose = null;
    if (native.readyState < 2) native.close();
    this.sink.closed(code, reason, wasClean);
  }
}
