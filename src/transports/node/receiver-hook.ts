/**
 * Every use of `ws`'s private internals, and only here. For each of our connections `ws`'s
 * Sender is told to let our framer write first (see {@link hookSender}), and two methods of its
 * Receiver are replaced:
 *
 * - `_write`, where each TCP read enters the parser (`fastWrite`): the whole data frames at the
 *   start of a read go to the sink through {@link takeWholeFrames}; the rest of the read, from the
 *   first frame that is anything else, goes to `ws`'s own parser, errors included.
 * - `dataMessage`, which `ws`'s parser calls after each data frame: ours hands a complete message
 *   straight to the sink (no two EventEmitters), with the same checks and bookkeeping reset.
 *
 * Backpressure stops the parser itself, not only the socket: once the queue is over its mark
 * (`holding`), the receiver stops at the next message boundary and keeps the rest of the read
 * (and an inflation in progress) until reading resumes. Pausing the socket alone would let `ws`
 * go on parsing, and inflating, what was already read.
 */
import WsWebSocket, * as wsModule from 'ws';
import type { TransportSink } from '../../transport.js';
import { isValidUtf8, type ReadGate, takeWholeFrames } from './frames.js';

/** What the hooked receiver needs of its transport. */
export interface ReceiverOwner extends ReadGate {
  readonly sink: TransportSink;
  /** When the read being parsed arrived. */
  readonly readTime: number;
  /** Report fragments one by one (`incompleteFrame`). */
  readonly streamFragments: boolean;
  /** Where the receiver stopped while holding, for {@link resumeReceiver}. */
  stall: Stall | null;
}

/** A receiver stopped by backpressure: the parse to finish, then the read to take. */
export interface Stall {
  readonly receiver: ReceiverInternals;
  /** The callback of the parse that stopped after a message (its loop is to be restarted). */
  deferred: WriteCallback | null;
  /** The rest of a read not yet parsed, and its write callback. */
  held: { chunk: Buffer; cb: WriteCallback } | null;
}

/** A `Writable` write callback, which `ws` also passes through its parse loop. */
type WriteCallback = (error?: Error | null) => void;

const kOwner = Symbol('ticksocket.receiver-owner');

/** The parts of `ws`'s Receiver the hook reads and writes. */
interface ReceiverInternals {
  [kOwner]: ReceiverOwner;
  _fin: boolean;
  _opcode: number;
  _fragmented: number;
  _fragments: Buffer[];
  _totalPayloadLength: number;
  _messageLength: number;
  _numFragments: number;
  _state: number;
  _bufferedBytes: number;
  _buffers: Buffer[];
  _payloadLength: number;
  _compressed: boolean;
  _maxPayload: number;
  _errored: boolean;
  _write(chunk: Buffer, encoding: BufferEncoding, cb: WriteCallback): void;
  startLoop(cb: WriteCallback): void;
  dataMessage(cb: WriteCallback): void;
  createError(ctor: ErrorConstructor, message: string, prefix: boolean, status: number, code: string): Error;
}

// `ws` exports its Receiver class (ESM: a named export; CJS: `WebSocket.Receiver`); @types/ws omits it.
type ReceiverClass = (new (options: object) => ReceiverInternals & NodeJS.WritableStream) | undefined;
const Receiver: ReceiverClass =
  (wsModule as unknown as { Receiver?: ReceiverClass }).Receiver ??
  (WsWebSocket as unknown as { Receiver?: ReceiverClass }).Receiver;
const receiverPrototype: Partial<ReceiverInternals> = Receiver?.prototype ?? {};
/** `ws`'s own `_write`: the parser the fast path hands everything but whole data frames to. */
const wsWrite = receiverPrototype._write!;

/** `ws`'s receiver states: read the next frame header; read the payload; an event deferred. */
const GET_INFO = 0;
const GET_DATA = 4;
const DEFER_EVENT = 6;
/** Close opcode: once `ws` has parsed a close frame it ignores everything after it. */
const CLOSE_OPCODE = 0x08;

/** Take over the receiver of an open `ws` socket. */
export function hookReceiver(ws: WsWebSocket, owner: ReceiverOwner): void {
  const receiver = (ws as unknown as { _receiver: ReceiverInternals })._receiver;
  receiver[kOwner] = owner;
  receiver._write = fastWrite;
  receiver.dataMessage = directDataMessage;
}

/** What `ws`'s Sender writes every frame of its own through (pongs, close, compressed data). */
interface SenderInternals {
  sendFrame(list: Buffer[], cb?: unknown): void;
}
type SenderClass = { prototype: Partial<SenderInternals> } | undefined;
const Sender: SenderClass =
  (wsModule as unknown as { Sender?: SenderClass }).Sender ??
  (WsWebSocket as unknown as { Sender?: SenderClass }).Sender;

/**
 * Have `before` run ahead of every frame `ws` writes itself, so that the frames our framer holds
 * leave first (a close after the data sent before it). False where the Sender is not as expected:
 * then every send goes through `ws`.
 */
