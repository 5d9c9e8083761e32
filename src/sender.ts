/**
 * What a socket sends, below the facade's state checks: each send to the transport (a range of
 * bytes without a view of it where the transport can), the counters, and the writer that builds
 * a binary message in place: in the transport's own send buffer where it has one (Node: the
 * frame itself), else in a buffer the socket reuses, sent (copied) by `commit()`.
 */
import { InvalidStateError, OutOfRangeError } from './errors.js';
import { writeF32, writeF64 } from './little-endian.js';
import type { SendRoom, Transport } from './transport.js';

/** Messages handed to the transport, their bytes, and sends dropped under a dead connection. */
export interface SendCounts {
  messages: number;
  bytes: number;
  dropped: number;
}

export class Outgoing {
  readonly counts: SendCounts = { messages: 0, bytes: 0, dropped: 0 };
  private writer: BinaryWriter | null = null;
  /** The writer's buffer where the transport has none to lend. */
  private own: Uint8Array | null = null;

  constructor(private readonly transport: Transport) {}

  /** A message begun with `beginBinary()` is not committed yet. */
  get writing(): boolean {
    return this.writer?.active === true;
  }

  /** @throws {@link InvalidStateError} unless the game's view is open and no built message is pending. */
  check(what: string, isOpen: boolean, state: string): void {
    if (!isOpen) {
      throw new InvalidStateError(
        `${what} needs an open socket, but it is ${state}: send from the "open" handler on, and check isOpen.`,
      );
    }
    if (this.writing) {
      throw new InvalidStateError(
        `${what} while the message begun with beginBinary() is not committed: commit() or cancel() it first.`,
      );
    }
  }

  /** Send `payload` (bytes: `[start, end)`); a send the dead connection refused is counted as dropped. */
  send(payload: string | Uint8Array, start: number, end: number): void {
    const transport = this.transport;
    let sent: boolean;
    if (typeof payload === 'string') sent = transport.send(payload);
    else if (transport.sendRange !== undefined) sent = transport.sendRange(payload, start, end);
    else sent = transport.send(start === 0 && end === payload.length ? payload : payload.subarray(start, end));
    this.count(sent, typeof payload === 'string' ? payload.length : end - start);
  }

  begin(size: number): BinaryWriter {
    this.writer ??= new BinaryWriter(this);
    const writer = this.writer;
    writer.reserved = this.transport.reserveBinary?.(size, writer) ?? false;
    if (!writer.reserved) {
      if (this.own === null || this.own.length < size) this.own = new Uint8Array(Math.max(size, 256));
      writer.bytes = this.own;
      writer.offset = 0;
    }
    writer.begin(size);
    return writer;
  }

  /** @internal */
  commit(writer: BinaryWriter, length: number): void {
    if (!writer.reserved) {
      this.send(writer.bytes, 0, length);
      return;
    }
    this.count(this.transport.commitBinary!(length), length);
  }

  /** @internal */
  cancel(writer: BinaryWriter): void {
    if (writer.reserved) this.transport.cancelBinary?.();
  }

  private count(sent: boolean, size: number): void {
    if (sent) {
      this.counts.messages++;
      this.counts.bytes += size;
    } else {
      // The connection ended underneath; the game learns it from the error/closed events to come.
      this.counts.dropped++;
    }
  }
}

/**
 * A binary message built in place: little-endian writes from `position` on, then `commit()` sends
 * the bytes written (or `cancel()` drops them). One writer per socket, reused: until the commit
 * the socket takes no other send.
 *
 * @example
 * ```ts
 * socket.beginBinary(9).u8(INPUT).u32(tick).f32(aimAngle).commit();
 * ```
 */
export class BinaryWriter implements SendRoom {
  /** @internal Where the message is written: `bytes` from `offset`. */
  bytes: Uint8Array = new Uint8Array(0);
  /** @internal */
  offset = 0;
  /** @internal The room is the transport's own. */
  reserved = false;
  /** @internal Not yet committed or cancelled. */
  active = false;
  /** Where the next write goes. */
  position = 0;
  /** Bytes written so far: what `commit()` sends. */
  length = 0;
  /** The most bytes this message may hold (the size given to `beginBinary`). */
  size = 0;

  constructor(private readonly outgoing: Outgoing) {}

  /** Write an unsigned byte (the value modulo 256). */
  u8(value: number): this {
    this.bytes[this.take(1)] = value;
    return this;
  }

  /** Write a signed byte. */
  i8(value: number): this {
    return this.u8(value);
  }

  /** Write an unsigned 16-bit little-endian integer. */
  u16(value: number): this {
    const at = this.take(2);
    const bytes = this.bytes;
    bytes[at] = value;
    bytes[at + 1] = value >>> 8;
    return this;
  }

  /** Write a signed 16-bit little-endian integer. */
  i16(value: number): this {
    return this.u16(value);
  }

  /** Write an unsigned 32-bit little-endian integer. */
  u32(value: number): this {
    const at = this.take(4);
    const bytes = this.bytes;
    bytes[at] = value;
    bytes[at + 1] = value >>> 8;
    bytes[at + 2] = value >>> 16;
    bytes[at + 3] = value >>> 24;
    return this;
  }

  /** Write a signed 32-bit little-endian integer. */
  i32(value: number): this {
    return this.u32(value);
  }

  /** Write a 32-bit little-endian float. */
  f32(value: number): this {
    writeF32(this.bytes, this.take(4), value);
    return this;
  }

  /** Write a 64-bit little-endian float. */
  f64(value: number): this {
    writeF64(this.bytes, this.take(8), value);
    return this;
  }

  /** Copy `source[start, end)` in. */
  write(source: Uint8Array, start = 0, end: number = source.length): this {
    if (start >>> 0 !== start || end >>> 0 !== end || start > end || end > source.length) {
      throw new OutOfRangeError(`write(source, ${start}, ${end}) needs 0 <= start <= end <= ${source.length}.`);
    }
    const at = this.take(end - start);
    const bytes = this.bytes;
    // short runs by hand (no view made); long ones by the engine's copy, whose one view costs less
    if (end - start > 256) bytes.set(source.subarray(start, end), at);
    else for (let i = start; i < end; i++) bytes[at + i - start] = source[i]!;
    return this;
  }

  /** Move `position` back over what was written (to fill in a length or a count afterwards). */
  seek(position: number): this {
    this.check();
    if (position >>> 0 !== position || position > this.length) {
      throw new OutOfRangeError(`seek(${position}) must stay within the ${this.length} bytes written.`);
    }
    this.position = position;
    return this;
  }

  /** Send the `length` bytes written. */
  commit(): void {
    this.check();
    this.active = false;
    this.outgoing.commit(this, this.length);
  }

  /** Drop the message: nothing is sent. */
  cancel(): void {
    this.check();
    this.active = false;
    this.outgoing.cancel(this);
  }

  /** @internal */
  begin(size: number): void {
    this.size = size;
    this.position = 0;
    this.length = 0;
    this.active = true;
  }

  /** Where `count` bytes at `position` go in `bytes`. */
  private take(count: number): number {
    const position = this.position;
    if (position + count > this.size || !this.active) {
      this.check();
      throw new OutOfRangeError(
        `Writing ${count} bytes at ${position} passes the ${this.size} bytes begun: give beginBinary() the largest size the message can have.`,
      );
    }
    this.position = position + count;
    if (this.position > this.length) this.length = this.position;
    return this.offset + position;
  }

  private check(): void {
    if (!this.active) {
      throw new InvalidStateError(
        'This message was already committed or cancelled: call socket.beginBinary(size) for the next one.',
      );
    }
  }
}
