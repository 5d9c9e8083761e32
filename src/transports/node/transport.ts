/**
 * The Node transport, over `ws` (whose events reach it through listeners.ts). Sends made in one turn of the event loop are corked and
 * leave in one write. Backpressure stops `ws`'s parser and the socket (see receiver-hook.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WsWebSocket from 'ws';
import type { HandshakeResponse } from '../../errors.js';
import { timerDelay } from '../../timers.js';
import type {
  ConnectOptions,
  HeartbeatSink,
  SendRoom,
  Transport,
  TransportOptions,
  TransportSink,
} from '../../transport.js';
import { checkHeaders, copyOf } from '../../validate.js';
import { decodeUtf8, generateMask, NodeBuffer } from './bytes.js';
import { handshakeTimeoutError, pingFloodError, refusalError, translateError } from './errors.js';
import { BINARY_OPCODE, Framer } from './framer.js';
import { listen, type WsOwner } from './listeners.js';
import type { NodeTransportOptions } from './options.js';
import {
  CAN_HOOK_RECEIVER,
  hookReceiver,
  hookSender,
  type ReceiverOwner,
  releaseReceiver,
  resumeReceiver,
  type Stall,
  wasTerminated,
} from './receiver-hook.js';

/** The largest part of a refusal's body kept in `response.body`. */
const MAX_REFUSAL_BODY = 64 * 1024;
/** How long the body of a refusal is read for (a refusal without Content-Length may never end). */
const REFUSAL_BODY_WAIT = 1_000;

/** Make the `ws` transport for one socket. @throws InvalidOptionError for bad `headers` or `origin`. */
export function createNodeTransport(url: string, options: TransportOptions & NodeTransportOptions): Transport {
  checkHeaders(options.headers, options.origin);
  return new NodeTransport(url, options);
}

