/**
 * The worker transport (browsers, opt-in): the native WebSocket lives in a dedicated Web Worker,
 * so the page's thread no longer pays the browser's event dispatch for every message. On a
 * cross-origin isolated page the worker writes each message into a shared ring that `update()`
 * reads itself (worker-ring.ts): no page task per message at all. Elsewhere it packs the messages
 * of each burst into one transferred ArrayBuffer; here each message goes to the queue as a range
 * of that buffer, and `update()` dispatches as usual.
 *
 * It is the browser transport driving a {@link WorkerSocket} instead of the page's WebSocket: a
 * {@link NativeSocket} whose other end is the worker, so connection, close handshake, timeouts
 * and errors are handled exactly as in the browser transport.
 */
import type { Transport, TransportOptions } from '../transport.js';
import { type BatchTarget, BrowserTransport, type NativeSocket } from './browser.js';
import { BATCH_WRITER, readBatch } from './worker-batch.js';
import { RING_WRITER, RingReader, sharedRing } from './worker-ring.js';

/**
 * The worker transport (browsers): the socket's native WebSocket runs in a Web Worker of its
 * own. On a cross-origin isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`) `update()` reads its messages from memory it shares
 * with the worker, with no task on the page's thread; elsewhere the page gets them in batches.
 * Pass it as the `transport` option. The page needs to allow `blob:` workers if it sets a
 * Content Security Policy (`worker-src blob:`).
 *
 * @example
 * ```ts
 * import { WebSocket, createWorkerTransport } from 'ticksocket';
 * const socket = new WebSocket('wss://game.example/room', { transport: createWorkerTransport });
 * ```
 */
export function createWorkerTransport(url: string, options: TransportOptions): Transport {
  return new BrowserTransport(
    url,
    options,
    (socketUrl, protocols, batches) => new WorkerSocket(socketUrl, protocols, batches),
    true, // the worker's timers run the heartbeat: a background tab's throttling does not reach them
  );
}

interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** Messages from the worker, besides batches (which are ArrayBuffers). */
type FromWorker =
  | { type: 'open'; protocol: string; extensions: string }
  | { type: 'error' }
  | ({ type: 'close' } & CloseInfo)
  | { type: 'buffered'; amount: number; acknowledged: number }
  | { type: 'pinged'; at: number }
  | { type: 'silent'; ms: number };

/**
 * The page's end of the worker: the browser transport's native socket. Sends
 * made in one turn go to the worker in one message (data copied: the game may reuse its buffer).
 */
class WorkerSocket implements NativeSocket {
  readyState = 0;
  protocol = '';
  extensions = '';
  binaryType = 'arraybuffer';
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  /** Unused: messages come in batches, straight to the transport's sink. */
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** The shared ring `update()` reads, on a cross-origin isolated page. */
  readonly inbox: RingReader | undefined;
  private readonly worker: Worker;
  private closeHandler: ((event: CloseInfo) => void) | null = null;
  private outgoing: Array<string | ArrayBuffer> = [];
  private transfers: ArrayBuffer[] = [];
  /** Sizes of the send batches the worker has not acknowledged yet. */
  private unacknowledged: number[] = [];
  private pendingBytes = 0;
  private workerBuffered = 0;

  constructor(
    url: string,
    protocols: string[] | undefined,
    private readonly batches: BatchTarget,
  ) {
    const ring = sharedRing();
    this.inbox = ring === undefined ? undefined : new RingReader(ring, batches);
    this.worker = new Worker(workerUrl());
    this.worker.onmessage = this.onWorkerMessage;
    this.worker.postMessage({ type: 'connect', url, protocols, keepAlive: batches.keepAlive, ring });
  }

  get onclose(): ((event: CloseInfo) => void) | null {
    return this.closeHandler;
  }

  /** The transport lets go of its socket by clearing its handlers: the worker, and its connection, end. */
  set onclose(handler: ((event: CloseInfo) => void) | null) {
    this.closeHandler = handler;
    if (handler === null) this.worker.terminate();
  }

  /** Bytes handed to `send()` and not yet written by the worker's WebSocket (an estimate: text counts its length). */
  get bufferedAmount(): number {
    let amount = this.pendingBytes + this.workerBuffered;
    for (const size of this.unacknowledged) amount += size;
    return amount;
  }

  send(data: string | Uint8Array): void {
    if (this.outgoing.length === 0) queueMicrotask(this.flushSends);
    if (typeof data === 'string') {
      this.outgoing.push(data);
      this.pendingBytes += data.length;
    } else {
      const copy = data.slice().buffer;
      this.outgoing.push(copy);
      this.transfers.push(copy);
      this.pendingBytes += copy.byteLength;
    }
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.flushSends();
    this.readyState = 2;
    this.worker.postMessage({ type: 'close', code, reason });
  }

  private readonly flushSends = (): void => {
    if (this.outgoing.length === 0) return;
    this.worker.postMessage({ type: 'send', data: this.outgoing }, this.transfers);
    this.unacknowledged.push(this.pendingBytes);
    this.outgoing = [];
    this.transfers = [];
    this.pendingBytes = 0;
  };

  private readonly onWorkerMessage = (event: MessageEvent<ArrayBuffer | FromWorker>): void => {
    const message = event.data;
    if (message instanceof ArrayBuffer) {
      this.inbox?.drain(); // what the worker wrote into the ring came before what it posts
      readBatch(message, this.batches);
      this.inbox?.handled(); // and it writes there again only once the page has handled its posts
      return;
    }
    if (message.type === 'buffered') {
      this.unacknowledged.splice(0, message.acknowledged);
      this.workerBuffered = message.amount;
      return;
    }
    this.inbox?.drain();
    this.onEvent(message);
    this.inbox?.handled();
  };

