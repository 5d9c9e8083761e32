/**
 * The per-socket event queue: what the transport reported, in arrival order, until `update()`
 * dispatches it. It is the transport's sink, so the network path is one method call and a few
 * array writes: a ring of parallel typed arrays, no object per event.
 *
 * No object per message either: a message is kept as a range of a larger buffer. A transport that
 * parses its reads itself hands over (read, start, end), one read shared by all its messages.
 * Other small payloads are copied into a shared byte log and the transport's buffer is let go at
 * once: a queued `ws` Buffer would survive young-generation collections (and pin the 64 KiB read
 * it is a view of) until the next frame, which costs far more than the copy.
 *
 * It also keeps memory bounded (pump rule 6): past the high-water mark it pauses the transport
 * (TCP backpressure, nothing lost) and resumes it below the low-water mark; where the transport
 * cannot pause (browsers), passing the hard cap fails the socket with `queue_overflow`.
 * And it keeps `closed` last and exactly once (rule 4): after `closed` it accepts nothing.
 */
import { InvalidOptionError, quote, WebSocketError } from './errors.js';
import {
  BINARY,
  type ByteArrayClass,
  CLOSED,
  ERROR,
  type EventKind,
  FRAGMENT,
  OPEN,
  type OpenInfo,
  TEXT,
  type Transport,
  type TransportSink,
} from './transport.js';
import { checkInteger } from './validate.js';

/**
 * Memory limits of one socket's queue. Counts are events; sizes are the bytes queued events keep
 * alive: their payloads, and the network reads they are parts of.
 */
export interface QueueLimits {
  /** Pause reading when more bytes than this wait for `update()`. Default 8 MiB. */
  highWaterBytes: number;
  /** Pause reading when more events than this wait. Default 65 536. */
  highWaterEvents: number;
  /** Resume reading once `update()` brings the bytes down to this. Default half the high mark. */
  lowWaterBytes: number;
  /** Resume reading once `update()` brings the events down to this. Default half the high mark. */
  lowWaterEvents: number;
  /** Hard cap in bytes: past it the socket fails with `queue_overflow`. Default 64 MiB. */
  maxBytes: number;
  /** Hard cap in events: past it the socket fails with `queue_overflow`. Default 1 048 576. */
  maxEvents: number;
}

/** The limits a socket gets when it names none. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  highWaterBytes: 8 * 1024 * 1024,
  highWaterEvents: 65_536,
  lowWaterBytes: 4 * 1024 * 1024,
  lowWaterEvents: 32_768,
  maxBytes: 64 * 1024 * 1024,
  maxEvents: 1_048_576,
});

/** `ws` reads a message's length as a signed 32-bit integer (`maxPayload | 0`): larger is no limit at all. */
const MAX_PAYLOAD_LIMIT = 2 ** 31 - 1;

/** A socket's size limits, resolved: the queue's, and the largest message its transport accepts. */
export interface ResolvedLimits {
  readonly queue: Readonly<QueueLimits>;
  /** The room between the high-water mark and the hard cap, unless set lower. */
  readonly maxPayload: number;
}

/**
 * The size limits of one socket, checked, from one source of truth: a message the client accepts
 * (`maxPayload`) always fits between the high-water mark and the hard cap, so reading that pauses
 * at the mark never has to fail at the cap.
 *
 * @throws {@link InvalidOptionError} for a limit that is not a whole number in range.
 */
