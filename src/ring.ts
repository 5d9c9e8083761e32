/**
 * The storage of a socket's event queue: a ring of parallel typed arrays, one slot per event, no
 * object per event; and the dispatcher's reads of its oldest slot. A message is kept as a range
 * of a larger buffer (its offset >= 0) or whole; it becomes a string, a byte array or a shown
 * {@link BinaryView} only when it is read. {@link EventQueue} fills it.
 */
import type { BinaryView } from './binary-view.js';
import { BINARY, type ByteArrayClass, type EventKind, TEXT } from './transport.js';

const INITIAL_CAPACITY = 8;
/** Where each number of a slot is, from `slot << 3`. */
export const KIND_AT = 0;
export const CODE_AT = 1;
export const SIZE_AT = 2;
export const TIME_AT = 3;
export const SEQ_AT = 4;
export const OFFSET_AT = 5;
export const CHARGE_AT = 6;
/** Set on a message a newer one with the same coalescing key replaces. */
export const SUPERSEDED = 0x40;
const KIND = 0x3f;

/** The portable decoder, for transports without a faster one. */
let textDecoder: TextDecoder | undefined;
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  textDecoder ??= new TextDecoder();
  return textDecoder.decode(bytes.subarray(start, end));
}

export class EventRing {
  /** Events waiting for `update()`. */
  length = 0;
  /** Messages arrived since the last `coalesce()`. */
  uncoalesced = false;

  protected head = 0;
  protected mask = INITIAL_CAPACITY - 1;
  protected payloads: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  /**
   * The numbers of every slot, side by side (a slot is 8 of them, from `slot << 3`): one array to
   * read for an event. Kind and flags, close code or final flag, payload size, arrival time,
   * arrival sequence number, where a payload kept as a range of a larger buffer starts in it (-1:
   * the payload is whole), and the bytes of the queue's `retained` the record carries.
   */
  protected slots = new Float64Array(INITIAL_CAPACITY << 3);
  protected readonly byteArray: ByteArrayClass;
  private readonly decode: (bytes: Uint8Array, start: number, end: number) => string;

  constructor(reader: {
    byteArray?: ByteArrayClass;
    decodeText?(bytes: Uint8Array, start: number, end: number): string;
  }) {
    this.decode = reader.decodeText ?? decodeUtf8;
    this.byteArray = reader.byteArray ?? Uint8Array;
  }

  /** Kind of the oldest event (only when `length > 0`). */
  get headKind(): EventKind {
    return (this.slots[(this.head << 3) + KIND_AT]! & KIND) as EventKind;
  }

  /** Whether a newer message with the same coalescing key replaces the oldest one. */
  get headSuperseded(): boolean {
    return (this.slots[(this.head << 3) + KIND_AT]! & SUPERSEDED) !== 0;
  }

  /** Payload of the oldest event, as its handler gets it: text as a string, binary as bytes. */
  get headPayload(): unknown {
    return this.payloadIn(this.head);
  }

  /**
   * Mark each queued message that a newer queued message with the same key replaces, so that
   * only the newest of each key is dispatched. The keys are the game's (they run inside
   * `update()`): `keyOf` gets text and, without `binaryKeyOf`, binary messages; `binaryKeyOf`
   * gets binary messages shown in `view` (it must release the view). An undefined key, and every
   * event that is not a message, is never dropped.
   */
  coalesce(
    keyOf: (data: string | Uint8Array) => unknown,
    binaryKeyOf?: (view: BinaryView) => unknown,
    view?: BinaryView,
  ): void {
    this.uncoalesced = false;
    const newest = new Map<unknown, number>();
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) & this.mask;
      const flags = this.slots[(slot << 3) + KIND_AT]!;
      const kind = flags & KIND;
      if ((kind !== TEXT && kind !== BINARY) || (flags & SUPERSEDED) !== 0) continue;
      let key: unknown;
      if (kind === BINARY && binaryKeyOf !== undefined) {
        this.showIn(slot, view!);
        key = binaryKeyOf(view!);
      } else {
        key = keyOf(this.payloadIn(slot) as string | Uint8Array);
      }
      if (key === undefined) continue;
      const older = newest.get(key);
      if (older !== undefined) this.slots[(older << 3) + KIND_AT] = this.slots[(older << 3) + KIND_AT]! | SUPERSEDED;
      newest.set(key, slot);
    }
  }

  /** Show the oldest event's bytes (a binary message) in `view`: no object is made. */
  showHead(view: BinaryView): void {
    this.showIn(this.head, view);
  }

  private showIn(slot: number, view: BinaryView): void {
    const payload = this.payloads[slot] as Uint8Array;
    const start = this.slots[(slot << 3) + OFFSET_AT]!;
    if (start >= 0) view.show(payload, start, this.slots[(slot << 3) + SIZE_AT]!);
    else view.show(payload, 0, payload.length);
  }

  private payloadIn(slot: number): unknown {
    const kind = this.slots[(slot << 3) + KIND_AT]! & KIND;
    const payload = this.payloads[slot];
    const start = this.slots[(slot << 3) + OFFSET_AT]!;
    if (start >= 0) {
      // a range of a larger buffer (a log block, a read)
      const end = start + this.slots[(slot << 3) + SIZE_AT]!;
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
    return this.slots[(this.head << 3) + CODE_AT]!;
  }

  /** `performance.now()` at which the oldest event reached the transport. */
  get headTime(): number {
    return this.slots[(this.head << 3) + TIME_AT]!;
  }

  /** Write the oldest event's arrival time into `cell[0]`: a double that never crosses a call as a heap number. */
  headTimeInto(cell: Float64Array): void {
    cell[0] = this.slots[(this.head << 3) + TIME_AT]!;
  }

  /** Global arrival sequence number of the oldest event. */
  get headSeq(): number {
    return this.length > 0 ? this.slots[(this.head << 3) + SEQ_AT]! : -1;
  }

  /** Double the capacity; the oldest event moves to slot 0. */
  protected grow(): void {
    const capacity = (this.mask + 1) * 2;
    const payloads = new Array<unknown>(capacity).fill(undefined);
    const slots = new Float64Array(capacity << 3);
    for (let i = 0; i < this.length; i++) payloads[i] = this.payloads[(this.head + i) & this.mask];
    // the ring is full when it grows: the slots from the head to the end, then those before it
    const wrapped = this.head << 3;
    slots.set(this.slots.subarray(wrapped), 0);
    slots.set(this.slots.subarray(0, wrapped), this.slots.length - wrapped);
    this.payloads = payloads;
    this.slots = slots;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
