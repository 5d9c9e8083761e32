/**
 * The compact form of a recording ("TSR1", then per event: kind u8, time f64, fields), and the
 * checks every recording passes before a replay uses it: typed errors for anything else.
 */
import { InvalidRecordingError, type NetworkErrorCode, quote } from '../errors.js';
import type { RecordedEvent } from './events.js';

const MAGIC = [0x54, 0x53, 0x52, 0x31];
const KINDS = ['open', 'message', 'binary', 'error', 'closed'] as const;

class Writer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  private readonly encoder = new TextEncoder();

  private room(size: number): void {
    if (this.length + size <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + size));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(value: number): void {
    this.room(1);
    this.view.setUint8(this.length++, value);
  }

  u16(value: number): void {
    this.room(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  f64(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  data(data: Uint8Array): void {
    this.room(4 + data.length);
    this.view.setUint32(this.length, data.length, true);
    this.bytes.set(data, this.length + 4);
    this.length += 4 + data.length;
  }

  text(text: string): void {
    this.data(this.encoder.encode(text));
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  u8(): number {
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  f64(): number {
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  data(): Uint8Array {
    const length = this.view.getUint32(this.offset, true);
    const data = this.bytes.slice(this.offset + 4, this.offset + 4 + length);
    if (data.length !== length)
      throw new InvalidRecordingError('Not a whole ticksocket recording: it ends inside an event.');
    this.offset += 4 + length;
    return data;
  }

  text(): string {
    return this.decoder.decode(this.data());
  }
}

/** The compact binary form of a recording. */
export function encodeRecording(events: readonly RecordedEvent[]): Uint8Array {
  const out = new Writer();
  for (const byte of MAGIC) out.u8(byte);
  for (const event of events) {
    out.u8(KINDS.indexOf(event.kind));
    out.f64(event.time);
    switch (event.kind) {
      case 'open':
        out.text(event.protocol);
        out.text(event.extensions);
        break;
      case 'message':
        out.text(event.data);
        break;
      case 'binary':
        out.data(event.data);
        break;
      case 'error':
        out.text(event.code);
        out.text(event.message);
        out.u16(event.closeCode);
        break;
      case 'closed':
        out.u16(event.code);
        out.text(event.reason);
        break;
    }
  }
  return out.result();
}

/**
 * Read a recording written by {@link encodeRecording} (or `Recorder.toBytes()`).
 *
 * @throws {@link InvalidRecordingError} for anything else: empty, garbage, truncated, or with times that are not numbers.
 */
export function decodeRecording(bytes: Uint8Array): RecordedEvent[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidRecordingError(
      `decodeRecording() takes the bytes of a recording (a Uint8Array), got ${quote(bytes)}.`,
    );
  }
  try {
    return checkRecording(decodeEvents(bytes));
  } catch (error) {
    if (error instanceof InvalidRecordingError) throw error;
    // The DataView's own RangeError: a field runs past the end.
    throw new InvalidRecordingError('Not a whole ticksocket recording: it ends inside an event.', { cause: error });
  }
}

function decodeEvents(bytes: Uint8Array): RecordedEvent[] {
  const input = new Reader(bytes);
  for (const byte of MAGIC) {
    if (input.done || input.u8() !== byte) {
      throw new InvalidRecordingError(
        'Not a ticksocket recording (it does not start with "TSR1"): pass the bytes Recorder.toBytes() wrote.',
      );
    }
  }
  const events: RecordedEvent[] = [];
  while (!input.done) {
    const kind = KINDS[input.u8()];
    const time = input.f64();
    switch (kind) {
      case 'open':
        events.push({ kind, time, protocol: input.text(), extensions: input.text() });
        break;
      case 'message':
        events.push({ kind, time, data: input.text() });
        break;
      case 'binary':
        events.push({ kind, time, data: input.data() });
        break;
      case 'error':
        events.push({
          kind,
          time,
          code: input.text() as NetworkErrorCode,
          message: input.text(),
          closeCode: input.u16(),
        });
        break;
      case 'closed':
        events.push({ kind, time, code: input.u16(), reason: input.text() });
        break;
      default:
        throw new InvalidRecordingError('Not a ticksocket recording: an event of an unknown kind.');
    }
  }
  return events;
}

/** Every event of a known kind, at a finite time, with data of its type: else {@link InvalidRecordingError}. */
export function checkRecording(events: readonly RecordedEvent[]): RecordedEvent[] {
  const checked: RecordedEvent[] = [];
  for (const [index, event] of events.entries()) {
    const where = `Event ${index} of the recording`;
    if (typeof event !== 'object' || event === null || !(KINDS as readonly string[]).includes(event.kind)) {
      throw new InvalidRecordingError(`${where} is not one of ${KINDS.join(', ')}.`);
    }
    if (typeof event.time !== 'number' || !Number.isFinite(event.time)) {
      throw new InvalidRecordingError(`${where} has time ${quote(event.time)}: times are finite numbers of ms.`);
    }
    if (event.kind === 'message' && typeof event.data !== 'string') {
      throw new InvalidRecordingError(`${where} is a message whose data is not a string.`);
    }
    if (event.kind === 'binary' && !(event.data instanceof Uint8Array)) {
      throw new InvalidRecordingError(`${where} is binary whose data is not a Uint8Array.`);
    }
    checked.push(event);
  }
  return checked;
}
