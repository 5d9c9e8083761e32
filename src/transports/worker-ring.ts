/**
 * The worker transport's shared ring, for pages that are cross-origin isolated (COOP/COEP): the
 * worker writes each message into a `SharedArrayBuffer` as it arrives, and `update()` takes what
 * is there itself ({@link Inbox}), so no task on the page's thread announces any message; input
 * that the browser schedules first cannot hold them back. Records have the batch layout
 * (worker-batch.ts), stamped in the worker; the keep-alive's pings go in as records of their own.
 *
 * Order: what the worker posts (open, error, close, batches, pings and silence when the ring
 * cannot take them) is counted; it writes into the ring only once the page has handled every
 * post, and the page takes what is in the ring before it handles a post. So a message never
 * overtakes the `open` before it, nor a `close` the messages before it. When the ring is full
 * (a page that does not pump) or a message is larger than it, the worker posts batches instead.
 *
 * Layout: four Int32 of control (write offset, read offset, posts handled by the page, unused),
 * then the ring's bytes. Only the worker moves the write offset, only the page the read offset;
 * a record never wraps: a WRAP byte sends the reader back to the start.
 */
import type { Inbox } from '../transport.js';
import type { BatchTarget } from './browser.js';
import { BINARY_RECORD, LENGTH_AT, RECORD_HEADER, TEXT_RECORD, TIME_AT } from './worker-batch.js';

const WRITE = 0;
const READ = 1;
const POSTS_HANDLED = 2;
const CONTROL_BYTES = 16;
const WRAP_RECORD = 3;
/** The keep-alive sent an application ping at `time` (no payload). */
const PINGED_RECORD = 4;
/** Room for about 4 s of 60 Hz snapshots of 1 KB before the worker falls back to batches. */
export const RING_BYTES = 256 * 1024;

/** A ring for a new worker, where the page may share memory with it (cross-origin isolated); else undefined. */
export function sharedRing(bytes = RING_BYTES): SharedArrayBuffer | undefined {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated && typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(CONTROL_BYTES + bytes) : undefined;
}

/** The page's end of the ring: takes what the worker wrote, and hands it to the transport's sink in order. */
export class RingReader implements Inbox {
  private readonly control: Int32Array;
  private readonly ring: Uint8Array;
  private readonly ringView: DataView;
  /** What the last `collect` took (a copy: the ring's bytes are the worker's again once read). */
  private taken = new Uint8Array(0);
  private takenView = new DataView(this.taken.buffer);
  private next = 0;
  private readonly origin = performance.timeOrigin; // the worker's clock is not ours: times come as epoch ms

  constructor(
    shared: SharedArrayBuffer,
    private readonly target: BatchTarget,
  ) {
    this.control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
    this.ring = new Uint8Array(shared, CONTROL_BYTES);
    this.ringView = new DataView(shared, CONTROL_BYTES);
  }

  collect(): number {
    if (this.next < this.taken.length) return this.headTime(); // what was taken goes first
    const write = Atomics.load(this.control, WRITE);
    const read = this.control[READ]!;
    if (read === write) return Number.POSITIVE_INFINITY;
    if (read < write) this.taken = this.ring.slice(read, write);
    else {
      const end = this.wrapAt(read);
      this.taken = new Uint8Array(end - read + write);
      this.taken.set(this.ring.subarray(read, end));
      this.taken.set(this.ring.subarray(0, write), end - read);
    }
    Atomics.store(this.control, READ, write); // the worker may write there again
    this.takenView = new DataView(this.taken.buffer);
    this.next = 0;
    // Pings first: each is registered before its reply is read (they are matched in order).
    for (let at = 0; at < this.taken.length; at = this.after(at)) {
      if (this.taken[at] === PINGED_RECORD) this.target.heartbeat?.pinged?.(this.timeAt(at));
    }
    return this.headTime();
  }

