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

import { type ArrivalListener, nextArrival } from './arrival.js';
import { type ByteLog, logFor } from './byte-log.js';
import { connectionLostError, queueOverflowError, type WebSocketError } from './errors.js';
import type { QueueLimits } from './limits.js';
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

/** What the queue needs of the connection below it: backpressure, and how its bytes decode. */
export type QueueReader = Pick<Transport, 'canPause' | 'pause' | 'resume' | 'byteArray' | 'decodeText'>;

const INITIAL_CAPACITY = 8;

/** Payloads shorter than this are copied into a byte log; longer ones are kept by reference. */
export const SMALL_PAYLOAD = 4096;
/** Set on a message a newer one with the same coalescing key replaces. */
const SUPERSEDED = 0x40;
const KIND = 0x3f;
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
  /**
   * The buffer charged last, and the slot and sequence number of the record carrying its charge;
   * null once that record is shifted, so a set buffer always has its holder queued.
   */
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

  /**
   * @param reader paused past the high-water mark, resumed below the low-water mark.
   * @param owner what the arrival listener is told each event belongs to.
   * @param drop drops the connection at once (the queue overflowed, or {@link EventQueue.fail}).
   */
  constructor(
    private readonly reader: QueueReader,
    private readonly limits: Readonly<QueueLimits>,
    private readonly owner: object,
    private readonly drop: () => void,
  ) {
    this.decode = reader.decodeText ?? decodeUtf8;
    this.byteArray = reader.byteArray ?? Uint8Array;
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
      this.error(connectionLostError(code), time);
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
    if (this.seqs[head] === this.holderSeq) this.holderBuffer = null; // an idle socket keeps no read
    this.head = (head + 1) & this.mask;
    this.length--;
    if (this.paused && this.retained <= this.limits.lowWaterBytes && this.length <= this.limits.lowWaterEvents) {
      this.paused = false;
      this.reader.resume();
    }
  }

  /** Queue one event; `start` >= 0: the payload is `size` bytes of `payload` from there. */
  private push(kind: EventKind, payload: unknown, code: number, size: number, time: number, start = -1): void {
    if (this.ended) return;
    if (this.length > this.mask) this.grow();
    const slot = (this.head + this.length) & this.mask;
    const seq = nextArrival();
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
    if (buffer === this.holderBuffer) {
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
    } else if (!this.paused && this.reader.canPause) {
      this.paused = true;
      this.reader.pause();
    }
  }

  /** End the connection with `error`: queued, then `closed` when the transport reports the drop. */
  fail(error: WebSocketError): void {
    this.error(error);
    this.drop();
  }

  /** The game stopped pumping and reading cannot pause: fail loudly rather than grow. */
  private overflow(): void {
    this.error(queueOverflowError(this.limits.maxEvents, this.limits.maxBytes));
    this.closed(1006, 'queue overflow', false);
    this.drop();
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
