/**
 * The Node transport, over `ws`. Its listeners are module-level functions that find their
 * transport through a symbol (as `ws` does), so a connection makes no closure per event; they
 * only hand `ws`'s data to the sink. Sends made in one turn of the event loop are corked and
 * leave in one write. Backpressure uses `ws`'s `pause()`/`resume()`: TCP stops, nothing is lost.
 */

import { isUtf8 } from 'node:buffer';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import type { PerMessageDeflateOptions } from 'ws';
import WsWebSocket, * as wsModule from 'ws';
import { type HandshakeResponse, type NetworkErrorCode, WebSocketError } from '../errors.js';
import type { ConnectOptions, HeartbeatSink, Transport, TransportSink } from '../transport.js';
import type { WebSocketOptions } from '../websocket.js';

/** TLS options passed to Node's `tls.connect` (trust a private CA, client certificates...). */
export interface NodeTlsOptions {
  /** Certificate authorities to trust, e.g. the CA of a self-signed development certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain (PEM), for servers that ask for one. */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Client private key (PEM). */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Client key and certificate as PFX / PKCS#12. */
  pfx?: string | Buffer | Array<string | Buffer>;
  /** Default true: refuse servers whose certificate is not trusted. */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks, when it differs from the URL's host. */
  servername?: string;
}

/** Options of the Node transport, on top of {@link WebSocketOptions}. */
export interface NodeWebSocketOptions extends WebSocketOptions {
  /** Extra HTTP headers for the upgrade request (cookies, auth tokens). */
  headers?: Record<string, string>;
  /** The `Origin` header. */
  origin?: string;
  /** Negotiate permessage-deflate (default true, like the seed's asset and `ws`). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Largest message accepted, in bytes; larger fails with `message_too_big` (1009). Default 100 MiB. */
  maxPayload?: number;
  /** An HTTP(S) agent, e.g. a proxy agent. */
  agent?: Agent;
  /** TLS settings for `wss:`. */
  tls?: NodeTlsOptions;
  /** Resolve host names yourself (service discovery, a DNS resolver of your own); default: the system's. */
  lookup?: LookupFunction;
}

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string })
  .utf8Slice;

/** Buffer's own UTF-8 decoder, for any Uint8Array. */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice.call(bytes, start, end);
}

/**
 * A Buffer class with a public constructor, shaped as Node's own (internal) `FastBuffer`: a
 * `Uint8Array` subclass whose prototype is `Buffer.prototype`, so its instances are Buffers
 * (`Buffer.isBuffer`, `toString`, `readUInt32LE`...) like those `ws` hands out, and a view costs
 * a third of `buf.subarray()`.
 */
class NodeBuffer extends Uint8Array {
  constructor(lengthOrBuffer: number | ArrayBufferLike, byteOffset?: number, length?: number) {
    super(lengthOrBuffer as ArrayBuffer, byteOffset, length); // three parameters, as FastBuffer: no spread
  }
}
Object.setPrototypeOf(NodeBuffer.prototype, Buffer.prototype);

/** The largest part of a refusal's body kept in `response.body`. */
const MAX_REFUSAL_BODY = 64 * 1024;

const kTransport = Symbol('ticksocket.transport');

type OwnedWs = WsWebSocket & { [kTransport]: NodeTransport };
/** The listeners below are called with `this` = the `ws` socket, which carries its transport. */
function transportOf(ws: WsWebSocket): NodeTransport {
  return (ws as OwnedWs)[kTransport];
}

/** The parts of `ws`'s Receiver the direct path reads (see `receiveDirectly`). */
interface ReceiverInternals {
  [kTransport]: NodeTransport;
  _fin: boolean;
  _opcode: number;
  _fragmented: number;
  _fragments: Buffer[];
  _totalPayloadLength: number;
  _messageLength: number;
  _numFragments: number;
  _state: number;
  _bufferedBytes: number;
  _payloadLength: number;
  _compressed: boolean;
  _maxPayload: number;
  _errored: boolean;
  _write(chunk: Buffer, encoding: BufferEncoding, cb: (error?: Error | null) => void): void;
  dataMessage(cb: (error?: Error) => void): void;
  createError(ctor: ErrorConstructor, message: string, prefix: boolean, status: number, code: string): Error;
}

// `ws` exports its Receiver class (ESM: a named export; CJS: `WebSocket.Receiver`); @types/ws omits it.
type ReceiverClass = { prototype: Partial<ReceiverInternals> } | undefined;
const receiverPrototype: Partial<ReceiverInternals> =
  (
    (wsModule as unknown as { Receiver?: ReceiverClass }).Receiver ??
    (WsWebSocket as unknown as { Receiver?: ReceiverClass }).Receiver
  )?.prototype ?? {};
