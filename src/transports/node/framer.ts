/**
 * The Node transport's send path, in place of `ws`'s sender for data frames: each frame is built
 * where it leaves, in a slab written to the socket once per turn of the event loop. A message is
 * copied and masked in one pass (the copy `send()` owes the caller, rule 9), or written there by
 * the game itself through a reservation, then masked in place: no Buffer, options object or write
 * request per message. A slab is never written again once handed to the socket; a full one is
 * replaced, and the socket lets it go when its writes are done.
 */
import type { Socket } from 'node:net';
import { generateMask } from './bytes.js';

const SLAB = 64 * 1024;
const FIN = 0x80;
const MASKED = 0x80;
export const TEXT_OPCODE = 1;
export const BINARY_OPCODE = 2;

/** RFC 6455 §5.2: the shortest length encoding is the one a peer accepts. */
function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

export class Framer {
  private slab = Buffer.allocUnsafeSlow(SLAB);
  /** The first byte not yet handed to the socket, and the first free one. */
  private flushed = 0;
  private end = 0;
  /** The open reservation: where its frame starts (-1: none) and its payload. */
  private openAt = -1;
  private payloadAt = 0;
  private readonly mask = Buffer.alloc(4);

  constructor(private readonly socket: Socket) {}

  /** Bytes framed and not yet handed to the socket. */
  get pending(): number {
    return this.end - this.flushed;
  }

  /** The slab an open reservation's payload is written to (valid until its commit). */
  get bytes(): Uint8Array {
    return this.slab;
  }

  /** A frame of `bytes[start, end)`, copied and masked in one pass. */
  binary(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    const at = this.reserve(BINARY_OPCODE, length);
    const slab = this.slab;
    const mask = this.header(length);
    for (let i = 0; i < length; i++) slab[at + i] = bytes[start + i]! ^ mask[i & 3]!;
    this.close(at + length);
  }

  /** A text frame, encoded straight into the slab. */
  text(text: string): void {
    const length = Buffer.byteLength(text);
    const at = this.reserve(TEXT_OPCODE, length);
    this.slab.write(text, at, length, 'utf8');
    this.maskInPlace(at, length, this.header(length));
    this.close(at + length);
  }

  /** Room for a binary payload of up to `size` bytes; returns where it starts in `bytes`. */
  reserve(opcode: number, size: number): number {
    const total = headerSize(size) + 4 + size;
    // a full slab is replaced; so is one made for a single large frame
    if (this.end + total > this.slab.length || (this.slab.length > SLAB && this.end > 0)) this.renew(total);
    this.openAt = this.end;
    this.slab[this.end] = FIN | opcode;
    this.payloadAt = this.end + headerSize(size) + 4;
    this.end = this.payloadAt + size;
    return this.payloadAt;
  }

  /** The open reservation holds `length` bytes: its header and mask go in, and its payload is masked. */
  commit(length: number): void {
    let at = this.payloadAt;
    const fitting = this.openAt + headerSize(length) + 4;
    if (fitting !== at) {
      this.slab.copyWithin(fitting, at, at + length); // a shorter length has a shorter header
      at = this.payloadAt = fitting;
    }
    this.maskInPlace(at, length, this.header(length));
    this.close(at + length);
  }

  /** Drop the open reservation. */
  cancel(): void {
    if (this.openAt < 0) return;
    this.end = this.openAt;
    this.openAt = -1;
  }

  /** Hand every complete frame to the socket, in one write. */
  flush(): void {
    const until = this.openAt >= 0 ? this.openAt : this.end;
    if (until === this.flushed) return;
    const socket = this.socket;
    if (!socket.destroyed) socket.write(this.slab.subarray(this.flushed, until));
    this.flushed = until;
  }

  /** Write the open frame's length and a fresh mask before its payload; returns the mask. */
  private header(length: number): Buffer {
    const slab = this.slab;
    const at = this.openAt;
    if (length < 126) {
      slab[at + 1] = MASKED | length;
    } else if (length < 65536) {
      slab[at + 1] = MASKED | 126;
      slab.writeUInt16BE(length, at + 2);
    } else {
      slab[at + 1] = MASKED | 127;
      slab.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
      slab.writeUInt32BE(length >>> 0, at + 6);
    }
    const mask = this.mask;
    generateMask(mask);
    const maskAt = this.payloadAt - 4;
    slab[maskAt] = mask[0]!;
    slab[maskAt + 1] = mask[1]!;
    slab[maskAt + 2] = mask[2]!;
    slab[maskAt + 3] = mask[3]!;
    return mask;
  }

  private maskInPlace(at: number, length: number, mask: Buffer): void {
    const slab = this.slab;
    for (let i = 0; i < length; i++) slab[at + i] = slab[at + i]! ^ mask[i & 3]!;
  }

  /** The open frame ends at `end`. */
  private close(end: number): void {
    this.end = end;
    this.openAt = -1;
  }

  private renew(total: number): void {
    this.flush();
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB, total));
    this.flushed = this.end = 0;
  }
}
