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
import type { BinaryView } from './binary-view.js';
import { type ByteLog, logFor } from './byte-log.js';
import { connectionLostError, queueOverflowError, type WebSocketError } from './errors.js';
import type { QueueLimits } from './limits.js';
import { CHARGE_AT, CODE_AT, EventRing, KIND_AT, OFFSET_AT, SEQ_AT, SIZE_AT, TIME_AT } from './ring.js';
import {
  BINARY,
  CLOSED,
  ERROR,
  type EventKind,
  FRAGMENT,
  LIFECYCLE,
  OPEN,
  type OpenInfo,
  TEXT,
  type Transport,
  type TransportSink,
} from './transport.js';

/** What the queue needs of the connection below it: backpressure, and how its bytes decode. */
export type QueueReader = Pick<Transport, 'canPause' | 'pause' | 'resume' | 'byteArray' | 'decodeText'>;

/** Payloads shorter than this are copied into a byte log; longer ones are kept by reference. */
export const SMALL_PAYLOAD = 4096;

export class EventQueue extends EventRing implements TransportSink {
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

  /**
   * The buffer charged last, and the slot and sequence number of the record carrying its charge;
   * null once that record is shifted, so a set buffer always has its holder queued.
   */
  private holderBuffer: ArrayBufferLike | null = null;
  private holderSlot = 0;
  private holderSeq = 0;
  private readonly log: ByteLog;
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
    super(reader);
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

  /** The page went away or came back (`awayMs`: for how long); an event like `open`, never limited. */
  lifecycle(state: string, awayMs: number, time = performance.now()): void {
    this.push(LIFECYCLE, state, awayMs, 0, time);
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

  /** Remove the oldest event; resume a paused transport once below the low-water marks. */
  shift(): void {
    this.remove(this.head);
  }

  /** Remove the oldest event, a binary message, showing it in `view` (one read of its slot). */
  shiftInto(view: BinaryView): void {
    const head = this.head;
    const at = head << 3;
    const start = this.slots[at + OFFSET_AT]!; // -1: the payload is whole
    // as int32s (sizes and offsets are below 2 ** 31): no heap number if the call is not inlined
    view.show(this.payloads[head] as Uint8Array, start >= 0 ? start | 0 : 0, this.slots[at + SIZE_AT]! | 0);
    this.remove(head);
  }

  private remove(head: number): void {
    this.payloads[head] = undefined;
    this.bytes -= this.slots[(head << 3) + SIZE_AT]!;
    this.retained -= this.slots[(head << 3) + CHARGE_AT]!;
    if (this.slots[(head << 3) + SEQ_AT] === this.holderSeq) this.holderBuffer = null; // an idle socket keeps no read
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
    if (this.length > this.mask) {
      const oldHead = this.head;
      const oldMask = this.mask;
      this.grow();
      this.holderSlot = (this.holderSlot - oldHead) & oldMask;
    }
    const slot = (this.head + this.length) & this.mask;
    const seq = nextArrival();
    let charge = size;
    const isMessage = kind === TEXT || kind === BINARY || kind === FRAGMENT;
    if (isMessage && typeof payload !== 'string') {
      if (start < 0 && kind !== FRAGMENT && size < SMALL_PAYLOAD) {
        // Copied into the log, which is dense: the payload is what it keeps alive.
        payload = this.log.append(payload as Uint8Array);
        start = this.log.appendedAt;
      } else {
        charge = this.chargeBuffer((payload as Uint8Array).buffer, slot, seq);
      }
    }
    const slots = this.slots;
    const at = slot << 3;
    slots[at + KIND_AT] = kind;
    this.payloads[slot] = payload;
    slots[at + OFFSET_AT] = start;
    slots[at + CODE_AT] = code;
    slots[at + SIZE_AT] = size;
    slots[at + TIME_AT] = time;
    slots[at + SEQ_AT] = seq;
    this.length++;
    if (this.length > this.peakLength) this.peakLength = this.length;
    if (this.listener !== null) this.listener.arrived(this.owner, seq);
    if (!isMessage) {
      slots[at + CHARGE_AT] = 0;
      return;
    }
    // Only messages count against the limits: open, error and closed must always get in.
    slots[at + CHARGE_AT] = charge;
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
      this.retained -= this.slots[(this.holderSlot << 3) + CHARGE_AT]!;
      this.slots[(this.holderSlot << 3) + CHARGE_AT] = 0;
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
}
