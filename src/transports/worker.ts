/**
 * The worker transport (browsers, opt-in): the native WebSocket lives in a dedicated Web Worker,
 * so the page's thread no longer pays the browser's event dispatch for every message. The worker
 * packs the messages of each burst into one transferred ArrayBuffer; here each message goes to
 * the queue as a range of that buffer, and `update()` dispatches as usual.
 *
 * It is the browser transport with the page's WebSocket replaced by {@link WorkerSocket}, an
 * object with the same surface whose other end is the worker: connection, close handshake,
 * timeouts and errors are handled exactly as in the browser transport.
 */
import type { Transport, TransportSink } from '../transport.js';
import { BrowserTransport, type BrowserWebSocketOptions } from './browser.js';

/**
 * The worker transport (browsers): the socket's native WebSocket runs in a Web Worker of its
 * own, and the page's thread gets its messages in batches. Pass it as the `transport` option.
 * The page needs to allow `blob:` workers if it sets a Content Security Policy (`worker-src blob:`).
 *
 * @example
 * ```ts
 * import { WebSocket, createWorkerTransport } from 'ticksocket';
 * const socket = new WebSocket('wss://game.example/room', { transport: createWorkerTransport });
 * ```
 */
export function createWorkerTransport(url: string, options: BrowserWebSocketOptions): Transport {
  return new WorkerTransport(url, options);
}

class WorkerTransport extends BrowserTransport {
  protected override openNative(url: string, protocols: string[] | undefined): globalThis.WebSocket {
    return new WorkerSocket(url, protocols, this) as unknown as globalThis.WebSocket;
  }

  /** A batch from the worker: records of [kind u8][time f64][length u32][payload]. */
  receive(batch: ArrayBuffer): void {
    const sink: TransportSink = this.sink;
    const bytes = new Uint8Array(batch);
    const view = new DataView(batch);
    const origin = performance.timeOrigin; // the worker's performance.now() clock is not ours: times come as epoch ms
    let time = 0;
    for (let at = 0; at < bytes.length; ) {
      const isText = bytes[at] === TEXT_RECORD;
      time = view.getFloat64(at + 1, true) - origin;
      const start = at + RECORD_HEADER;
      const end = start + view.getUint32(at + 9, true);
      sink.message(bytes, start, end, isText, time);
      at = end;
    }
    this.heartbeat?.heard(time);
  }
}

const TEXT_RECORD = 1;
const RECORD_HEADER = 13;

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
  | { type: 'buffered'; amount: number; acknowledged: number };

/**
 * The page's end of the worker: what the browser transport sees as its native WebSocket. Sends
 * made in one turn go to the worker in one message (data copied: the game may reuse its buffer).
 */
class WorkerSocket {
  readyState = 0;
  protocol = '';
  extensions = '';
  binaryType = 'arraybuffer';
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: unknown = null;
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
    private readonly transport: WorkerTransport,
  ) {
    this.worker = new Worker(workerUrl());
    this.worker.onmessage = this.onWorkerMessage;
    this.worker.postMessage({ type: 'connect', url, protocols });
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
      this.transport.receive(message);
      return;
    }
    switch (message.type) {
      case 'open':
        this.readyState = 1;
        this.protocol = message.protocol;
        this.extensions = message.extensions;
        this.onopen?.();
        break;
      case 'buffered':
        this.unacknowledged.splice(0, message.acknowledged);
        this.workerBuffered = message.amount;
        break;
      case 'error':
        this.onerror?.();
        break;
      case 'close':
        this.readyState = 3;
        this.closeHandler?.(message);
        break;
    }
  };
}

let sharedWorkerUrl: string | undefined;

/** The worker's script, made once per page from {@link workerMain} as a blob URL. */
function workerUrl(): string {
  sharedWorkerUrl ??= URL.createObjectURL(new Blob([`(${workerMain.toString()})()`], { type: 'text/javascript' }));
  return sharedWorkerUrl;
}

/**
 * The worker's program. It runs in the worker from its source text, so it uses nothing from
 * outside itself. Messages of one burst (until the worker's event loop is idle) leave in one
 * batch: [kind u8][time f64: epoch ms][length u32][payload] per message, text as UTF-8. Open,
 * error and close follow the batch before them, so the order is kept.
 */
function workerMain(): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent) => void) | null;
    postMessage(message: unknown, transfer?: Transferable[]): void;
  };
  const encoder = new TextEncoder();
  let native: WebSocket | null = null;
  let records: Array<Uint8Array | number> = []; // kind, time, payload, ...
  let recordBytes = 0;
  let flushScheduled = false;
  let bufferPoll: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    flushScheduled = false;
    if (records.length === 0) return;
    const batch = new ArrayBuffer(recordBytes);
    const bytes = new Uint8Array(batch);
    const view = new DataView(batch);
    let at = 0;
    for (let i = 0; i < records.length; i += 3) {
      const payload = records[i + 2] as Uint8Array;
      bytes[at] = records[i] as number;
      view.setFloat64(at + 1, records[i + 1] as number, true);
      view.setUint32(at + 9, payload.length, true);
      bytes.set(payload, at + 13);
      at += 13 + payload.length;
    }
    records = [];
    recordBytes = 0;
    scope.postMessage(batch, [batch]);
  };

  const reportBuffered = (acknowledged: number): void => {
    clearTimeout(bufferPoll);
    const amount = native === null ? 0 : native.bufferedAmount;
    scope.postMessage({ type: 'buffered', amount, acknowledged });
    if (amount > 0) bufferPoll = setTimeout(reportBuffered, 16, 0);
  };

  scope.onmessage = (event: MessageEvent): void => {
    const command = event.data;
    if (command.type === 'connect') {
      let socket: WebSocket;
      try {
        socket = new WebSocket(command.url, command.protocols);
      } catch {
        scope.postMessage({ type: 'error' });
        scope.postMessage({ type: 'close', code: 1006, reason: '', wasClean: false });
        return;
      }
      native = socket;
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        scope.postMessage({ type: 'open', protocol: socket.protocol, extensions: socket.extensions });
      };
      socket.onmessage = (message: MessageEvent) => {
        const data = message.data;
        const payload = typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data as ArrayBuffer);
        records.push(typeof data === 'string' ? 1 : 2, performance.timeOrigin + message.timeStamp, payload);
        recordBytes += 13 + payload.length;
        if (!flushScheduled) {
          flushScheduled = true;
          setTimeout(flush, 0);
        }
      };
      socket.onerror = () => {
        flush();
        scope.postMessage({ type: 'error' });
      };
      socket.onclose = (close: CloseEvent) => {
        flush();
        clearTimeout(bufferPoll);
        scope.postMessage({ type: 'close', code: close.code, reason: close.reason, wasClean: close.wasClean });
      };
    } else if (command.type === 'send') {
      for (const data of command.data as Array<string | ArrayBuffer>) native?.send(data);
      reportBuffered(1);
    } else if (command.type === 'close') {
      native?.close(command.code, command.reason);
    }
  };
}