class NodeTransport implements Transport, ReceiverOwner, WsOwner {
  readonly canPause = true;
  readonly canStreamFragments = CAN_HOOK_RECEIVER;
  readonly byteArray = NodeBuffer;
  readonly decodeText = decodeUtf8;
  sink!: TransportSink;
  streamFragments = false;
  /** The queue is over its mark: the parser stops at the next message (until resume or TCP close). */
  holding = false;
  stall: Stall | null = null;
  /** The 101 answer, kept for the open record. */
  response: HandshakeResponse | null = null;
  /** An `error` went to the sink: `ws`'s follow-up errors are the same failure. */
  errorReported = false;
  /** The server refused the upgrade; the body is being read. */
  refusal: { res: IncomingMessage; body: Buffer[]; size: number } | null = null;
  heartbeat: HeartbeatSink | undefined;
  /** When the TCP read now being parsed arrived: every message parsed from it arrived then. */
  readTime = 0;
  /** permessage-deflate was negotiated: `ws` compresses later, so sends are copied first. */
  private copySends = false;
  private ws: WsWebSocket | null = null;
  private tcp: Socket | null = null;
  /** Frames data in place once open, unless `ws` compresses (then `ws` sends everything). */
  private framer: Framer | null = null;
  private corked = false;
  /** The handshake deadline, then the wait for a refusal's body. */
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: TransportOptions & NodeTransportOptions,
  ) {}

  get bufferedAmount(): number {
    return this.ws === null ? 0 : this.ws.bufferedAmount + (this.framer?.pending ?? 0);
  }

  connect(sink: TransportSink, { streamFragments, heartbeat }: ConnectOptions): void {
    const options = this.options;
    this.sink = sink;
    this.streamFragments = streamFragments;
    this.heartbeat = heartbeat;
    // A deadline from open() to the 101, not `ws`'s handshakeTimeout, which is an idle timer.
    if (options.handshakeTimeout > 0) this.timer = setTimeout(this.onDeadline, timerDelay(options.handshakeTimeout));
    const ws = new WsWebSocket(this.url, options.protocols as string[], {
      perMessageDeflate: options.perMessageDeflate ?? true,
      maxPayload: options.maxPayload,
      headers: options.headers,
      origin: options.origin,
      agent: options.agent,
      lookup: options.lookup,
      followRedirects: false,
      generateMask,
      ...options.tls,
      // ws drops the connection when the server does not answer a close frame within this.
      ...({ closeTimeout: timerDelay(options.closeTimeout) } as object),
    });
    listen(ws, this, !CAN_HOOK_RECEIVER, heartbeat !== undefined);
    this.ws = ws;
  }

  send(data: string | Uint8Array): boolean {
    return typeof data === 'string' ? this.sendText(data) : this.sendRange(data, 0, data.length);
  }

  sendRange(data: Uint8Array, start: number, end: number): boolean {
    if (!this.turnOpen()) return false;
    if (this.framer !== null) this.framer.binary(data, start, end);
    // with compression `ws` deflates later, so it is given a copy; without, it masks one at once
    else this.ws!.send(this.copySends ? copyOf(data, start, end) : data.subarray(start, end));
    return true;
  }

  reserveBinary(size: number, room: SendRoom): boolean {
    if (this.framer === null || !this.turnOpen()) return false;
    room.offset = this.framer.reserve(BINARY_OPCODE, size); // first: it may replace the slab
    room.bytes = this.framer.bytes;
    return true;
  }

  commitBinary(length: number): boolean {
    const framer = this.framer;
    if (framer === null) return false;
    if (this.ws?.readyState !== WsWebSocket.OPEN) {
      framer.cancel(); // the connection ended while the game wrote: the message is dropped
      return false;
    }
    framer.commit(length);
    return true;
  }

  cancelBinary(): void {
    this.framer?.cancel();
  }

  private sendText(text: string): boolean {
    if (!this.turnOpen()) return false;
    if (this.framer !== null) this.framer.text(text);
    else this.ws!.send(text);
    return true;
  }

  /** Whether the connection takes sends; the first of a turn corks the socket, to write them once. */
  private turnOpen(): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WsWebSocket.OPEN) return false;
    if (!this.corked && this.tcp !== null) {
      // Everything sent in this turn (a frame's handlers and game logic) leaves in one write.
      this.corked = true;
      this.tcp.cork();
      queueMicrotask(this.uncork);
    }
    return true;
  }

  close(code: number, reason: string): void {
    this.ws?.close(code, reason); // what the framer holds leaves first (hookSender)
  }

  abort(): void {
    this.framer = null;
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
    this.holding = true;
    this.ws?.pause();
  }

  resume(): void {
    this.holding = false;
    this.ws?.resume();
    if (this.stall !== null) setImmediate(this.parseOn);
  }

  /** The 101 came: the deadline is met; remember the TCP socket, to cork it. */
  upgraded(res: IncomingMessage): void {
    clearTimeout(this.timer);
    this.response = toResponse(res, '');
    this.tcp = res.socket;
    // A connection that ends while the parser holds still parses what it read, so `closed` comes.
    this.tcp.once('close', this.onTcpClose);
  }

  /**
   * Stamp each TCP read before `ws` parses it: one clock read per read instead of one per
   * message. Added at `open`, once `ws` listens for data itself, so it cannot start the stream
   * flowing early.
   */
  opened(ws: WsWebSocket): void {
    this.tcp?.prependListener('data', this.stampRead);
    this.heartbeat?.heard(performance.now());
    this.copySends = ws.extensions.includes('permessage-deflate');
    if (!this.copySends && this.tcp !== null && hookSender(ws, this.flushFrames)) this.framer = new Framer(this.tcp);
    if (CAN_HOOK_RECEIVER) hookReceiver(ws, this);
    this.sink.open({ protocol: ws.protocol, extensions: ws.extensions, response: this.response });
  }

  /** A refused upgrade: read its body, for a while, then report it. */
  refused(res: IncomingMessage): void {
    const refusal = { res, body: [] as Buffer[], size: 0 };
    this.refusal = refusal;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.finishRefusal, REFUSAL_BODY_WAIT);
    res.on('data', (chunk: Buffer) => {
      refusal.body.push(chunk);
      refusal.size += chunk.length;
      if (refusal.size >= MAX_REFUSAL_BODY) this.finishRefusal();
    });
    res.once('end', this.finishRefusal);
    res.once('close', this.finishRefusal);
  }

  /** Report a refused handshake once its body is in (or the wait is over), then drop it. */
  readonly finishRefusal = (): void => {
    const refusal = this.refusal;
    if (refusal === null || this.errorReported) return;
    this.errorReported = true;
    clearTimeout(this.timer);
    const body = Buffer.concat(refusal.body).subarray(0, MAX_REFUSAL_BODY).toString();
    this.sink.error(refusalError(this.url, toResponse(refusal.res, body)));
    refusal.res.destroy();
    this.ws?.terminate();
  };

  failed(error: Error & { code?: string }): void {
    if (this.refusal !== null) {
      this.finishRefusal();
      return;
    }
    if (this.errorReported) return;
    this.errorReported = true;
    this.sink.error(translateError(error, this.url));
  }

  pinged(ws: WsWebSocket): void {
    if (this.errorReported || !wasTerminated(ws)) return;
    this.errorReported = true;
    this.sink.error(pingFloodError(this.url));
  }

  /** The end: report it, and let go of everything the connection held (a partial message too). */
  ended(code: number, reason: string): void {
    this.finishRefusal();
    clearTimeout(this.timer);
    if (this.ws !== null) releaseReceiver(this.ws);
    this.ws = null;
    this.tcp = null;
    this.framer = null;
    this.refusal = null;
    this.stall = null;
    this.sink.closed(code, reason, code !== 1006);
  }

  private readonly onDeadline = (): void => {
    if (this.errorReported) return;
    this.errorReported = true;
    this.sink.error(handshakeTimeoutError(this.url, this.options.handshakeTimeout));
    this.ws?.terminate();
  };

  private readonly onTcpClose = (): void => {
    this.holding = false;
    resumeReceiver(this);
  };

  private readonly parseOn = (): void => {
    resumeReceiver(this);
  };

  private readonly stampRead = (): void => {
    this.readTime = performance.now();
    this.heartbeat?.heard(this.readTime);
  };

  private readonly flushFrames = (): void => {
    this.framer?.flush();
  };

  private readonly uncork = (): void => {
    this.corked = false;
    this.framer?.flush();
    this.tcp?.uncork();
  };
}

function toResponse(res: IncomingMessage, body: string): HandshakeResponse {
  return {
    statusCode: res.statusCode ?? 0,
    message: res.statusMessage ?? '',
    headers: { ...res.headers },
    body,
  };
}