export function resolveLimits(overrides: Partial<QueueLimits> | undefined, maxPayload: unknown): ResolvedLimits {
  let queue: Readonly<QueueLimits> = DEFAULT_QUEUE_LIMITS;
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null) {
      throw new InvalidOptionError(`queue must be an object of limits, got ${quote(overrides)}.`);
    }
    const limits = { ...DEFAULT_QUEUE_LIMITS, ...overrides };
    if (overrides.highWaterBytes !== undefined && overrides.lowWaterBytes === undefined) {
      limits.lowWaterBytes = Math.floor(limits.highWaterBytes / 2);
    }
    if (overrides.highWaterEvents !== undefined && overrides.lowWaterEvents === undefined) {
      limits.lowWaterEvents = Math.floor(limits.highWaterEvents / 2);
    }
    for (const [name, value] of Object.entries(limits)) {
      checkInteger(`queue.${name}`, value, 0, Number.MAX_SAFE_INTEGER);
    }
    if (limits.lowWaterBytes > limits.highWaterBytes || limits.lowWaterEvents > limits.highWaterEvents) {
      throw new InvalidOptionError('queue low-water marks must not be above the high-water marks.');
    }
    if (limits.highWaterBytes >= limits.maxBytes || limits.highWaterEvents >= limits.maxEvents) {
      throw new InvalidOptionError(
        'queue high-water marks must be below the hard caps (maxBytes, maxEvents): the room between them holds the message that crosses the mark.',
      );
    }
    queue = limits;
  }
  const room = Math.min(MAX_PAYLOAD_LIMIT, queue.maxBytes - queue.highWaterBytes);
  if (maxPayload === undefined) return { queue, maxPayload: room };
  checkInteger(
    'maxPayload',
    maxPayload,
    1,
    room,
    room < MAX_PAYLOAD_LIMIT
      ? 'a message must fit between queue.highWaterBytes and queue.maxBytes; raise queue.maxBytes for larger messages'
      : 'ws cannot enforce a larger limit',
  );
  return { queue, maxPayload: maxPayload as number };
}

/** Told of every event a queue accepts, in global arrival order (the manager). */
export interface ArrivalListener {
  arrived(owner: object, seq: number): void;
}

/** Global arrival order across every queue of the process: same arrivals, same sequence. */
let lastSeq = 0;

const INITIAL_CAPACITY = 8;

/** Payloads shorter than this are copied into a byte log; longer ones are kept by reference. */
export const SMALL_PAYLOAD = 4096;
/** Set on a message a newer one with the same coalescing key replaces. */
const SUPERSEDED = 0x40;
const KIND = 0x3f;
const LOG_BLOCK = 64 * 1024;

/**
 * Where small payloads wait: blocks filled in order and never written again, shared by every
 * queue. A handler gets a view of its bytes, as `ws` hands out views of its reads: it may keep
 * it, and a block is freed by the GC once no view or queued record holds it. Idle sockets hold
 * no block.
 */
class ByteLog {
  private block: Uint8Array | null = null;
  private offset = 0;
  /** Offset of the payload `append` placed last. */
  appendedAt = 0;

  constructor(private readonly byteArray: ByteArrayClass) {}

  /** Copy `data` in; returns the block it went to (its offset is `appendedAt`). */
  append(data: Uint8Array): Uint8Array {
    let block = this.block;
    if (block === null || this.offset + data.length > LOG_BLOCK) {
      block = this.block = new this.byteArray(LOG_BLOCK);
      this.offset = 0;
    }
    block.set(data, this.offset);
    this.appendedAt = this.offset;
    this.offset += data.length;
    return block;
  }
}

/** One log per byte-array class (Buffers in Node, plain Uint8Arrays elsewhere). */
const logs = new Map<ByteArrayClass, ByteLog>();

function logFor(byteArray: ByteArrayClass): ByteLog {
  let log = logs.get(byteArray);
  if (log === undefined) {
    log = new ByteLog(byteArray);
    logs.set(byteArray, log);
  }
  return log;
}

/** The portable decoder, for transports without a faster one. */
let textDecoder: TextDecoder | undefined;
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  textDecoder ??= new TextDecoder();
  return textDecoder.decode(bytes.subarray(start, end));
}