export function hookSender(ws: WsWebSocket, before: () => void): boolean {
  const sender = (ws as unknown as { _sender?: SenderInternals | null })._sender;
  const own = Sender?.prototype.sendFrame;
  if (typeof own !== 'function' || sender == null || sender.sendFrame !== own) return false;
  sender.sendFrame = function (this: SenderInternals, list: Buffer[], cb?: unknown): void {
    before();
    own.call(this, list, cb);
  };
  return true;
}

/** Parse on after backpressure: finish the parse that stopped, then the read that waited. */
export function resumeReceiver(owner: ReceiverOwner): void {
  const stall = owner.stall;
  if (stall === null || owner.holding) return;
  owner.stall = null;
  const { receiver, deferred, held } = stall;
  if (receiver._errored) return;
  if (deferred !== null) {
    receiver._state = GET_INFO;
    receiver.startLoop(deferred);
  }
  if (held === null) return;
  const again = owner.stall as Stall | null; // set again if the parse stopped again
  if (again !== null) again.held = held;
  else if (!receiver._errored) fastWrite.call(receiver, held.chunk, 'buffer' as BufferEncoding, held.cb);
}

/** The connection ended: drop what the receiver still holds (the reads of a partial message). */
export function releaseReceiver(ws: WsWebSocket): void {
  const receiver = (ws as unknown as { _receiver: ReceiverInternals | null })._receiver;
  if (receiver === null) return; // never opened
  receiver._buffers = [];
  receiver._fragments = [];
  receiver._bufferedBytes = 0;
}

/** The status (close code) `ws` attaches to the errors of its parser, if any. */
export function wsStatusCode(error: Error): number | undefined {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    if (symbol.description === 'status-code') {
      const code = (error as unknown as Record<symbol, unknown>)[symbol];
      return typeof code === 'number' ? code : undefined;
    }
  }
  return undefined;
}

/** Whether `ws` cut the connection itself (`terminate()`, e.g. on a flood of pings). */
export function wasTerminated(ws: WsWebSocket): boolean {
  const socket = (ws as unknown as { _socket: { destroyed: boolean } | null })._socket;
  return ws.readyState === WsWebSocket.CLOSING && socket !== null && socket.destroyed;
}

/**
 * Receiver `_write` of the fast path. It takes whole frames only while `ws`'s parser sits
 * between frames (nothing buffered, no fragmented message open, no close seen, no error), so
 * each frame it takes is one `ws` would have parsed the same way.
 *
 * A stream of small messages rarely splits between frames, so a read usually starts with the
 * end of a frame whose start `ws` holds. `ws` gets just those bytes first (it finishes the frame
 * synchronously: the payload of an uncompressed data frame goes to our `dataMessage`), and the
 * rest of the read takes the fast path.
 */
function fastWrite(this: ReceiverInternals, chunk: Buffer, encoding: BufferEncoding, cb: WriteCallback): void {
  // Failed: parse nothing more. The stream may still hand over reads it had buffered (it flushes
  // its buffer in a loop that does not stop on an error), and `ws` would parse them.
  if (this._errored) return;
  const owner = this[kOwner];
  let taken = 0;
  if (this._state === GET_DATA && !this._compressed && this._opcode < CLOSE_OPCODE && !this._errored) {
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
  if (owner.stall === null && this._state === GET_INFO && this._bufferedBytes === 0 && this._fragmented === 0) {
    if (this._opcode !== CLOSE_OPCODE && !this._errored) {
      taken = takeWholeFrames(chunk, taken, this._maxPayload, owner.sink, owner.readTime, owner);
      if (taken === chunk.length) {
        cb();
        return;
      }
    }
  }
  if (owner.holding) {
    // Over the queue's mark: the rest of this read waits (and so, through `ws`'s stream, do later reads).
    const rest = taken === 0 ? chunk : chunk.subarray(taken);
    if (owner.stall === null) owner.stall = { receiver: this, deferred: null, held: { chunk: rest, cb } };
    else owner.stall.held = { chunk: rest, cb };
    return;
  }
  wsWrite.call(this, taken === 0 ? chunk : chunk.subarray(taken), encoding, cb);
}

/** The error of the step `ws` was just given (it reports synchronously), or null. */
let stepFailure: Error | null = null;
function stepDone(error?: Error | null): void {
  stepFailure = error ?? null;
}

/** After a message: stop the parse here while the queue is over its mark. */
function stopIfHolding(receiver: ReceiverInternals, owner: ReceiverOwner, cb: WriteCallback): void {
  if (!owner.holding) return;
  receiver._state = DEFER_EVENT; // `ws`'s loop stops on it, and a finished inflation does not restart it
  owner.stall = { receiver, deferred: cb, held: null };
}

function directDataMessage(this: ReceiverInternals, cb: WriteCallback): void {
  const owner = this[kOwner];
  const isFinal = this._fin;
  if (owner.streamFragments && this._fragmented !== 0) {
    streamFragment(this, owner, isFinal, cb);
    return;
  }
  if (!isFinal) {
    this._state = GET_INFO;
    return;
  }
  const parts = this._fragments;
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this._messageLength);
  resetMessage(this);
  parts.length = 0; // ws allocates a new array here; ours is empty again and reused
  if (this._opcode === 2) {
    owner.sink.binary(data, owner.readTime);
  } else {
    if (!isValidUtf8(data, 0, data.length)) {
      cb(this.createError(Error, 'invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8'));
      return;
    }
    owner.sink.text(data, owner.readTime); // text stays bytes until a handler wants it
  }
  this._state = GET_INFO;
  stopIfHolding(this, owner, cb);
}