/**
 * `ws`'s Receiver has the method the direct path replaces (checked once, at load). Without it
 * (a future `ws`), messages take `ws`'s own event path and fragments cannot be streamed.
 */
const CAN_HOOK_RECEIVER =
  typeof receiverPrototype.dataMessage === 'function' &&
  typeof receiverPrototype.createError === 'function' &&
  typeof receiverPrototype._write === 'function';
/** `ws`'s own `_write`: the parser the fast path hands everything but whole data frames to. */
const wsWrite = receiverPrototype._write!;
/** `ws`'s receiver state "read the next frame header". */
const RECEIVER_GET_INFO = 0;

/** Make the `ws` transport for one socket. */
export function createNodeTransport(url: string, options: NodeWebSocketOptions): Transport {
  return new NodeTransport(url, options);
}

class NodeTransport implements Transport {
  readonly canPause = true;
  readonly canStreamFragments = CAN_HOOK_RECEIVER;
  sink!: TransportSink;
  streamFragments = false;
  /** The 101 answer, kept for the open record. */
  response: HandshakeResponse | null = null;
  /** An `error` went to the sink: `ws`'s follow-up errors are the same failure. */
  errorReported = false;
  /** The server refused the upgrade; the body is being read. */
  refusal: { res: IncomingMessage; body: Buffer[]; size: number } | null = null;
  fragmentDecoder: TextDecoder | null = null;
  heartbeat: HeartbeatSink | undefined;
  /** When the TCP read now being parsed arrived: every message parsed from it arrived then. */
  readTime = 0;
  private ws: WsWebSocket | null = null;
  private tcp: Socket | null = null;
  private corked = false;

  constructor(
    private readonly url: string,
    private readonly options: NodeWebSocketOptions,
  ) {}

  get bufferedAmount(): number {
    return this.ws === null ? 0 : this.ws.bufferedAmount;
  }

  connect(sink: TransportSink, { streamFragments, heartbeat }: ConnectOptions): void {
    const options = this.options;
    this.sink = sink;
    this.streamFragments = streamFragments;
    this.heartbeat = heartbeat;
    const ws = new WsWebSocket(this.url, options.protocols as string[], {
      handshakeTimeout: options.handshakeTimeout || undefined,
      perMessageDeflate: options.perMessageDeflate ?? true,
      maxPayload: options.maxPayload ?? 100 * 1024 * 1024,
      headers: options.headers,
      origin: options.origin,
      agent: options.agent,
      lookup: options.lookup,
      followRedirects: false,
      ...options.tls,
      // ws drops the connection when the server does not answer a close frame within this.
      ...({ closeTimeout: options.closeTimeout } as object),
    }) as OwnedWs;
    ws[kTransport] = this;
    ws.on('upgrade', onUpgrade);
    ws.on('open', onOpen);
    if (!CAN_HOOK_RECEIVER) ws.on('message', onMessage);
    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
    ws.on('close', onClose);
    if (heartbeat !== undefined) ws.on('pong', onPong);
    this.ws = ws;
  }

  send(data: string | Uint8Array): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WsWebSocket.OPEN) return false;
    if (!this.corked && this.tcp !== null) {
      // Everything sent in this turn (a frame's handlers and game logic) leaves in one write.
      this.corked = true;
      this.tcp.cork();
      queueMicrotask(this.uncork);
    }
    ws.send(data);
    return true;
  }

  close(code: number, reason: string): void {
    this.ws?.close(code, reason);
  }

  abort(): void {
    this.ws?.terminate();
  }

  ping(sentAt: number): void {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WsWebSocket.OPEN) return;
    const payload = Buffer.allocUnsafe(8);
    payload.writeDoubleLE(sentAt, 0);
    ws.ping(payload);
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  readonly byteArray = NodeBuffer;
  readonly decodeText = decodeUtf8;

  /** Remember the TCP socket of the upgrade, to cork it. */
  upgraded(res: IncomingMessage): void {
    this.response = toResponse(res, '');
    this.tcp = res.socket;
  }

  /**
   * Stamp each TCP read before `ws` parses it: one clock read per read instead of one per
   * message (a clock read costs as much as a tenth of a small message here). Added at `open`,
   * once `ws` listens for data itself, so it cannot start the stream flowing early.
   */
  stampReads(): void {
    this.tcp?.prependListener('data', this.stampRead);
  }

  private readonly stampRead = (): void => {
    this.readTime = performance.now();
    this.heartbeat?.heard(this.readTime);
  };

  /** Report a refused handshake once its body is in (or the connection is gone), then drop it. */
  finishRefusal(): void {
    const refusal = this.refusal;
    if (refusal === null || this.errorReported) return;
    this.errorReported = true;
    const body = Buffer.concat(refusal.body).subarray(0, MAX_REFUSAL_BODY).toString();
    const response = toResponse(refusal.res, body);
    this.sink.error(new WebSocketError('handshake_refused', refusalMessage(this.url, response), { response }));
    this.ws?.terminate();
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.tcp?.uncork();
  };
}

