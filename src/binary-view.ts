/**
 * The zero-allocation receive path: a `binaryView` handler gets one reused, read-only view of the
 * message where it waits (a network read, a log block, a worker batch), never a new object.
 * Reads are little-endian and composed from bytes, so they need no `DataView` per buffer.
 *
 * The lifetime rule costs nothing to enforce: once the handler returns, the view's length is 0,
 * so the bounds check every read makes anyway fails, and only then does it ask why.
 */
import { OutOfRangeError, ViewExpiredError } from './errors.js';
import { readF32, readF64 } from './little-endian.js';

const EMPTY = new Uint8Array(0);
/** Up to this many bytes `copyTo` copies in a loop, allocating nothing. */
const SHORT_COPY = 256;

/**
 * One binary message, valid only during the `binaryView` handler that got it: copy what you
 * keep (`copy()`, `copyTo()`). Used later, every member throws `view_expired`.
 *
 * @example
 * ```ts
 * socket.on('binaryView', (s, view) => {
 *   const id = view.u16(0);
 *   positions[id * 2] = view.f32(2);
 *   positions[id * 2 + 1] = view.f32(6);
 * });
 * ```
 */
export class BinaryView {
  /** Bytes in the message (0 outside its handler). */
  byteLength = 0;
  /** @internal The bytes the message is a range of, and where it starts in them. */
  source: Uint8Array = EMPTY;
  /** @internal */
  start = 0;
  /** @internal Set while a handler may use the view. */
  live = false;

  /** The buffer holding the message's bytes (shared: read `byteLength` bytes from `byteOffset`, never write). */
  get buffer(): ArrayBufferLike {
    if (!this.live) this.expired();
    return this.source.buffer;
  }

  /** Where the message starts in `buffer`. */
  get byteOffset(): number {
    if (!this.live) this.expired();
    return this.source.byteOffset + this.start;
  }

  /** The unsigned byte at `offset`. */
  u8(offset: number): number {
    if (offset >>> 0 !== offset || offset >= this.byteLength) this.outside(offset, 1);
    return this.source[this.start + offset]!;
  }

  /** The signed byte at `offset`. */
  i8(offset: number): number {
    return (this.u8(offset) << 24) >> 24;
  }

  /** The unsigned 16-bit little-endian integer at `offset`. */
  u16(offset: number): number {
    if (offset >>> 0 !== offset || offset + 2 > this.byteLength) this.outside(offset, 2);
    const bytes = this.source;
    const at = this.start + offset;
    return bytes[at]! | (bytes[at + 1]! << 8);
  }

  /** The signed 16-bit little-endian integer at `offset`. */
  i16(offset: number): number {
    return (this.u16(offset) << 16) >> 16;
  }

  /** The signed 32-bit little-endian integer at `offset`. */
  i32(offset: number): number {
    if (offset >>> 0 !== offset || offset + 4 > this.byteLength) this.outside(offset, 4);
    const bytes = this.source;
    const at = this.start + offset;
    return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  }

  /** The unsigned 32-bit little-endian integer at `offset`. */
  u32(offset: number): number {
    return this.i32(offset) >>> 0;
  }

  /** The 32-bit little-endian float at `offset`. */
  f32(offset: number): number {
    if (offset >>> 0 !== offset || offset + 4 > this.byteLength) this.outside(offset, 4);
    return readF32(this.source, this.start + offset);
  }

  /** The 64-bit little-endian float at `offset`. */
  f64(offset: number): number {
    if (offset >>> 0 !== offset || offset + 8 > this.byteLength) this.outside(offset, 8);
    return readF64(this.source, this.start + offset);
  }

  /** The bytes from `start` to `end` (default: all) in a new `Uint8Array` the caller owns. */
  copy(start = 0, end = this.byteLength): Uint8Array {
    if (!this.live) this.expired();
    this.checkRange(start, end);
    const out = new Uint8Array(end - start);
    out.set(this.bytesAt(start, end - start));
    return out;
  }

  /** Copy the message's bytes into `target` at `targetOffset`, allocating nothing; returns the count. */
  copyTo(target: Uint8Array, targetOffset = 0): number {
    if (!this.live) this.expired();
    const length = this.byteLength;
    if (targetOffset >>> 0 !== targetOffset || targetOffset + length > target.length) {
      throw new OutOfRangeError(
        `copyTo() needs room for ${length} bytes at ${targetOffset} of a ${target.length}-byte target.`,
      );
    }
    if (length > SHORT_COPY) {
      target.set(this.bytesAt(0, length), targetOffset); // one small view: less than the copy costs
      return length;
    }
    const bytes = this.source;
    const from = this.start;
    for (let i = 0; i < length; i++) target[targetOffset + i] = bytes[from + i]!;
    return length;
  }

  /** @internal Show `source[start, start + length)` to the next handler. */
  show(source: Uint8Array, start: number, length: number): void {
    this.source = source;
    this.start = start;
    this.byteLength = length;
    this.live = true;
  }

  /** @internal The handler returned: the view reads nothing more, and keeps no buffer alive. */
  release(): void {
    this.source = EMPTY;
    this.byteLength = 0;
    this.live = false;
  }

  private bytesAt(offset: number, length: number): Uint8Array {
    const source = this.source;
    return new Uint8Array(source.buffer, source.byteOffset + this.start + offset, length);
  }

  private checkRange(start: number, end: number): void {
    if (start >>> 0 !== start || end >>> 0 !== end || start > end || end > this.byteLength) {
      throw new OutOfRangeError(`[${start}, ${end}) is not within the message's ${this.byteLength} bytes.`);
    }
  }

  /** A read failed its bounds check: the view expired, or the offset is outside the message. */
  private outside(offset: number, size: number): never {
    if (!this.live) this.expired();
    throw new OutOfRangeError(
      `A ${size}-byte read at ${String(offset)} is outside the message's ${this.byteLength} bytes: read from 0 to byteLength - ${size}.`,
    );
  }

  private expired(): never {
    throw new ViewExpiredError(
      'This BinaryView was used after its binaryView handler returned: it is reused for the next message. Keep the bytes with view.copy() or view.copyTo() inside the handler.',
    );
  }
}