export class EventQueue implements TransportSink {
  /** Events waiting for `update()`. */
  length = 0;
  /** Payload bytes waiting (text counted in UTF-16 code units when the platform decoded it). */
  bytes = 0;
  /**
   * Bytes the waiting events keep alive: what the limits count. A message that is a view of a
   * network read keeps the whole read; the read is charged once, to the newest queued record
   * that keeps it, so it is released when the last of its messages is dispatched.
   */
  retained = 0;
  /** Most events, payload bytes and retained bytes that ever waited at once. */
  peakLength = 0;
  peakBytes = 0;
  peakRetained = 0;
  /** Messages (text + binary + fragments) and their bytes accepted since the socket opened. */
  messagesIn = 0;
  bytesIn = 0;
  /** Whether the transport is paused by backpressure. */
  paused = false;
  /** Told of each arrival, while the socket belongs to a manager. */
  listener: ArrivalListener | null = null;
  /** Messages skipped because a newer one with the same coalescing key replaced them. */
  coalesced = 0;
  /** Messages arrived since the last `coalesce()`. */
  uncoalesced = false;

  private head = 0;
  private mask = INITIAL_CAPACITY - 1;
  private kinds = new Uint8Array(INITIAL_CAPACITY);
  private payloads: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  private codes = new Uint16Array(INITIAL_CAPACITY);
  private sizes = new Float64Array(INITIAL_CAPACITY);
  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  /** Where a payload kept as a range of a larger buffer starts in it; -1: the payload is whole. */
  private offsets = new Float64Array(INITIAL_CAPACITY);
  /** Bytes of `retained` each record carries. */
  private charges = new Float64Array(INITIAL_CAPACITY);
  /** The buffer charged last, and the slot and sequence number of the record carrying its charge. */
  private holderBuffer: ArrayBufferLike | null = null;
  private holderSlot = 0;
  private holderSeq = 0;
  private readonly log: ByteLog;
  private readonly byteArray: ByteArrayClass;
  private readonly decode: (bytes: Uint8Array, start: number, end: number) => string;
  /** `closed` was accepted: nothing more is. */
  private ended = false;
  /** An `error` was accepted: an unclean `closed` needs no synthesized one. */
  private errorSeen = false;

  constructor(
    private readonly transport: Transport,
    private readonly limits: Readonly<QueueLimits>,
    private readonly owner: object,
  ) {
    this.decode = transport.decodeText ?? decodeUtf8;
    this.byteArray = transport.byteArray ?? Uint8Array;
    this.log = logFor(this.byteArray);
  }

  // ---- the transport's side (TransportSink) ----

  open(info: OpenInfo, time = performance.now()): void {
    this.push(OPEN, info, 0, 0, time);
  }

  text(data: string | Uint8Array, time = performance.now()): void {
    this.push(TEXT, data, 0, data.length, time);
  }

  binary(data: Uint8Array, time = performance.now()): void {
    this.push(BINARY, data, 0, data.length, time);
  }

  message(source: Uint8Array, start: number, end: number, isText: boolean, time = performance.now()): void {
    this.push(isText ? TEXT : BINARY, source, 0, end - start, time, start);
  }

  fragment(data: string | Uint8Array, isFinal: boolean, time = performance.now()): void {
    this.push(FRAGMENT, data, isFinal ? 1 : 0, data.length, time);
  }

  error(error: WebSocketError, time = performance.now()): void {
    if (this.ended) return;
    this.errorSeen = true;
    this.push(ERROR, error, 0, 0, time);
  }

  closed(code: number, reason: string, wasClean: boolean, time = performance.now()): void {
    if (this.ended) return;
    if (!wasClean && !this.errorSeen) {
      // A connection lost without a word is still an error to the game (the seed's OnError).
      this.error(
        new WebSocketError(
          'connection_lost',
          `The connection ended without a closing handshake (close code ${code}): the server went away or the network dropped.`,
          { closeCode: code },
        ),
        time,
      );
    }
    this.push(CLOSED, reason, code, 0, time);
    this.ended = true;
  }