function onUpgrade(this: WsWebSocket, res: IncomingMessage): void {
  transportOf(this).upgraded(res);
}

function onOpen(this: WsWebSocket): void {
  const transport = transportOf(this);
  transport.stampReads();
  transport.heartbeat?.heard(performance.now());
  if (CAN_HOOK_RECEIVER) receiveDirectly(this, transport);
  transport.sink.open({ protocol: this.protocol, extensions: this.extensions, response: transport.response });
}

/** The event path, used only where the receiver cannot be hooked (see `receiveDirectly`). */
function onMessage(this: WsWebSocket, data: Buffer, isBinary: boolean): void {
  const transport = transportOf(this);
  // Text stays bytes until a handler wants it: ws has already validated the UTF-8.
  if (isBinary) transport.sink.binary(data, transport.readTime);
  else transport.sink.text(data, transport.readTime);
}

function onPong(this: WsWebSocket, data: Buffer): void {
  const transport = transportOf(this);
  // Our pings carry their send time; a pong of anything else (unsolicited) is not timed.
  if (data.length === 8) transport.heartbeat?.pong(data.readDoubleLE(0), transport.readTime);
}

function onUnexpectedResponse(this: WsWebSocket, _request: ClientRequest, res: IncomingMessage): void {
  const transport = transportOf(this);
  const refusal = { res, body: [] as Buffer[], size: 0 };
  transport.refusal = refusal;
  res.on('data', (chunk: Buffer) => {
    if (refusal.size >= MAX_REFUSAL_BODY) return;
    refusal.body.push(chunk);
    refusal.size += chunk.length;
  });
  res.once('end', () => transport.finishRefusal());
  res.once('close', () => transport.finishRefusal());
}

function onError(this: WsWebSocket, error: Error & { code?: string }): void {
  const transport = transportOf(this);
  if (transport.refusal !== null) {
    transport.finishRefusal();
    return;
  }
  if (transport.errorReported) return;
  transport.errorReported = true;
  transport.sink.error(translateError(error, this.url));
}

function onClose(this: WsWebSocket, code: number, reason: Buffer): void {
  const transport = transportOf(this);
  transport.finishRefusal();
  transport.sink.closed(code, reason.toString(), code !== 1006);
}

/**
 * The direct path, in two parts. For each of our connections we replace two methods of `ws`'s
 * Receiver:
 *
 * - `_write`, where each TCP read enters the parser (`fastWrite`). Most reads of a game
 *   connection are runs of whole, small, unfragmented data frames; each goes to the sink as a
 *   range of the read itself, with no view, copy or event per message. The rest of a read, from
 *   the first frame that is anything else, goes to `ws`'s own parser.
 * - `dataMessage`, which `ws`'s parser calls after each data frame it parsed. It returns until
 *   the final fragment, then sends the message through two EventEmitters (receiver, then socket)
 *   to a listener. Ours hands a complete message straight to the sink, with the same checks
 *   (UTF-8 validity of text) and `ws`'s bookkeeping reset as it does.
 *
 * With an `incompleteFrame` handler (the seed's streaming), each fragment of a fragmented
 * message goes to the sink as it arrives and `ws`'s buffers are cleared so nothing accumulates.
 * Text fragments go through a fatal streaming `TextDecoder`, which checks UTF-8 across fragment
 * boundaries (invalid text fails with 1007 as `ws` would). `maxPayload` still bounds the whole
 * message.
 */
function receiveDirectly(ws: WsWebSocket, transport: NodeTransport): void {
  const receiver = (ws as unknown as { _receiver: ReceiverInternals })._receiver;
  receiver[kTransport] = transport;
  receiver._write = fastWrite;
  receiver.dataMessage = directDataMessage;
  if (transport.streamFragments) transport.fragmentDecoder = new TextDecoder('utf-8', { fatal: true });
}

/** First byte of an unfragmented, uncompressed text / binary frame: FIN, no RSV bits, opcode. */
const WHOLE_TEXT_FRAME = 0x81;
const WHOLE_BINARY_FRAME = 0x82;
/** Close opcode: once `ws` has parsed a close frame it ignores everything after it. */
const CLOSE_OPCODE = 0x08;
/** `ws`'s receiver state "read the payload". */
const RECEIVER_GET_DATA = 4;