  private onEvent(message: Exclude<FromWorker, { type: 'buffered' }>): void {
    switch (message.type) {
      case 'open':
        this.readyState = 1;
        this.protocol = message.protocol;
        this.extensions = message.extensions;
        this.onopen?.();
        break;
      case 'error':
        this.onerror?.();
        break;
      case 'pinged': // the worker's clock is not ours: its times come as epoch ms
        this.batches.heartbeat?.pinged?.(message.at - performance.timeOrigin);
        break;
      case 'silent':
        this.batches.heartbeat?.silent?.(message.ms);
        break;
      case 'close':
        this.readyState = 3;
        this.closeHandler?.(message);
        break;
    }
  }
}

let sharedWorkerUrl: string | undefined;

/** The worker's script, made once per page from {@link WORKER_PROGRAM} as a blob URL. */
function workerUrl(): string {
  sharedWorkerUrl ??= URL.createObjectURL(new Blob([WORKER_PROGRAM], { type: 'text/javascript' }));
  return sharedWorkerUrl;
}

/**
 * The worker's program, as text: a string is the one form no bundler setting rewrites (a function's
 * source would get helpers injected by `keepNames`, downlevelling or coverage, which the worker
 * does not have). Plain ES2017; every browser scenario of the test suite runs through it.
 *
 * Messages of one burst (until the worker's event loop is idle) leave in one batch (the layout:
 * worker-batch.ts). Open, error and close follow the batch before them, so the order is kept.
 */
const WORKER_PROGRAM = `"use strict";
var encoder = new TextEncoder();
var native = null;
var flushScheduled = false;
var bufferPoll;
${BATCH_WRITER}
${RING_WRITER}
function reportBuffered(acknowledged) {
  clearTimeout(bufferPoll);
  var amount = native === null ? 0 : native.bufferedAmount;
  postMessage({ type: "buffered", amount: amount, acknowledged: acknowledged });
  if (amount > 0) bufferPoll = setTimeout(reportBuffered, 16, 0);
}

// The heartbeat's timers, when the socket has one: here they are not throttled with the page's.
var lastHeard = 0;
function keepAlive(settings) {
  lastHeard = performance.now();
  function ping() {
    if (settings.message === undefined) return;
    native.send(settings.message);
    var at = performance.timeOrigin + performance.now();
    if (!ringPinged(at)) postOrdered({ type: "pinged", at: at });
  }
  if (settings.message !== undefined && settings.pingInterval > 0) {
    var pings = setInterval(function () {
      if (native === null || native.readyState !== 1) return clearInterval(pings);
      ping();
    }, settings.pingInterval);
  }
  if (settings.closeAfterNoMessage > 0) {
    var lastCheck = performance.now();
    var silence = setInterval(function () {
      if (native === null || native.readyState > 1) return clearInterval(silence);
      var now = performance.now();
      // As the page's heartbeat (heartbeat.ts): a check a whole limit late means this worker did
      // not run (the machine slept); the server is asked at once and has the limit from now.
      var stalled = now - lastCheck > settings.closeAfterNoMessage;
      lastCheck = now;
      var silent = now - lastHeard;
      if (silent <= settings.closeAfterNoMessage) return;
      if (stalled) {
        lastHeard = now;
        if (native.readyState === 1) ping();
        return;
      }
      clearInterval(silence);
      flush();
      postOrdered({ type: "silent", ms: silent });
    }, Math.max(1, settings.closeAfterNoMessage / 4));
  }
}

function connect(url, protocols, settings) {
  var socket;
  try {
    socket = new WebSocket(url, protocols);
  } catch (error) {
    postOrdered({ type: "error" });
    postOrdered({ type: "close", code: 1006, reason: "", wasClean: false });
    return;
  }
  native = socket;
  socket.binaryType = "arraybuffer";
  socket.onopen = function () {
    postOrdered({ type: "open", protocol: socket.protocol, extensions: socket.extensions });
    if (settings) keepAlive(settings);
  };
  socket.onmessage = function (message) {
    lastHeard = performance.now();
    var isText = typeof message.data === "string";
    var payload = isText ? encoder.encode(message.data) : new Uint8Array(message.data);
    var time = performance.timeOrigin + message.timeStamp;
    if (ringMessage(isText, time, payload)) return;
    record(isText, time, payload);
    if (!flushScheduled) {
      flushScheduled = true;
      setTimeout(flush, 0);
    }
  };
  socket.onerror = function () {
    flush();
    postOrdered({ type: "error" });
  };
  socket.onclose = function (close) {
    flush();
    clearTimeout(bufferPoll);
    postOrdered({ type: "close", code: close.code, reason: close.reason, wasClean: close.wasClean });
  };
}

onmessage = function (event) {
  var command = event.data;
  if (command.type === "connect") {
    if (command.ring) useRing(command.ring);
    connect(command.url, command.protocols, command.keepAlive);
  }
  else if (command.type === "send") {
    for (var i = 0; i < command.data.length; i++) if (native !== null) native.send(command.data[i]);
    reportBuffered(1);
  } else if (command.type === "close" && native !== null) native.close(command.code, command.reason);
};
`;
