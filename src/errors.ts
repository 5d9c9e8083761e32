/**
 * Every error ticksocket throws or dispatches carries a stable `code` string.
 *
 * Bad arguments throw synchronously, as the built-in type that fits (`SyntaxError` for a bad
 * URL, `RangeError` for a bad close code, `TypeError` for a bad payload). Network failures
 * never throw: they arrive as a {@link WebSocketError} in the `'error'` event, inside `update()`.
 */

/** Codes of the errors thrown synchronously by a call with bad arguments or in the wrong state. */
export type UsageErrorCode =
  | 'invalid_url'
  | 'invalid_close_code'
  | 'reason_too_long'
  | 'invalid_payload'
  | 'invalid_argument'
  | 'invalid_option'
  | 'invalid_state'
  | 'invalid_recording'
  | 'streaming_unsupported'
  | 'out_of_range'
  | 'view_expired';

/** Codes of the failures dispatched as `'error'` events (see {@link WebSocketError}). */
export type NetworkErrorCode =
  /** The server answered the upgrade request with a status other than 101 (see `statusCode`). */
  | 'handshake_refused'
  /** The server answered 101 but the handshake was not valid (accept key, subprotocol, extension). */
  | 'handshake_invalid'
  /** No complete handshake within `handshakeTimeout`. */
  | 'handshake_timeout'
  /** Nothing listens on that host and port. */
  | 'connection_refused'
  /** The host name could not be resolved. */
  | 'dns_failure'
  /** The TLS handshake failed (certificate not trusted, expired, wrong host...). */
  | 'tls_failure'
  /** The peer reset the TCP connection. */
  | 'connection_reset'
  /** The connection ended without a closing handshake (close code 1006). */
  | 'connection_lost'
  /** The connection failed and the platform does not say why (browsers never do). */
  | 'connection_failed'
  /** The server broke RFC 6455 (bad frame, invalid UTF-8...); `closeCode` says which rule. */
  | 'protocol_error'
  /** A message was larger than `maxPayload`. */
  | 'message_too_big'
  /** The queue passed its hard cap because the game stopped calling `update()` (browsers). */
  | 'queue_overflow'
  /** Nothing at all came from the server for `closeAfterNoMessage` ms (a dead or half-open peer). */
  | 'timeout';

/** Every `code` an error from ticksocket can have. */
export type ErrorCode = UsageErrorCode | NetworkErrorCode;

/** Thrown by the constructor for a URL that is not `ws:`, `wss:`, `http:` or `https:`, or has a fragment. */
export class InvalidUrlError extends SyntaxError {
  /** Stable code for programs: `'invalid_url'`. */
  readonly code = 'invalid_url';
  /** `'InvalidUrlError'`, as shown in stack traces. */
  override name = 'InvalidUrlError';
}

/** Thrown by `close()` for a code a client may not send (see `isValidCloseCode`). */
export class InvalidCloseCodeError extends RangeError {
  /** Stable code for programs: `'invalid_close_code'`. */
  readonly code = 'invalid_close_code';
  /** `'InvalidCloseCodeError'`, as shown in stack traces. */
  override name = 'InvalidCloseCodeError';
}

/** Thrown by `close()` when the reason is longer than 123 bytes in UTF-8. */
export class ReasonTooLongError extends RangeError {
  /** Stable code for programs: `'reason_too_long'`. */
  readonly code = 'reason_too_long';
  /** `'ReasonTooLongError'`, as shown in stack traces. */
  override name = 'ReasonTooLongError';
}

/** Thrown by `send()` for data that is not a string, `ArrayBuffer` or `ArrayBufferView`. */
export class InvalidPayloadError extends TypeError {
  /** Stable code for programs: `'invalid_payload'`. */
  readonly code = 'invalid_payload';
  /** `'InvalidPayloadError'`, as shown in stack traces. */
  override name = 'InvalidPayloadError';
}

/** Thrown for an unknown event name or a handler that is not a function. */
export class InvalidArgumentError extends TypeError {
  /** Stable code for programs: `'invalid_argument'`. */
  readonly code = 'invalid_argument';
  /** `'InvalidArgumentError'`, as shown in stack traces. */
  override name = 'InvalidArgumentError';
}

/** Thrown by a constructor for an option out of its range. */
export class InvalidOptionError extends RangeError {
  /** Stable code for programs: `'invalid_option'`. */
  readonly code = 'invalid_option';
  /** `'InvalidOptionError'`, as shown in stack traces. */
  override name = 'InvalidOptionError';
}

/** Thrown by a method called in a state where it cannot work (send before open, reuse...). */
export class InvalidStateError extends Error {
  /** Stable code for programs: `'invalid_state'`. */
  readonly code = 'invalid_state';
  /** `'InvalidStateError'`, as shown in stack traces. */
  override name = 'InvalidStateError';
}

/** Thrown when an `incompleteFrame` handler is registered on a transport that cannot see fragments. */
export class StreamingUnsupportedError extends Error {
  /** Stable code for programs: `'streaming_unsupported'`. */
  readonly code = 'streaming_unsupported';
  /** `'StreamingUnsupportedError'`, as shown in stack traces. */
  override name = 'StreamingUnsupportedError';
}

/** Thrown by `decodeRecording` and `createReplay` for input that is not a valid recording. */
export class InvalidRecordingError extends TypeError {
  /** Stable code for programs: `'invalid_recording'`. */
  readonly code = 'invalid_recording';
  /** `'InvalidRecordingError'`, as shown in stack traces. */
  override name = 'InvalidRecordingError';
}