/**
 * Receiver `_write` of the fast path. It takes whole frames only while `ws`'s parser sits
 * between frames (nothing buffered, no fragmented message open, no close seen, no error), so
 * each frame it takes is one `ws` would have parsed the same way. What it does not take, `ws`
 * parses as it would have, errors included: control frames, fragments, compressed or masked
 * frames, 64-bit lengths, a frame cut by the end of the read, a frame over `maxPayload`,
 * invalid UTF-8.
 *
 * A stream of small messages rarely splits between frames, so a read usually starts with the
 * end of a frame whose start `ws` holds. `ws` gets just those bytes first (it finishes the
 * frame synchronously: the payload of an uncompressed data frame goes to our `dataMessage`),
 * and the rest of the read takes the fast path.
 */
function fastWrite(
  this: ReceiverInternals,
  chunk: Buffer,
  encoding: BufferEncoding,
  cb: (error?: Error | null) => void,
): void {
  let taken = 0;
  if (this._state === RECEIVER_GET_DATA && !this._compressed && this._opcode < CLOSE_OPCODE && !this._errored) {
    const rest = this._payloadLength - this._bufferedBytes;
    if (rest >= chunk.length) {
      wsWrite.call(this, chunk, encoding, cb);
      return;
    }
    stepFailure = null;
    wsWrite.call(this, chunk.subarray(0, rest), encoding, stepDone);
    if (stepFailure !== null) {
      cb(stepFailure);
      return;
    }
    taken = rest;
  }
  if (
    this._state === RECEIVER_GET_INFO &&
    this._bufferedBytes === 0 &&
    this._fragmented === 0 &&
    this._opcode !== CLOSE_OPCODE &&
    !this._errored
  ) {
    taken = takeWholeFrames(this, chunk, taken);
    if (taken === chunk.length) {
      cb();
      return;
    }
  }
  wsWrite.call(this, taken === 0 ? chunk : chunk.subarray(taken), encoding, cb);
}

/** The error of the step `ws` was just given (it reports synchronously), or null. */
let stepFailure: Error | null = null;
function stepDone(error?: Error | null): void {
  stepFailure = error ?? null;
}

/** Hand the whole data frames of `chunk` from `taken` on to the sink; returns where they end. */
function takeWholeFrames(receiver: ReceiverInternals, chunk: Buffer, taken: number): number {
  const transport = receiver[kTransport];
  const sink = transport.sink;
  const time = transport.readTime;
  const maxPayload = receiver._maxPayload;
  const length = chunk.length;
  while (length - taken >= 2) {
    const first = chunk[taken]!;
    if (first !== WHOLE_BINARY_FRAME && first !== WHOLE_TEXT_FRAME) break;
    let size = chunk[taken + 1]!;
    let start = taken + 2;
    if (size === 126) {
      if (length - taken < 4) break;
      size = (chunk[taken + 2]! << 8) | chunk[taken + 3]!;
      start = taken + 4;
    } else if (size > 126) {
      break; // a 64-bit length, or the mask bit (a protocol error from a server)
    }
    const end = start + size;
    if (end > length || (size > maxPayload && maxPayload > 0)) break;
    const isText = first === WHOLE_TEXT_FRAME;
    if (isText && !isValidUtf8(chunk, start, end)) break;
    sink.message(chunk, start, end, isText, time);
    taken = end;
  }
  return taken;
}

function directDataMessage(this: ReceiverInternals, cb: (error?: Error) => void): void {
  const transport = this[kTransport];
  const isFinal = this._fin;
  if (transport.streamFragments && this._fragmented !== 0) {
    streamFragment(this, transport, isFinal, cb);
    return;
  }
  if (!isFinal) {
    this._state = RECEIVER_GET_INFO;
    return;
  }
  const parts = this._fragments;
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this._messageLength);
  this._totalPayloadLength = 0;
  this._messageLength = 0;
  this._fragmented = 0;
  this._numFragments = 0;
  parts.length = 0; // ws allocates a new array here; ours is empty again and reused
  if (this._opcode === 2) {
    transport.sink.binary(data, transport.readTime);
  } else {
    if (!isValidUtf8(data, 0, data.length)) {
      cb(this.createError(Error, 'invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8'));
      return;
    }
    // Text stays bytes until a handler wants it.
    transport.sink.text(data, transport.readTime);
  }
  this._state = RECEIVER_GET_INFO;
}

