/**
 * Record and replay. A recorder writes down every event a socket dispatched (kind, payload,
 * arrival time); a replay feeds a recording back through `update()` with no network, in the
 * same order and with the same arrival times, stepped by a fake clock or in real time. A game
 * can reproduce a bug from a player's session, or drive a deterministic test.
 */
import { InvalidArgumentError, InvalidRecordingError, type NetworkErrorCode, quote, WebSocketError } from './errors.js';
import { timerDelay } from './timers.js';
import type { Transport, TransportSink } from './transport.js';
import type { WebSocket } from './websocket.js';

/** What every recorded event has. */
export interface RecordedBase {
  /** When it reached the transport (`socket.eventTime` at dispatch), `performance.now()` clock. */
  time: number;
}

/** A recorded `open`. */
export interface RecordedOpen extends RecordedBase {
  /** The event. */
  kind: 'open';
  /** The subprotocol the server chose. */
  protocol: string;
  /** The extensions the server accepted. */
  extensions: string;
}

/** A recorded text message. */
export interface RecordedMessage extends RecordedBase {
  /** The event. */
  kind: 'message';
  /** The text. */
  data: string;
}

/** A recorded binary message. */
export interface RecordedBinary extends RecordedBase {
  /** The event. */
  kind: 'binary';
  /** A copy of the bytes. */
  data: Uint8Array;
}

/** A recorded `error` (its `errorDesc` is derived from it again on replay). */
export interface RecordedError extends RecordedBase {
  /** The event. */
  kind: 'error';
  /** The error's code. */
  code: NetworkErrorCode;
  /** The error's message. */
  message: string;
  /** The close code it ended the connection with. */
  closeCode: number;
}

/** A recorded `closed`. */
export interface RecordedClosed extends RecordedBase {
  /** The event. */
  kind: 'closed';
  /** The close code. */
  code: number;
  /** The close reason. */
  reason: string;
}

/** One dispatched event, as recorded. */
export type RecordedEvent = RecordedOpen | RecordedMessage | RecordedBinary | RecordedError | RecordedClosed;

/** Records what a socket dispatches. */
export interface Recorder {
  /** The events so far, in dispatch order. */
  readonly events: readonly RecordedEvent[];
  /** The recording in a compact binary form (see {@link decodeRecording}). */
  toBytes(): Uint8Array;
  /** Stop recording (the handlers are removed). */
  stop(): void;
}

/**
 * Record every event `socket` dispatches from now on. Register it before `open()` to have the
 * whole session. Binary payloads are copied, so a handler that changes its buffer changes
 * nothing here. Fragments (`incompleteFrame`) are not recorded: listening for them would switch
 * streaming on and change the session being recorded.
 *
 * @example
 * ```ts
 * const recorder = recordEvents(socket);
 * // ... play ...
 * fs.writeFileSync('session.tsr', recorder.toBytes());
 * ```
 */
export function recordEvents(socket: WebSocket): Recorder {
  const events: RecordedEvent[] = [];
  const handlers = {
    open: (s: WebSocket) =>
      events.push({ kind: 'open', time: s.eventTime, protocol: s.protocol, extensions: s.extensions }),
    message: (s: WebSocket, data: string) => events.push({ kind: 'message', time: s.eventTime, data }),
    binary: (s: WebSocket, data: Uint8Array) => events.push({ kind: 'binary', time: s.eventTime, data: data.slice() }),
    error: (s: WebSocket, error: WebSocketError) =>
      events.push({
        kind: 'error',
        time: s.eventTime,
        code: error.code,
        message: error.message,
        closeCode: error.closeCode,
      }),
    closed: (s: WebSocket, code: number, reason: string) =>
      events.push({ kind: 'closed', time: s.eventTime, code, reason }),
  };
  socket.on('open', handlers.open).on('message', handlers.message).on('binary', handlers.binary);
  socket.on('error', handlers.error).on('closed', handlers.closed);
  return {
    events,
    toBytes: () => encodeRecording(events),
    stop() {
      socket.off('open', handlers.open).off('message', handlers.message).off('binary', handlers.binary);
      socket.off('error', handlers.error).off('closed', handlers.closed);
    },
  };
}

// ---- the compact form: "TSR1", then per event: kind u8, time f64, fields ----

const MAGIC = [0x54, 0x53, 0x52, 0x31];
const KINDS = ['open', 'message', 'binary', 'error', 'closed'] as const;