  deliverOne(): number {
    const at = this.next;
    const taken = this.taken;
    if (at >= taken.length) return Number.POSITIVE_INFINITY;
    const time = this.timeAt(at);
    const start = at + RECORD_HEADER;
    const end = this.after(at);
    this.next = end;
    const next = this.headTime();
    if (next === Number.POSITIVE_INFINITY) this.target.heartbeat?.heard(time); // the last message taken
    this.target.sink.message(taken, start, end, taken[at] === TEXT_RECORD, time);
    return next;
  }

  /** Hand over everything in the ring now (before a batch or an event the worker posted after it). */
  drain(): void {
    for (let time = this.collect(); time < Number.POSITIVE_INFINITY; time = this.deliverOne());
  }

  /** The page handled a post of the worker's: the worker may write into the ring once it has handled them all. */
  handled(): void {
    Atomics.add(this.control, POSTS_HANDLED, 1);
  }

  /** The next message's arrival time, past the pings (handled by `collect`). */
  private headTime(): number {
    while (this.next < this.taken.length && this.taken[this.next] === PINGED_RECORD) this.next = this.after(this.next);
    return this.next < this.taken.length ? this.timeAt(this.next) : Number.POSITIVE_INFINITY;
  }

  private timeAt(at: number): number {
    return this.takenView.getFloat64(at + TIME_AT, true) - this.origin;
  }

  private after(at: number): number {
    return at + RECORD_HEADER + this.takenView.getUint32(at + LENGTH_AT, true);
  }

  /** Where the records from `read` to the end of the ring stop (the WRAP byte). */
  private wrapAt(read: number): number {
    let at = read;
    while (this.ring[at] !== WRAP_RECORD) at += RECORD_HEADER + this.ringView.getUint32(at + LENGTH_AT, true);
    return at;
  }
}

/**
 * The worker's side, as plain ES2017 source: `ringPut(kind, time, payload)` writes a record into
 * the ring and returns true, or false when it must be posted (no ring, full, posts the page has
 * not handled, or a batch being gathered: `records` of the batch writer). `postOrdered` posts
 * and counts; `ringMessage` and `ringPinged` are the two kinds written.
 */
export const RING_WRITER = `
var ring = null;
var postsSent = 0;
function postOrdered(message, transfer) {
  postsSent++;
  postMessage(message, transfer || []);
}
function ringMessage(isText, time, payload) {
  return ringPut(isText ? ${TEXT_RECORD} : ${BINARY_RECORD}, time, payload);
}
function ringPinged(time) {
  return ringPut(${PINGED_RECORD}, time, new Uint8Array(0));
}
function useRing(shared) {
  ring = {
    control: new Int32Array(shared, 0, ${CONTROL_BYTES / 4}),
    bytes: new Uint8Array(shared, ${CONTROL_BYTES}),
    view: new DataView(shared, ${CONTROL_BYTES}),
  };
}
function ringPut(kind, time, payload) {
  if (ring === null || records.length > 0 || Atomics.load(ring.control, ${POSTS_HANDLED}) !== postsSent) return false;
  var need = ${RECORD_HEADER} + payload.length;
  var capacity = ring.bytes.length;
  var read = Atomics.load(ring.control, ${READ});
  var write = ring.control[${WRITE}];
  // The write offset never catches up with the read offset (equal means empty), nor reaches the end.
  if (write >= read) {
    if (capacity - write <= need) {
      if (read <= need) return false;
      ring.bytes[write] = ${WRAP_RECORD};
      write = 0;
    }
  } else if (read - write <= need) return false;
  ring.bytes[write] = kind;
  ring.view.setFloat64(write + ${TIME_AT}, time, true);
  ring.view.setUint32(write + ${LENGTH_AT}, payload.length, true);
  ring.bytes.set(payload, write + ${RECORD_HEADER});
  Atomics.store(ring.control, ${WRITE}, write + need);
  return true;
}
`;
