/**
 * The whole-frame parser of the Node transport's fast path: pure, over one read. It takes runs
 * of whole, unfragmented, uncompressed text and binary frames (what a game connection carries
 * most) and hands each to the sink as a range of the read: no view, copy or event per message.
 * It stops at the first frame that is anything else, for `ws`'s own parser to take from there.
 */
import { isUtf8 } from 'node:buffer';

/** Where whole messages go: `source[start, end)`, text already checked as UTF-8. */
export interface WholeMessageSink {
  message(source: Uint8Array, start: number, end: number, isText: boolean, time: number): void;
}

/** What the parser asks of its reader between frames. */
export interface ReadGate {
  /** The queue is over its mark: take no further frame. */
  readonly holding: boolean;
}

/** First byte of an unfragmented, uncompressed text / binary frame: FIN, no RSV bits, opcode. */
const WHOLE_TEXT_FRAME = 0x81;
const WHOLE_BINARY_FRAME = 0x82;

/**
 * Hand the whole data frames of `chunk` from `taken` on to `sink`; returns where they end. It
 * stops before a frame it does not take: control frames, fragments, compressed or masked frames,
 * 64-bit lengths, a frame cut by the end of the read, one over `maxPayload` (0: no limit),
 * invalid UTF-8; and before any frame once `gate` holds reading.
 */
export function takeWholeFrames(
  chunk: Uint8Array,
  taken: number,
  maxPayload: number,
  sink: WholeMessageSink,
  time: number,
  gate: ReadGate,
): number {
  const length = chunk.length;
  while (length - taken >= 2 && !gate.holding) {
    const first = chunk[taken]!;
    if (first !== WHOLE_BINARY_FRAME && first !== WHOLE_TEXT_FRAME) break;
    let size = chunk[taken + 1]!;
    let start = taken + 2;
    if (size === 126) {
      if (length - taken < 4) break;
      size = (chunk[taken + 2]! << 8) | chunk[taken + 3]!;
      start = taken + 4;
    } else if (size > 126) {
      break; // a 64-bit length, or the mask bit (a protocol error from a server)
    }
    const end = start + size;
    if (end > length || (size > maxPayload && maxPayload > 0)) break;
    const isText = first === WHOLE_TEXT_FRAME;
    if (isText && !isValidUtf8(chunk, start, end)) break;
    sink.message(chunk, start, end, isText, time);
    taken = end;
  }
  return taken;
}

/** UTF-8 validity as `ws` checks it: short ASCII in JS, the rest in Node's native check. */
export function isValidUtf8(data: Uint8Array, start: number, end: number): boolean {
  if (end - start < 24) {
    let i = start;
    while (i < end && data[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(start === 0 && end === data.length ? data : data.subarray(start, end));
}