class Writer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  private readonly encoder = new TextEncoder();

  private room(size: number): void {
    if (this.length + size <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + size));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(value: number): void {
    this.room(1);
    this.view.setUint8(this.length++, value);
  }

  u16(value: number): void {
    this.room(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  f64(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  data(data: Uint8Array): void {
    this.room(4 + data.length);
    this.view.setUint32(this.length, data.length, true);
    this.bytes.set(data, this.length + 4);
    this.length += 4 + data.length;
  }

  text(text: string): void {
    this.data(this.encoder.encode(text));
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  u8(): number {
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  f64(): number {
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  data(): Uint8Array {
    const length = this.view.getUint32(this.offset, true);
    const data = this.bytes.slice(this.offset + 4, this.offset + 4 + length);
    if (data.length !== length)
      throw new InvalidRecordingError('Not a whole ticksocket recording: it ends inside an event.');
    this.offset += 4 + length;
    return data;
  }

  text(): string {
    return this.decoder.decode(this.data());
  }
}

/** The compact binary form of a recording. */
export function encodeRecording(events: readonly RecordedEvent[]): Uint8Array {
  const out = new Writer();
  for (const byte of MAGIC) out.u8(byte);
  for (const event of events) {
    out.u8(KINDS.indexOf(event.kind));
    out.f64(event.time);
    switch (event.kind) {
      case 'open':
        out.text(event.protocol);
        out.text(event.extensions);
        break;
      case 'message':
        out.text(event.data);
        break;
      case 'binary':
        out.data(event.data);
        break;
      case 'error':
        out.text(event.code);
        out.text(event.message);
        out.u16(event.closeCode);
        break;
      case 'closed':
        out.u16(event.code);
        out.text(event.reason);
        break;
    }
  }
  return out.result();
}

/**
 * Read a recording written by {@link encodeRecording} (or `Recorder.toBytes()`).
 *
 * @throws {@link InvalidRecordingError} for anything else: empty, garbage, truncated, or with times that are not numbers.
 */
export function decodeRecording(bytes: Uint8Array): RecordedEvent[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidRecordingError(
      `decodeRecording() takes the bytes of a recording (a Uint8Array), got ${quote(bytes)}.`,
    );
  }
  try {
    return checkRecording(decodeEvents(bytes));
  } catch (error) {
    if (error instanceof InvalidRecordingError) throw error;
    // The DataView's own RangeError: a field runs past the end.
    throw new InvalidRecordingError('Not a whole ticksocket recording: it ends inside an event.', { cause: error });
  }
}

function decodeEvents(bytes: Uint8Array): RecordedEvent[] {
  const input = new Reader(bytes);
  for (const byte of MAGIC) {
    if (input.done || input.u8() !== byte) {
      throw new InvalidRecordingError(
        'Not a ticksocket recording (it does not start with "TSR1"): pass the bytes Recorder.toBytes() wrote.',
      );
    }
  }
  const events: RecordedEvent[] = [];
  while (!input.done) {
    const kind = KINDS[input.u8()];
    const time = input.f64();
    switch (kind) {
      case 'open':
        events.push({ kind, time, protocol: input.text(), extensions: input.text() });
        break;
      case 'message':
        events.push({ kind, time, data: input.text() });
        break;
      case 'binary':
        events.push({ kind, time, data: input.data() });
        break;
      case 'error':
        events.push({
          kind,
          time,
          code: input.text() as NetworkErrorCode,
          message: input.text(),
          closeCode: input.u16(),
        });
        break;
      case 'closed':
        events.push({ kind, time, code: input.u16(), reason: input.text() });
        break;
      default:
        throw new InvalidRecordingError('Not a ticksocket recording: an event of an unknown kind.');
    }
  }
  return events;
}

/** Every event of a known kind, at a finite time, with data of its type: else {@link InvalidRecordingError}. */
function checkRecording(events: readonly RecordedEvent[]): RecordedEvent[] {
  const checked: RecordedEvent[] = [];
  for (const [index, event] of events.entries()) {
    const where = `Event ${index} of the recording`;
    if (typeof event !== 'object' || event === null || !(KINDS as readonly string[]).includes(event.kind)) {
      throw new InvalidRecordingError(`${where} is not one of ${KINDS.join(', ')}.`);
    }
    if (typeof event.time !== 'number' || !Number.isFinite(event.time)) {
      throw new InvalidRecordingError(`${where} has time ${quote(event.time)}: times are finite numbers of ms.`);
    }
    if (event.kind === 'message' && typeof event.data !== 'string') {
      throw new InvalidRecordingError(`${where} is a message whose data is not a string.`);
    }
    if (event.kind === 'binary' && !(event.data instanceof Uint8Array)) {
      throw new InvalidRecordingError(`${where} is binary whose data is not a Uint8Array.`);
    }
    checked.push(event);
  }
  return checked;
}

/** A recording played back through a socket: `transport` goes into the socket's options. */
export interface Replay {
  /** Give this as `options.transport` to the socket that replays. */
  readonly transport: () => Transport;
  /** The fake clock: the recorded time up to which events were fed (start: the first event's). */
  readonly time: number;
  /** Feed every event recorded up to `time` (recorded clock); `update()` then dispatches them. */
  advanceTo(time: number): void;
  /** Move the fake clock by `ms`. */
  advanceBy(ms: number): void;
  /** Feed everything left. */
  finish(): void;
  /** Whether every event was fed. */
  readonly done: boolean;
}

/** How a replay runs. */
export interface ReplayOptions {
  /** Play in real time from `open()`; without it the game steps the fake clock. */
  realtime?: {
    /** 2: twice as fast. Default 1. */
    speed?: number;
  };
}

/**
 * Play `recording` back: events reach the socket's queue with their recorded arrival times, so
 * handlers see the same events, in the same order, with the same `eventTime`.
 *
 * @example
 * ```ts
 * const replay = createReplay(decodeRecording(bytes));
 * const socket = new WebSocket('ws://replay.invalid', { transport: replay.transport });
 * socket.on('binary', (s, data) => world.apply(data, s.eventTime)).open();
 * replay.advanceBy(16); socket.update(); // one frame of the recorded session
 * ```
 */
export function createReplay(recording: readonly RecordedEvent[] | Uint8Array, options: ReplayOptions = {}): Replay {
  if (!(recording instanceof Uint8Array) && !Array.isArray(recording)) {
    throw new InvalidRecordingError(`createReplay() takes recorded events or their bytes, got ${quote(recording)}.`);
  }
  const events = recording instanceof Uint8Array ? decodeRecording(recording) : checkRecording(recording);
  const speed = options.realtime?.speed ?? 1;
  if (typeof speed !== 'number' || !(speed > 0) || !Number.isFinite(speed)) {
    throw new InvalidArgumentError(
      `realtime.speed must be a finite number above 0 (2: twice as fast), got ${quote(speed)}.`,
    );
  }
  let next = 0;
  let clock = events[0]?.time ?? 0;
  let sink: TransportSink | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Stop feeding; the sink the replay had, for its last word. */
  const end = (): TransportSink | undefined => {
    clearTimeout(timer);
    const last = sink;
    sink = undefined;
    next = events.length;
    return last;
  };
  const feed = (until: number): void => {
    if (sink === undefined) return;
    while (next < events.length && events[next]!.time <= until) deliver(sink, events[next++]!);
  };
  const schedule = (speed: number): void => {
    const startedAt = performance.now();
    const origin = clock;
    const step = (): void => {
      clock = origin + (performance.now() - startedAt) * speed;
      feed(clock);
      if (next < events.length) timer = setTimeout(step, timerDelay((events[next]!.time - clock) / speed));
    };
    step();
  };

  const transport = (): Transport => ({
    canPause: false,
    canStreamFragments: false,
    bufferedAmount: 0,
    connect(target) {
      sink = target;
      if (options.realtime !== undefined) schedule(speed);
      else feed(clock);
    },
    send: () => true, // a replay has no one to send to; sends are accepted and go nowhere
    close(code, reason) {
      // The recorded server is not there to answer: the close completes as if it had, at once.
      end()?.closed(code, reason, true);
    },
    abort() {
      end()?.closed(1006, '', false);
    },
    pause() {},
    resume() {},
  });

  return {
    transport,
    get time() {
      return clock;
    },
    get done() {
      return next >= events.length;
    },
    advanceTo(time) {
      if (time > clock) clock = time;
      feed(clock);
    },
    advanceBy(ms) {
      this.advanceTo(clock + ms);
    },
    finish() {
      this.advanceTo(Number.POSITIVE_INFINITY);
    },
  };
}

function deliver(sink: TransportSink, event: RecordedEvent): void {
  switch (event.kind) {
    case 'open':
      sink.open({ protocol: event.protocol, extensions: event.extensions, response: null }, event.time);
      break;
    case 'message':
      sink.text(event.data, event.time);
      break;
    case 'binary':
      sink.binary(event.data.slice(), event.time);
      break;
    case 'error':
      sink.error(new WebSocketError(event.code, event.message, { closeCode: event.closeCode }), event.time);
      break;
    case 'closed':
      sink.closed(event.code, event.reason, true, event.time);
      break;
  }
}
