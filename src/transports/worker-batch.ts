/**
 * The batch layout between the worker and the page, in one place: the worker writes the messages
 * of a burst into one ArrayBuffer, the page reads each as a range of it. Per message:
 * [kind u8: 1 text, 2 binary][time f64: epoch ms][length u32][payload], text as UTF-8. The
 * writer is source text for the worker's program, made from the same constants as the reader.
 */
import type { BatchTarget } from './browser.js';

export const TEXT_RECORD = 1;
export const BINARY_RECORD = 2;
export const TIME_AT = 1;
export const LENGTH_AT = 9;
export const RECORD_HEADER = 13;

/** Hand each message of `batch` to the transport's sink; the last one's arrival is when the server was heard. */
export function readBatch(batch: ArrayBuffer, { sink, heartbeat }: BatchTarget): void {
  const bytes = new Uint8Array(batch);
  const view = new DataView(batch);
  const origin = performance.timeOrigin; // the worker's performance.now() clock is not ours: times come as epoch ms
  let time = 0;
  for (let at = 0; at < bytes.length; ) {
    const isText = bytes[at] === TEXT_RECORD;
    time = view.getFloat64(at + TIME_AT, true) - origin;
    const start = at + RECORD_HEADER;
    const end = start + view.getUint32(at + LENGTH_AT, true);
    sink.message(bytes, start, end, isText, time);
    at = end;
  }
  heartbeat?.heard(time);
}

/**
 * The worker's side, as plain ES2017 source: `record(isText, time, payload)` keeps a message,
 * `flush()` posts what was kept as one transferred batch (through `postOrdered`).
 */
export const BATCH_WRITER = `
var records = []; // kind, time, payload, kind, time, payload...
var recordBytes = 0;
function record(isText, time, payload) {
  records.push(isText ? ${TEXT_RECORD} : ${BINARY_RECORD}, time, payload);
  recordBytes += ${RECORD_HEADER} + payload.length;
}
function flush() {
  flushScheduled = false;
  if (records.length === 0) return;
  var batch = new ArrayBuffer(recordBytes);
  var bytes = new Uint8Array(batch);
  var view = new DataView(batch);
  var at = 0;
  for (var i = 0; i < records.length; i += 3) {
    var payload = records[i + 2];
    bytes[at] = records[i];
    view.setFloat64(at + ${TIME_AT}, records[i + 1], true);
    view.setUint32(at + ${LENGTH_AT}, payload.length, true);
    bytes.set(payload, at + ${RECORD_HEADER});
    at += ${RECORD_HEADER} + payload.length;
  }
  records = [];
  recordBytes = 0;
  postOrdered(batch, [batch]);
}
`;
