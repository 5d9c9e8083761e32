/** The events a recording holds: what a socket dispatched, with when it arrived. */
import type { NetworkErrorCode } from '../errors.js';

/** What every recorded event has. */
export interface RecordedBase {
  /** When it reached the transport (`socket.eventTime` at dispatch), `performance.now()` clock. */
  time: number;
}

/** A recorded `open`. */
export interface RecordedOpen extends RecordedBase {
  /** The event. */
  kind: 'open';
  /** The subprotocol the server chose. */
  protocol: string;
  /** The extensions the server accepted. */
  extensions: string;
}

/** A recorded text message. */
export interface RecordedMessage extends RecordedBase {
  /** The event. */
  kind: 'message';
  /** The text. */
  data: string;
}

/** A recorded binary message. */
export interface RecordedBinary extends RecordedBase {
  /** The event. */
  kind: 'binary';
  /** A copy of the bytes. */
  data: Uint8Array;
}

/** A recorded `error` (its `errorDesc` is derived from it again on replay). */
export interface RecordedError extends RecordedBase {
  /** The event. */
  kind: 'error';
  /** The error's code. */
  code: NetworkErrorCode;
  /** The error's message. */
  message: string;
  /** The close code it ended the connection with. */
  closeCode: number;
}

/** A recorded `closed`. */
export interface RecordedClosed extends RecordedBase {
  /** The event. */
  kind: 'closed';
  /** The close code. */
  code: number;
  /** The close reason. */
  reason: string;
}

/** One dispatched event, as recorded. */
export type RecordedEvent = RecordedOpen | RecordedMessage | RecordedBinary | RecordedError | RecordedClosed;
