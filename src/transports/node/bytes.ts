/**
 * Bytes as the Node transport hands them out and sends them: Buffers without `subarray`'s cost,
 * Buffer's own UTF-8 decoder, and frame masks that are never all zero.
 */
import { randomFillSync } from 'node:crypto';

const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string })
  .utf8Slice;

/** Buffer's own UTF-8 decoder, for any Uint8Array. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice.call(bytes, start, end);
}

/**
 * A Buffer class with a public constructor, shaped as Node's own (internal) `FastBuffer`: a
 * `Uint8Array` subclass whose prototype is `Buffer.prototype`, so its instances are Buffers
 * (`Buffer.isBuffer`, `toString`, `readUInt32LE`...) like those `ws` hands out, and a view costs
 * a third of `buf.subarray()`.
 */
export class NodeBuffer extends Uint8Array {
  constructor(lengthOrBuffer: number | ArrayBufferLike, byteOffset?: number, length?: number) {
    super(lengthOrBuffer as ArrayBuffer, byteOffset, length); // three parameters, as FastBuffer: no spread
  }
}
Object.setPrototypeOf(NodeBuffer.prototype, Buffer.prototype);

/**
 * Frame masks from a random pool, never all zero: `ws` does not mask with a zero mask, and then
 * writes the caller's buffer itself, which a corked write would send after the caller reused it.
 */
const maskPool = Buffer.alloc(8192);
let maskAt = maskPool.length;
export function generateMask(mask: Buffer): void {
  do {
    if (maskAt === maskPool.length) {
      randomFillSync(maskPool);
      maskAt = 0;
    }
    mask[0] = maskPool[maskAt++]!;
    mask[1] = maskPool[maskAt++]!;
    mask[2] = maskPool[maskAt++]!;
    mask[3] = maskPool[maskAt++]!;
  } while ((mask[0]! | mask[1]! | mask[2]! | mask[3]!) === 0);
}