function streamFragment(
  receiver: ReceiverInternals,
  transport: NodeTransport,
  isFinal: boolean,
  cb: (error?: Error) => void,
): void {
  const parts = receiver._fragments;
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  parts.length = 0;
  if (isFinal) {
    receiver._totalPayloadLength = 0;
    receiver._messageLength = 0;
    receiver._fragmented = 0;
    receiver._numFragments = 0;
  }
  if (receiver._opcode === 1) {
    let text: string;
    try {
      text = transport.fragmentDecoder!.decode(bytes, { stream: !isFinal });
    } catch {
      cb(receiver.createError(Error, 'invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8'));
      return;
    }
    transport.sink.fragment(text, isFinal, transport.readTime);
  } else {
    transport.sink.fragment(bytes, isFinal, transport.readTime);
  }
  receiver._state = RECEIVER_GET_INFO;
}

/** UTF-8 validity as `ws` checks it: short ASCII in JS, the rest in Node's native check. */
function isValidUtf8(data: Buffer, start: number, end: number): boolean {
  if (end - start < 24) {
    let i = start;
    while (i < end && data[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(start === 0 && end === data.length ? data : data.subarray(start, end));
}

function toResponse(res: IncomingMessage, body: string): HandshakeResponse {
  return {
    statusCode: res.statusCode ?? 0,
    message: res.statusMessage ?? '',
    headers: { ...res.headers },
    body,
  };
}

function refusalMessage(url: string, response: HandshakeResponse): string {
  const status = `${response.statusCode} ${response.message}`.trim();
  const code = response.statusCode;
  let advice = 'check the URL and the server logs';
  if (code === 401 || code === 403) advice = 'the server wants credentials: pass them in options.headers';
  else if (code === 404) advice = 'check the path of the URL';
  else if (code >= 300 && code < 400) {
    const location = response.headers.location;
    advice = `the server redirects${location ? ` to ${String(location)}` : ''}: connect to that URL instead`;
  } else if (code >= 500) advice = 'the server failed: check its logs';
  return `The server at ${url} refused the WebSocket upgrade with HTTP ${status}: ${advice}.`;
}

/** `ws` errors carrying a WS_ERR_* code are protocol failures; this is the close code of each. */
const WS_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
};

const HANDSHAKE_INVALID =
  /^(Invalid Sec-WebSocket|Invalid Upgrade header|Server sent|Server indicated|Missing Sec-WebSocket)/;

/** Map a Node or `ws` error to a stable code and a message that says what to check. */
function translateError(error: Error & { code?: string }, url: string): WebSocketError {
  const errno = error.code ?? '';
  const host = new URL(url).host;
  const make = (code: NetworkErrorCode, message: string, closeCode = 1006): WebSocketError =>
    new WebSocketError(code, message, { cause: error, closeCode });
  if (errno === 'ECONNREFUSED') {
    return make(
      'connection_refused',
      `Nothing accepted the connection at ${host}: is the server running on that port?`,
    );
  }
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN' || errno === 'EAI_FAIL' || errno === 'EAI_NONAME') {
    return make(
      'dns_failure',
      `The host name of ${host} could not be resolved (${errno}): check the URL and the network.`,
    );
  }
  if (errno === 'ECONNRESET' || errno === 'EPIPE') {
    return make('connection_reset', `The connection to ${host} was reset by the peer (${errno}).`);
  }
  if (errno.startsWith('WS_ERR_')) {
    const closeCode = WS_ERROR_CLOSE_CODES[errno] ?? 1002;
    if (errno === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      return make(
        'message_too_big',
        `A message from ${host} was larger than maxPayload: raise maxPayload if it is expected.`,
        closeCode,
      );
    }
    return make(
      'protocol_error',
      `The server at ${host} broke the WebSocket protocol: ${error.message} (${errno}).`,
      closeCode,
    );
  }
  if (
    errno.startsWith('ERR_TLS') ||
    errno.startsWith('ERR_SSL') ||
    errno.includes('CERT') ||
    errno.includes('SELF_SIGNED') ||
    errno === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  ) {
    return make(
      'tls_failure',
      `The TLS handshake with ${host} failed (${errno}: ${error.message}): for a private certificate pass tls.ca.`,
    );
  }
  if (error.message === 'Opening handshake has timed out') {
    return make(
      'handshake_timeout',
      `No WebSocket handshake from ${host} within handshakeTimeout: is it a WebSocket server, and reachable?`,
    );
  }
  if (HANDSHAKE_INVALID.test(error.message)) {
    return make('handshake_invalid', `The server at ${host} answered the upgrade wrongly: ${error.message}.`);
  }
  return make('connection_failed', `The connection to ${host} failed: ${error.message}${errno ? ` (${errno})` : ''}.`);
}
