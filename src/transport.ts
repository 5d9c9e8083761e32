/**
 * The seam between the network and the queue. A transport owns one connection; it never calls
 * user code: it only reports what happened to a {@link TransportSink}, which queues plain records
 * for `update()` to dispatch. Node uses `ws`, browsers the native `WebSocket`; tests and replays
 * may inject their own through the `transport` option.
 */
import type { HandshakeResponse, WebSocketError } from './errors.js';

/** What the transport learned when the connection opened. */
export interface OpenInfo {
  /** The subprotocol the server chose, or `''`. */
  readonly protocol: string;
  /** The extensions the server accepted (e.g. `'permessage-deflate'`), or `''`. */
  readonly extensions: string;
  /** The server's 101 answer, where the platform shows it (Node). */
  readonly response: HandshakeResponse | null;
}

/**
 * Where a transport reports what happened, in the order it happened. `time` is when the data
 * reached the transport, on the `performance.now()` clock: a transport that knows it (the read
 * that carried the message, a browser event's `timeStamp`) passes it, which saves a clock read
 * per message; without it the sink reads the clock. The sink takes ownership of the data it is
 * given: a transport must not change a buffer after handing it over.
 */
export interface TransportSink {
  /** The handshake completed. */
  open(info: OpenInfo, time?: number): void;
  /** A complete text message: a string, or its UTF-8 bytes (already validated) to decode lazily. */
  text(data: string | Uint8Array, time?: number): void;
  /** A complete binary message. */
  binary(data: Uint8Array, time?: number): void;
  /**
   * A complete message that is `source[start, end)`: binary, or text already validated as
   * UTF-8. The sink keeps `source` itself, so a transport that parses many messages out of one
   * read hands over each without a copy or a view of its own.
   */
  message(source: Uint8Array, start: number, end: number, isText: boolean, time?: number): void;
  /** One fragment of a fragmented message (only when `connect` was asked to stream fragments). */
  fragment(data: string | Uint8Array, isFinal: boolean, time?: number): void;
  /** The connection failed; `closed` follows. */
  error(error: WebSocketError, time?: number): void;
  /** The connection ended. Called exactly once per connect, last. */
  closed(code: number, reason: string, wasClean: boolean, time?: number): void;
}

/** Where a transport reports liveness and pongs (all times on the `performance.now()` clock). */
export interface HeartbeatSink {
  /** Something (any frame) arrived at `time`. */
  heard(time: number): void;
  /** The pong of the ping sent at `sentAt` arrived at `time`. */
  pong(sentAt: number, time: number): void;
  /** The transport's own keep-alive sent the application ping at `sentAt` (see {@link KeepAlive}). */
  pinged?(sentAt: number): void;
  /** The transport's own keep-alive heard nothing for `silentMs`: the connection is to fail with `timeout`. */
  silent?(silentMs: number): void;
}

/**
 * A heartbeat a transport runs itself, where its timers outlive the page's (a worker's are not
 * throttled in a background tab): send `message` every `pingInterval` ms, report silence past
 * `closeAfterNoMessage` ms (0: either off). The socket's heartbeat still times the replies.
 */
export interface KeepAlive {
  /** The application ping to send (undefined: no pings, only the silence check). */
  readonly message: string | Uint8Array | undefined;
  /** Send it this often, in ms (0: never). */
  readonly pingInterval: number;
  /** Report silence past this many ms (0: never). */
  readonly closeAfterNoMessage: number;
}

/**
 * Messages that wait outside the event loop (the worker transport's shared ring): no task on the
 * page's thread announces them, so `update()` takes them itself before it dispatches. Times are
 * arrival times on the `performance.now()` clock; `Infinity` means none.
 */
export interface Inbox {
  /** Take what has arrived; returns the arrival time of the oldest message taken and not yet handed over. */
  collect(): number;
  /** Hand the oldest message taken to the transport's sink; returns the next one's arrival time. */
  deliverOne(): number;
}

/** Options a transport gets from `connect()`. */
export interface ConnectOptions {
  /** Report fragments one by one through `sink.fragment` instead of assembled messages. */
  readonly streamFragments: boolean;
  /** Report liveness and pongs here, when the socket has a heartbeat. */
  readonly heartbeat?: HeartbeatSink;
  /** Run this heartbeat in the transport (only given where `keepsAlive`). */
  readonly keepAlive?: KeepAlive;
}

/**
 * One connection. Created by a {@link TransportFactory} when the socket is constructed, it
 * connects when `open()` is called.
 */