/** Fragment streaming: each fragment to the sink as it comes, nothing accumulated. */
function streamFragment(receiver: ReceiverInternals, owner: ReceiverOwner, isFinal: boolean, cb: WriteCallback): void {
  const parts = receiver._fragments;
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  parts.length = 0;
  if (isFinal) resetMessage(receiver);
  if (receiver._opcode === 1) {
    let text: string;
    try {
      text = (decoders.get(owner) ?? newDecoder(owner)).decode(bytes, { stream: !isFinal });
    } catch {
      cb(receiver.createError(Error, 'invalid UTF-8 sequence', true, 1007, 'WS_ERR_INVALID_UTF8'));
      return;
    }
    owner.sink.fragment(text, isFinal, owner.readTime);
  } else {
    owner.sink.fragment(bytes, isFinal, owner.readTime);
  }
  receiver._state = GET_INFO;
  stopIfHolding(receiver, owner, cb);
}

/** The bookkeeping `ws` resets once a message is complete. */
function resetMessage(receiver: ReceiverInternals): void {
  receiver._totalPayloadLength = 0;
  receiver._messageLength = 0;
  receiver._fragmented = 0;
  receiver._numFragments = 0;
}

/** A fatal streaming decoder per connection: it checks UTF-8 across fragment boundaries, as `ws` does per message. */
const decoders = new WeakMap<ReceiverOwner, TextDecoder>();
function newDecoder(owner: ReceiverOwner): TextDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  decoders.set(owner, decoder);
  return decoder;
}

/**
 * Whether the hook works with the `ws` installed, checked once, at load: the methods it replaces
 * exist, and known frames written through `ws`'s real Receiver with the hook in place (whole
 * frames, a fragmented message, a frame cut across two reads) give the known messages. If not (a
 * `ws` release that changed its internals), messages take `ws`'s own event path, with a warning.
 */
function hookWorks(): boolean {
  if (Receiver === undefined || typeof receiverPrototype.dataMessage !== 'function') return false;
  if (typeof receiverPrototype.createError !== 'function' || typeof receiverPrototype.startLoop !== 'function') {
    return false;
  }
  try {
    const seen: string[] = [];
    const note = (isText: boolean, bytes: Uint8Array) => seen.push(`${isText ? 't' : 'b'}${Buffer.from(bytes)}`);
    const sink = {
      message: (source: Uint8Array, start: number, end: number, isText: boolean) =>
        note(isText, source.subarray(start, end)),
      text: (data: string | Uint8Array) => note(true, typeof data === 'string' ? Buffer.from(data) : data),
      binary: (data: Uint8Array) => note(false, data),
    } as unknown as TransportSink;
    const owner: ReceiverOwner = { sink, readTime: 0, streamFragments: false, holding: false, stall: null };
    const receiver = new Receiver({ isServer: false, maxPayload: 1024, extensions: {}, binaryType: 'nodebuffer' });
    let failed = false;
    receiver.on('error', () => {
      failed = true;
    });
    receiver[kOwner] = owner;
    receiver._write = fastWrite;
    receiver.dataMessage = directDataMessage;
    const frame = (first: number, text: string) =>
      Buffer.concat([Buffer.from([first, text.length]), Buffer.from(text)]);
    const cut = frame(0x82, 'c'.repeat(100));
    receiver.write(
      Buffer.concat([
        frame(0x81, 'whole'),
        frame(0x82, 'bytes'),
        frame(0x01, 'frag'),
        frame(0x80, 'ment'),
        cut.subarray(0, 50),
      ]),
    );
    receiver.write(Buffer.concat([cut.subarray(50), frame(0x81, 'after')]));
    return !failed && seen.join(',') === `twhole,bbytes,tfragment,b${'c'.repeat(100)},tafter`;
  } catch {
    return false;
  }
}

/** The hook is used: it behaves with this `ws` (see {@link hookWorks}). */
export const CAN_HOOK_RECEIVER = hookWorks();
if (!CAN_HOOK_RECEIVER && receiverPrototype._write !== undefined) {
  process.emitWarning(
    "ticksocket: the installed ws does not behave as the versions ticksocket was tested with; messages take ws's own (slower) path and incompleteFrame is unavailable. Install a ws version within ticksocket's range.",
    'TicksocketWarning',
  );
}
