/**
 * Argument and option checks. Each failure throws the typed error of its kind with a stable
 * `code` and a message that says what to pass instead; none quotes a secret (a URL is shown
 * without its user info and query, a header without its value).
 */
import {
  asText,
  InvalidArgumentError,
  InvalidOptionError,
  InvalidPayloadError,
  InvalidUrlError,
  OutOfRangeError,
  quote,
  redactUrl,
} from './errors.js';

const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node (and the HTTP grammar) allows in a header value: no CR, LF, NUL or other controls. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** `input` as a `ws:` / `wss:` URL string (`http(s):` mapped, as browsers do). */
export function normalizeUrl(input: string | URL): string {
  const text = asTextOr(input, InvalidUrlError, 'The URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidUrlError(`Invalid URL: ${quote(redactUrl(text))}. Use an absolute ws:// or wss:// URL.`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidUrlError(
      `Invalid URL: ${redactUrl(url)}. The scheme must be ws: or wss: (http: and https: are accepted and mapped).`,
    );
  }
  if (url.hash !== '' || text.includes('#')) {
    throw new InvalidUrlError(`Invalid URL: ${redactUrl(url)}. A WebSocket URL cannot have a #fragment.`);
  }
  return url.href;
}

/** The subprotocols to offer, as a list of distinct HTTP tokens. */
export function checkProtocols(protocols: string | readonly string[] | undefined): string[] {
  if (protocols === undefined) return [];
  const list = typeof protocols === 'string' ? [protocols] : [...protocols];
  const seen = new Set<string>();
  for (const protocol of list) {
    if (typeof protocol !== 'string' || !SUBPROTOCOL_TOKEN.test(protocol) || seen.has(protocol)) {
      throw new InvalidOptionError(
        `Invalid or repeated subprotocol ${quote(protocol)}: each must be a distinct HTTP token (letters, digits, !#$%&'*+-.^_\`|~).`,
      );
    }
    seen.add(protocol);
  }
  return list;
}

/** A duration option: a finite number of ms >= 0 (timers clamp what they cannot hold). */
export function checkTimeout(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be a number of milliseconds >= 0 (0: no timeout), got ${quote(value)}.`);
  }
}

/** A size or count option: a whole number from `min` to `max`. */
export function checkInteger(name: string, value: unknown, min: number, max: number, advice = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(
      `${name} must be a whole number from ${min} to ${max}, got ${quote(value)}${advice === '' ? '' : `: ${advice}`}.`,
    );
  }
  return value;
}

/** Extra handshake headers: HTTP token names, values without CR, LF or other control characters. */
export function checkHeaders(headers: unknown, origin: unknown): void {
  if (origin !== undefined && (typeof origin !== 'string' || INVALID_HEADER_VALUE.test(origin))) {
    throw new InvalidOptionError('origin must be a string without control characters (CR, LF, NUL...).');
  }
  if (headers === undefined) return;
  if (typeof headers !== 'object' || headers === null) {
    throw new InvalidOptionError(`headers must be an object of header names to strings, got ${quote(headers)}.`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!SUBPROTOCOL_TOKEN.test(name)) {
      throw new InvalidOptionError(`Header name ${quote(name)} is not an HTTP token: use letters, digits and -.`);
    }
    // The value is never quoted: headers carry tokens and cookies.
    if (typeof value !== 'string' || INVALID_HEADER_VALUE.test(value)) {
      throw new InvalidOptionError(
        `The value of header ${quote(name)} must be a string without control characters (CR, LF, NUL...): a line break would split the request.`,
      );
    }
  }
}

/** The optional budget of `update()`: an object with `maxEvents` and `maxMs` numbers >= 0. */
export function checkBudget(budget: unknown): void {
  if (typeof budget !== 'object' || budget === null) {
    throw new InvalidArgumentError(
      `update() takes no argument or a budget object { maxEvents?, maxMs? }, got ${quote(budget)}.`,
    );
  }
  const { maxEvents, maxMs } = budget as { maxEvents?: unknown; maxMs?: unknown };
  if (maxEvents !== undefined && !(typeof maxEvents === 'number' && maxEvents >= 0)) {
    throw new InvalidArgumentError(`budget.maxEvents must be a number >= 0, got ${quote(maxEvents)}.`);
  }
  if (maxMs !== undefined && !(typeof maxMs === 'number' && maxMs >= 0)) {
    throw new InvalidArgumentError(`budget.maxMs must be a number of milliseconds >= 0, got ${quote(maxMs)}.`);
  }
}

/**
 * @internal A copy of `bytes[start, end)`, of the same class. `Buffer#slice` returns a view, not
 * a copy, so `bytes.slice()` is not one when the caller's bytes are a Node `Buffer`.
 */
export function copyOf(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

/** @internal What `send()` sends: a string or bytes; anything else is an {@link InvalidPayloadError}. */
export function toPayload(data: unknown): string | Uint8Array {
  if (typeof data === 'string') return data;
  try {
    if (data instanceof Uint8Array) {
      // A detached buffer reads as empty: sending it would send an empty message without a word.
      if (data.byteLength === 0) new Uint8Array(data.buffer, 0, 0);
      return data;
    }
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  } catch {
    throw new InvalidPayloadError(
      'send() got a view of a detached ArrayBuffer (transferred to a worker or resized away): send the data before transferring it, or a copy.',
    );
  }
  throw new InvalidPayloadError(
    `send() takes a string, an ArrayBuffer or an ArrayBufferView (Uint8Array, DataView...), got ${
      data === null ? 'null' : typeof data
    }.`,
  );
}

/** `value` as text, or the given typed error when it has no string form. */
function asTextOr(value: unknown, ErrorClass: new (message: string) => Error, what: string): string {
  try {
    return asText(value, what);
  } catch (error) {
    throw new ErrorClass((error as Error).message);
  }
}

/** @internal The end of what `send(payload, start, end)` sends; @throws {@link OutOfRangeError} for a bad range. */
export function checkSendRange(
  payload: string | Uint8Array,
  start: number | undefined,
  end: number | undefined,
): number {
  const length = payload.length;
  if (start === undefined && end === undefined) return length;
  if (typeof payload === 'string') {
    throw new InvalidArgumentError(
      'send(text, start, end): a range applies to bytes only; send text.slice(start, end).',
    );
  }
  const from = start ?? 0;
  const to = end ?? length;
  if (from >>> 0 !== from || to >>> 0 !== to || from > to || to > length) {
    throw new OutOfRangeError(
      `send(bytes, ${quote(start)}, ${quote(end)}) needs whole numbers 0 <= start <= end <= ${length} (the bytes' length).`,
    );
  }
  return to;
}

/** The largest message `beginBinary()` builds: a frame length JavaScript numbers and buffers can hold. */
const MAX_BUILT_MESSAGE = 2 ** 31 - 1;

/** @internal @throws {@link OutOfRangeError} unless `size` is a whole number of bytes a message can have. */
export function checkMessageSize(size: unknown): void {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_BUILT_MESSAGE) {
    throw new OutOfRangeError(
      `beginBinary(size) needs a whole number of bytes from 0 to ${MAX_BUILT_MESSAGE}, got ${quote(size)}.`,
    );
  }
}