  /**
   * Drop everything not yet dispatched and end with `closed(code, reason)`: the game closed the
   * socket before it ever saw it open, so nothing of that connection reaches its handlers, even
   * if the transport had already ended it (its own `closed` is replaced).
   */
  abort(code: number, reason: string): void {
    while (this.length > 0) this.shift();
    this.ended = false;
    this.push(CLOSED, reason, code, 0, performance.now());
    this.ended = true;
  }

  /** Whether `closed` was accepted (the connection is over for the transport). */
  get hasEnded(): boolean {
    return this.ended;
  }

  // ---- the dispatcher's side ----

  /** Kind of the oldest event (only when `length > 0`). */
  get headKind(): EventKind {
    return (this.kinds[this.head]! & KIND) as EventKind;
  }

  /** Whether a newer message with the same coalescing key replaces the oldest one. */
  get headSuperseded(): boolean {
    return (this.kinds[this.head]! & SUPERSEDED) !== 0;
  }

  /** Payload of the oldest event, as its handler gets it: text as a string, binary as bytes. */
  get headPayload(): unknown {
    return this.payloadIn(this.head);
  }

  /**
   * Mark each queued message that a newer queued message with the same key replaces, so that
   * only the newest of each key is dispatched. `keyOf` is the game's (it runs inside `update()`);
   * an undefined key, and every event that is not a message, is never dropped.
   */
  coalesce(keyOf: (data: string | Uint8Array) => unknown): void {
    this.uncoalesced = false;
    const newest = new Map<unknown, number>();
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) & this.mask;
      const flags = this.kinds[slot]!;
      const kind = flags & KIND;
      if ((kind !== TEXT && kind !== BINARY) || (flags & SUPERSEDED) !== 0) continue;
      const key = keyOf(this.payloadIn(slot) as string | Uint8Array);
      if (key === undefined) continue;
      const older = newest.get(key);
      if (older !== undefined) this.kinds[older] = this.kinds[older]! | SUPERSEDED;
      newest.set(key, slot);
    }
  }

  private payloadIn(slot: number): unknown {
    const kind = this.kinds[slot]! & KIND;
    const payload = this.payloads[slot];
    const start = this.offsets[slot]!;
    if (start >= 0) {
      // a range of a larger buffer (a log block, a read)
      const end = start + this.sizes[slot]!;
      const block = payload as Uint8Array;
      if (kind === TEXT) return this.decode(block, start, end);
      return new this.byteArray(block.buffer, block.byteOffset + start, end - start);
    }
    if (kind === TEXT && typeof payload !== 'string') {
      const bytes = payload as Uint8Array;
      return this.decode(bytes, 0, bytes.length);
    }
    return payload;
  }

  /** Close code (closed) or final flag (fragment) of the oldest event. */
  get headCode(): number {
    return this.codes[this.head]!;
  }

  /** `performance.now()` at which the oldest event reached the transport. */
  get headTime(): number {
    return this.times[this.head]!;
  }

  /** Global arrival sequence number of the oldest event. */
  get headSeq(): number {
    return this.length > 0 ? this.seqs[this.head]! : -1;
  }

  /** Remove the oldest event; resume a paused transport once below the low-water marks. */
  shift(): void {
    const head = this.head;
    this.payloads[head] = undefined;
    this.bytes -= this.sizes[head]!;
    this.retained -= this.charges[head]!;
    this.head = (head + 1) & this.mask;
    this.length--;
    if (this.paused && this.retained <= this.limits.lowWaterBytes && this.length <= this.limits.lowWaterEvents) {
      this.paused = false;
      this.transport.resume();
    }
  }

  /** Queue one event; `start` >= 0: the payload is `size` bytes of `payload` from there. */
  private push(kind: EventKind, payload: unknown, code: number, size: number, time: number, start = -1): void {
    if (this.ended) return;
    if (this.length > this.mask) this.grow();
    const slot = (this.head + this.length) & this.mask;
    const seq = ++lastSeq;
    let charge = size;
    if (kind !== OPEN && kind !== ERROR && kind !== CLOSED && typeof payload !== 'string') {
      if (start < 0 && kind !== FRAGMENT && size < SMALL_PAYLOAD) {
        // Copied into the log, which is dense: the payload is what it keeps alive.
        payload = this.log.append(payload as Uint8Array);
        start = this.log.appendedAt;
      } else {
        charge = this.chargeBuffer((payload as Uint8Array).buffer, slot, seq);
      }
    }
    this.kinds[slot] = kind;
    this.payloads[slot] = payload;
    this.offsets[slot] = start;
    this.codes[slot] = code;
    this.sizes[slot] = size;
    this.times[slot] = time;
    this.seqs[slot] = seq;
    this.length++;
    if (this.length > this.peakLength) this.peakLength = this.length;
    if (this.listener !== null) this.listener.arrived(this.owner, seq);
    if (kind === OPEN || kind === ERROR || kind === CLOSED) {
      this.charges[slot] = 0;
      return;
    }
    // Only messages count against the limits: open, error and closed must always get in.
    this.charges[slot] = charge;
    this.retained += charge;
    this.bytes += size;
    this.uncoalesced = true;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    if (this.retained > this.peakRetained) this.peakRetained = this.retained;
    this.messagesIn++;
    this.bytesIn += size;
    if (this.retained > this.limits.highWaterBytes || this.length > this.limits.highWaterEvents) {
      this.overHighWater();
    }
  }

  /**
   * The charge of a record that keeps `buffer` alive: all of it, unless a queued record already
   * carries it; then that charge moves to this newer record (records of one read are queued
   * together, so the newest is dispatched last and releases the read).
   */
  private chargeBuffer(buffer: ArrayBufferLike, slot: number, seq: number): number {
    if (buffer === this.holderBuffer && this.length > 0 && this.holderSeq >= this.seqs[this.head]!) {
      this.retained -= this.charges[this.holderSlot]!;
      this.charges[this.holderSlot] = 0;
    }
    this.holderBuffer = buffer;
    this.holderSlot = slot;
    this.holderSeq = seq;
    return buffer.byteLength;
  }

  private overHighWater(): void {
    if (this.retained > this.limits.maxBytes || this.length > this.limits.maxEvents) {
      this.overflow();
    } else if (!this.paused && this.transport.canPause) {
      this.paused = true;
      this.transport.pause();
    }
  }

  /** The game stopped pumping and the transport cannot pause: fail loudly rather than grow. */
  private overflow(): void {
    const { maxEvents, maxBytes } = this.limits;
    this.error(
      new WebSocketError(
        'queue_overflow',
        `More than ${maxEvents} events or ${maxBytes} bytes (with the reads they keep) waited for update(): call update() every frame (with a budget if frames are short), or close the socket while the game is paused.`,
      ),
    );
    this.closed(1006, 'queue overflow', false);
    this.transport.abort();
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const kinds = new Uint8Array(capacity);
    const payloads = new Array<unknown>(capacity).fill(undefined);
    const codes = new Uint16Array(capacity);
    const sizes = new Float64Array(capacity);
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const offsets = new Float64Array(capacity);
    const charges = new Float64Array(capacity);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & this.mask;
      offsets[i] = this.offsets[from]!;
      charges[i] = this.charges[from]!;
      kinds[i] = this.kinds[from]!;
      payloads[i] = this.payloads[from];
      codes[i] = this.codes[from]!;
      sizes[i] = this.sizes[from]!;
      times[i] = this.times[from]!;
      seqs[i] = this.seqs[from]!;
    }
    this.kinds = kinds;
    this.payloads = payloads;
    this.codes = codes;
    this.sizes = sizes;
    this.times = times;
    this.seqs = seqs;
    this.offsets = offsets;
    this.charges = charges;
    this.holderSlot = (this.holderSlot - this.head) & this.mask;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
