/** Recording what a socket dispatches, to replay it later or keep it with a bug report. */

import type { BinaryView } from '../binary-view.js';
import type { WebSocketError } from '../errors.js';
import type { WebSocket } from '../websocket.js';
import type { RecordedEvent } from './events.js';
import { encodeRecording } from './format.js';

/** Records what a socket dispatches. */
export interface Recorder {
  /** The events so far, in dispatch order. */
  readonly events: readonly RecordedEvent[];
  /** The recording in a compact binary form (see {@link decodeRecording}). */
  toBytes(): Uint8Array;
  /** Stop recording (the handlers are removed). */
  stop(): void;
}

/**
 * Record every event `socket` dispatches from now on. Register it before `open()` to have the
 * whole session. Binary payloads are copied, so a handler that changes its buffer changes
 * nothing here. Fragments (`incompleteFrame`) are not recorded: listening for them would switch
 * streaming on and change the session being recorded.
 *
 * @example
 * ```ts
 * const recorder = recordEvents(socket);
 * // ... play ...
 * fs.writeFileSync('session.tsr', recorder.toBytes());
 * ```
 */
export function recordEvents(socket: WebSocket): Recorder {
  const events: RecordedEvent[] = [];
  const handlers = {
    open: (s: WebSocket) =>
      events.push({ kind: 'open', time: s.eventTime, protocol: s.protocol, extensions: s.extensions }),
    message: (s: WebSocket, data: string) => events.push({ kind: 'message', time: s.eventTime, data }),
    // a tap, not a handler: a `binary` handler of its own would not see what goes to `binaryView`
    binary: (view: BinaryView, time: number) => events.push({ kind: 'binary', time, data: view.copy() }),
    error: (s: WebSocket, error: WebSocketError) =>
      events.push({
        kind: 'error',
        time: s.eventTime,
        code: error.code,
        message: error.message,
        closeCode: error.closeCode,
      }),
    closed: (s: WebSocket, code: number, reason: string) =>
      events.push({ kind: 'closed', time: s.eventTime, code, reason }),
  };
  socket.on('open', handlers.open).on('message', handlers.message);
  socket.on('error', handlers.error).on('closed', handlers.closed);
  socket.tapBinary(handlers.binary);
  return {
    events,
    toBytes: () => encodeRecording(events),
    stop() {
      socket.off('open', handlers.open).off('message', handlers.message);
      socket.tapBinary(null);
      socket.off('error', handlers.error).off('closed', handlers.closed);
    },
  };
}
