/**
 * The worker transport's shared ring, for pages that are cross-origin isolated (COOP/COEP): the
 * worker writes each message into a `SharedArrayBuffer` as it arrives, and `update()` takes what
 * is there itself ({@link Inbox}), so no task on the page's thread announces any message; input
 * that the browser schedules first cannot hold them back. Records have the batch layout
 * (worker-batch.ts), stamped in the worker. When the ring is full (a page that does not pump) or
 * a message is larger than it, the worker falls back to posted batches, and comes back to the
 * ring only once the page has read every batch posted: the order is kept either way.
 *
 * Layout: four Int32 of control (write offset, read offset, batches read by the page, unused),
 * then the ring's bytes. Only the worker moves the write offset, only the page the read offset;
 * a record never wraps: a WRAP byte sends the reader back to the start.
 */
import type { Inbox } from '../transport.js';
import type { BatchTarget } from './browser.js';
import { BINARY_RECORD, LENGTH_AT, RECORD_HEADER, TEXT_RECORD, TIME_AT } from './worker-batch.js';

const WRITE = 0;
const READ = 1;
const BATCHES_READ = 2;
const CONTROL_BYTES = 16;
const WRAP_RECORD = 3;
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
    return this.headTime();
  }

  deliverOne(): number {
    const at = this.next;
    const taken = this.taken;
    if (at >= taken.length) return Number.POSITIVE_INFINITY;
    const time = this.takenView.getFloat64(at + TIME_AT, true) - this.origin;
    const start = at + RECORD_HEADER;
    const end = start + this.takenView.getUint32(at + LENGTH_AT, true);
    this.next = end;
    if (end === taken.length) this.target.heartbeat?.heard(time); // the last one taken: when the server was heard
    this.target.sink.message(taken, start, end, taken[at] === TEXT_RECORD, time);
    return this.headTime();
  }

  /** Hand over everything in the ring now (before a batch or an event the worker posted after it). */
  drain(): void {
    for (let time = this.collect(); time < Number.POSITIVE_INFINITY; time = this.deliverOne());
  }

  /** The page read a posted batch: the worker may come back to the ring once it has read them all. */
  batchRead(): void {
    Atomics.add(this.control, BATCHES_READ, 1);
  }

  private headTime(): number {
    return this.next < this.taken.length
      ? this.takenView.getFloat64(this.next + TIME_AT, true) - this.origin
      : Number.POSITIVE_INFINITY;
  }

  /** Where the records from `read` to the end of the ring stop (the WRAP byte). */
  private wrapAt(read: number): number {
    let at = read;
    while (this.ring[at] !== WRAP_RECORD) at += RECORD_HEADER + this.ringView.getUint32(at + LENGTH_AT, true);
    return at;
  }
}

/**
 * The worker's side, as plain ES2017 source: `ringPut(isText, time, payload)` writes a message into
 * the ring and returns true, or false when it must go in a batch (no ring, full, or batches the
 * page has not read yet). Uses `records` and `batchesPosted` of the batch writer.
 */
export const RING_WRITER = `
var ring = null;
function useRing(shared) {
  ring = {
    control: new Int32Array(shared, 0, ${CONTROL_BYTES / 4}),
    bytes: new Uint8Array(shared, ${CONTROL_BYTES}),
    view: new DataView(shared, ${CONTROL_BYTES}),
  };
}
function ringPut(isText, time, payload) {
  if (ring === null || records.length > 0 || Atomics.load(ring.control, ${BATCHES_READ}) !== batchesPosted) return false;
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
  ring.bytes[write] = isText ? ${TEXT_RECORD} : ${BINARY_RECORD};
  ring.view.setFloat64(write + ${TIME_AT}, time, true);
  ring.view.setUint32(write + ${LENGTH_AT}, payload.length, true);
  ring.bytes.set(payload, write + ${RECORD_HEADER});
  Atomics.store(ring.control, ${WRITE}, write + need);
  return true;
}
`;
