/**
 * Where small payloads wait: blocks filled in order and never written again, shared by every
 * queue of a byte-array class. A handler gets a view of its bytes, as `ws` hands out views of
 * its reads: it may keep it, and a block is freed by the GC once no view or queued record holds
 * it. Idle sockets hold no block.
 */
import type { ByteArrayClass } from './transport.js';

const LOG_BLOCK = 64 * 1024;

/** One log: the block being filled, and where. */
export class ByteLog {
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

export function logFor(byteArray: ByteArrayClass): ByteLog {
  let log = logs.get(byteArray);
  if (log === undefined) {
    log = new ByteLog(byteArray);
    logs.set(byteArray, log);
  }
  return log;
}