export interface Transport {
  /** Whether `pause()` stops reading (TCP backpressure). Where it can't, the queue has a hard cap. */
  readonly canPause: boolean;
  /** Whether the transport runs the heartbeat's timers itself (`ConnectOptions.keepAlive`). */
  readonly keepsAlive?: boolean;
  /** Where messages wait for `update()` to take them, outside the event loop (absent: the transport reports each itself). */
  readonly inbox?: Inbox | undefined;
  /** Whether the transport can report fragments (`incompleteFrame`). */
  readonly canStreamFragments: boolean;
  /** Bytes accepted by `send()` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Start the handshake; report everything to `sink` from now on. */
  connect(sink: TransportSink, options: ConnectOptions): void;
  /** Queue a message. Returns false if the connection is no longer open (the message is dropped). */
  send(data: string | Uint8Array): boolean;
  /** Queue `data[start, end)` as a binary message, as `send` does, with no view of it (absent: `send(subarray)`). */
  sendRange?(data: Uint8Array, start: number, end: number): boolean;
  /**
   * Reserve room for a binary message of up to `size` bytes in the transport's own send buffer and
   * point `room` at it; false when it cannot (then the socket writes into a buffer of its own).
   * The game writes the payload there; `commitBinary` or `cancelBinary` follows, before any other send.
   */
  reserveBinary?(size: number, room: SendRoom): boolean;
  /** Send the reserved message with its first `length` bytes; false if the connection ended meanwhile. */
  commitBinary?(length: number): boolean;
  /** Drop the reserved message. */
  cancelBinary?(): void;
  /** Start the closing handshake (or abort a handshake in progress). `closed` follows. */
  close(code: number, reason: string): void;
  /** Send a protocol ping whose pong reports `sentAt` to the heartbeat (absent: browsers). */
  ping?(sentAt: number): void;
  /** Drop the connection at once, without a closing handshake (the queue overflowed). */
  abort(): void;
  /** Stop reading from the network until `resume()`. */
  pause(): void;
  /** Read again after `pause()`. */
  resume(): void;
  /** The class binary payloads are handed out as (absent: `Uint8Array`; Node: a `Buffer` class, as `ws` gives). */
  readonly byteArray?: ByteArrayClass;
  /** Decode `bytes[start, end)`, valid UTF-8, as a string (absent: `TextDecoder`). */
  decodeText?(bytes: Uint8Array, start: number, end: number): string;
  /** Why `code` cannot be sent on this platform, or undefined if it can. */
  refuseCloseCode?(code: number): string | undefined;
}

/** Where a reserved binary message is written: `bytes` from `offset` (see `Transport.reserveBinary`). */
export interface SendRoom {
  /** The buffer the message is written into. */
  bytes: Uint8Array;
  /** Where the message starts in it. */
  offset: number;
}

/** A `Uint8Array` class: `new (length)` allocates, `new (buffer, offset, length)` views. */
export interface ByteArrayClass {
  new (length: number): Uint8Array;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
}

/** What every transport is given by its socket, checked and resolved. */
export interface TransportOptions {
  /** Subprotocols to offer. */
  readonly protocols: readonly string[];
  /** Fail with `handshake_timeout` if the 101 has not come this many ms after `connect()` (0: never). */
  readonly handshakeTimeout: number;
  /** After `close()`, drop the connection if the server has not answered within this many ms. */
  readonly closeTimeout: number;
  /** Largest message to accept, in bytes (where the platform can refuse one while reading it). */
  readonly maxPayload: number;
}

/**
 * Makes the transport of one socket: `options` are the {@link TransportOptions} and the
 * platform's own (`Own`: headers, TLS... in Node), never the socket's queue, manager or netcode.
 */
export type TransportFactory<Own = unknown> = (url: string, options: TransportOptions & Own) => Transport;

/** Kinds of queued records. */
export const OPEN = 0;
export const TEXT = 1;
export const BINARY = 2;
export const FRAGMENT = 3;
export const ERROR = 4;
export const CLOSED = 5;
/** The page went away or came back (queued by the socket itself, never by a transport). */
export const LIFECYCLE = 6;
/** A queued record's kind: one of the constants above. */
export type EventKind =
  | typeof OPEN
  | typeof TEXT
  | typeof BINARY
  | typeof FRAGMENT
  | typeof ERROR
  | typeof CLOSED
  | typeof LIFECYCLE;