/** Thrown by a `BinaryView` read or a `BinaryWriter` write outside the message's bytes. */
export class OutOfRangeError extends RangeError {
  /** Stable code for programs: `'out_of_range'`. */
  readonly code = 'out_of_range';
  /** `'OutOfRangeError'`, as shown in stack traces. */
  override name = 'OutOfRangeError';
}

/** Thrown by a `BinaryView` used after its `binaryView` handler returned. */
export class ViewExpiredError extends Error {
  /** Stable code for programs: `'view_expired'`. */
  readonly code = 'view_expired';
  /** `'ViewExpiredError'`, as shown in stack traces. */
  override name = 'ViewExpiredError';
}

/** The status line, headers and (start of the) body of the server's answer to the upgrade request. */
export interface HandshakeResponse {
  /** HTTP status, 101 on success. */
  readonly statusCode: number;
  /** HTTP status message, e.g. `'Unauthorized'`. */
  readonly message: string;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The response body as text, at most 64 KiB (empty on success and in browsers). */
  readonly body: string;
}

/** Details a transport attaches to a {@link WebSocketError}. */
export interface WebSocketErrorDetails {
  /** Close code this failure ends the connection with (1006 when no close frame was exchanged). */
  closeCode?: number;
  /** The server's answer, for `handshake_refused` and `handshake_invalid`. */
  response?: HandshakeResponse;
  /** The platform error behind this one, if any. */
  cause?: unknown;
}

/**
 * A network failure, dispatched in the `'error'` event. `code` tells what happened; `message`
 * what to check.
 *
 * @example
 * socket.on('error', (s, error) => {
 *   if (error?.code === 'handshake_refused') console.log('server said', error.statusCode);
 * });
 */
export class WebSocketError extends Error {
  /** `'WebSocketError'`, as shown in stack traces. */
  override name = 'WebSocketError';
  /** Close code the connection ends with: 1006 when no close frame was exchanged. */
  readonly closeCode: number;
  /** HTTP status for `handshake_refused`, else 0. */
  readonly statusCode: number;
  /** The server's handshake answer, when there was one. */
  readonly response: HandshakeResponse | null;

  constructor(
    /** What happened, as a stable code for programs. */
    readonly code: NetworkErrorCode,
    message: string,
    details: WebSocketErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    // A stack not yet formatted keeps the receivers of its frames alive (a parser and the
    // buffers of a partial message): format it now, so the error holds text only.
    void this.stack;
    if (details.cause instanceof Error) void details.cause.stack;
    this.closeCode = details.closeCode ?? 1006;
    this.response = details.response ?? null;
    this.statusCode = this.response?.statusCode ?? 0;
  }
}

/** @internal A connection that ended without a closing handshake (the seed's OnError still fires). */
export function connectionLostError(closeCode: number): WebSocketError {
  return new WebSocketError(
    'connection_lost',
    `The connection ended without a closing handshake (close code ${closeCode}): the server went away or the network dropped.`,
    { closeCode },
  );
}

/** @internal The platform threw at `connect()`, before any network I/O. */
export function startFailedError(url: string, cause: unknown): WebSocketError {
  return new WebSocketError(
    'connection_failed',
    `Could not start connecting to ${redactUrl(url)}: ${errorKind(cause)}. The platform refused the connection before any network I/O; see error.cause.`,
    { cause },
  );
}

/** @internal The queue passed its hard cap: the game stopped pumping where reading cannot pause. */
export function queueOverflowError(maxEvents: number, maxBytes: number): WebSocketError {
  return new WebSocketError(
    'queue_overflow',
    `More than ${maxEvents} events or ${maxBytes} bytes (with the reads they keep) waited for update(): call update() every frame (with a budget if frames are short), or close the socket while the game is paused.`,
  );
}

/**
 * @internal A value as error messages quote it. Never throws, whatever the value: a message
 * about bad input must not fail on that input (an object whose toString throws, a BigInt, a cycle).
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * @internal Text for a value the API converts to a string (a close reason), as browsers do, but
 * with a typed error when the conversion itself fails.
 */
export function asText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    throw new InvalidArgumentError(`${what} must be a string, got ${Object.prototype.toString.call(value)}.`);
  }
}

/**
 * @internal A URL as messages show it: no user name or password, no query string (tokens travel
 * there) and no fragment. Games log error messages; secrets must not reach the logs.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    // Not a URL at all: cut what could be credentials (before an @) and a query.
    const text = escapeServerText(String(url));
    return text.replace(/\/\/[^/?#]*@/, '//').replace(/[?#].*$/, (rest) => (rest.startsWith('?') ? '?…' : ''));
  }
  const query = parsed.search === '' ? '' : '?…';
  return escapeServerText(`${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`);
}

/** The longest piece of text from a server that a message quotes. */
const MAX_QUOTED = 200;

/**
 * @internal Text that came from a server (a status message, a header, a reason), made safe to
 * put in a message: control characters escaped (no terminal escapes, no forged log lines), and
 * cut to a length a log line can hold.
 */
export function escapeServerText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it escapes
  let safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
  if (safe.length > MAX_QUOTED) safe = `${safe.slice(0, MAX_QUOTED)}…`;
  return safe;
}

/** @internal The kind of a thrown value, for a message (its text could hold a URL, with its secrets). */
export function errorKind(cause: unknown): string {
  return cause instanceof Error ? cause.name : typeof cause;
}
