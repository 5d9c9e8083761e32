/**
 * What a Node or `ws` failure means to a game: a stable code, the close code actually sent, and
 * a message that says what to check. One table row per kind of failure; nothing a server sent
 * reaches a message unescaped, and URLs are shown without user info or query.
 */
import {
  escapeServerText,
  type HandshakeResponse,
  type NetworkErrorCode,
  redactUrl,
  WebSocketError,
} from '../../errors.js';
import { wsStatusCode } from './receiver-hook.js';

/** A row: which errors it takes, the code they get, and the message (`host`, the error's own code). */
interface Rule {
  readonly when: (errno: string, error: Error) => boolean;
  readonly code: NetworkErrorCode;
  readonly message: (host: string, errno: string, error: Error) => string;
}

const oneOf =
  (...codes: string[]) =>
  (errno: string): boolean =>
    codes.includes(errno);
const startsWith =
  (...prefixes: string[]) =>
  (errno: string): boolean =>
    prefixes.some((prefix) => errno.startsWith(prefix));
const detail = (error: Error): string => escapeServerText(error.message);

/** `ws`'s parser errors whose message is about size: the rest are broken frames. */
const TOO_BIG = oneOf('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');

const RULES: readonly Rule[] = [
  {
    when: oneOf('ECONNREFUSED'),
    code: 'connection_refused',
    message: (host) => `Nothing accepted the connection at ${host}: is the server running on that port?`,
  },
  {
    when: oneOf('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA'),
    code: 'dns_failure',
    message: (host, errno) =>
      `The host name of ${host} could not be resolved (${errno}): check the URL and the network.`,
  },
  {
    when: oneOf('ECONNRESET', 'EPIPE'),
    code: 'connection_reset',
    message: (host, errno) => `The connection to ${host} was reset by the peer (${errno}).`,
  },
  {
    when: oneOf('ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'),
    code: 'connection_failed',
    message: (host, errno) => `${host} could not be reached (${errno}): check the address and the network.`,
  },
  {
    // A TLS client met a server that does not speak TLS: OpenSSL's own text says only "wrong version number".
    when: (errno, error) =>
      errno === 'EPROTO' || errno === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message),
    code: 'tls_failure',
    message: (host) =>
      `The server at ${host} does not speak TLS on that port: use a ws:// URL for a plain server, or the port of its TLS endpoint.`,
  },
  {
    when: (errno) =>
      startsWith('ERR_TLS', 'ERR_SSL', 'CERT_', 'ERR_OSSL')(errno) ||
      errno.includes('CERT') ||
      errno.includes('SELF_SIGNED') ||
      errno === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    code: 'tls_failure',
    message: (host, errno, error) =>
      `The TLS handshake with ${host} failed (${errno}: ${detail(error)}): for a private certificate pass tls.ca.`,
  },
  {
    when: TOO_BIG,
    code: 'message_too_big',
    message: (host) =>
      `A message from ${host} was larger than maxPayload: raise maxPayload (and queue.maxBytes) if it is expected.`,
  },
  {
    when: startsWith('WS_ERR_'),
    code: 'protocol_error',
    message: (host, errno, error) => `The server at ${host} broke the WebSocket protocol: ${detail(error)} (${errno}).`,
  },
  {
    // zlib, inflating a compressed message (permessage-deflate)
    when: startsWith('Z_'),
    code: 'protocol_error',
    message: (host, errno) => `The server at ${host} sent compressed data that does not inflate (${errno}).`,
  },
  {
    // Node's HTTP parser, reading the answer to the upgrade request
    when: startsWith('HPE_'),
    code: 'handshake_invalid',
    message: (host, errno) =>
      `The server at ${host} did not answer the upgrade request with valid HTTP (${errno}): is it a WebSocket server?`,
  },
  {
    when: (_errno, error) =>
      /^(Invalid Sec-WebSocket|Invalid Upgrade header|Server sent|Server indicated|Missing Sec-WebSocket)/.test(
        error.message,
      ),
    code: 'handshake_invalid',
    message: (host, _errno, error) => `The server at ${host} answered the upgrade wrongly: ${detail(error)}.`,
  },
];

/** The close code each kind of failure ends with when `ws` does not say (it does for its parser's errors). */
function closeCodeOf(errno: string, error: Error): number {
  const status = wsStatusCode(error);
  if (status !== undefined) return status;
  if (TOO_BIG(errno)) return 1009;
  if (errno === 'WS_ERR_INVALID_UTF8' || errno.startsWith('Z_')) return 1007;
  if (errno.startsWith('WS_ERR_')) return 1002;
  return 1006;
}

/** Map a Node or `ws` error to a stable code and a message that says what to check. */
export function translateError(error: Error & { code?: string }, url: string): WebSocketError {
  const errno = typeof error.code === 'string' ? error.code : '';
  const host = new URL(url).host;
  const rule = RULES.find((candidate) => candidate.when(errno, error));
  const closeCode = closeCodeOf(errno, error);
  if (rule !== undefined) {
    return new WebSocketError(rule.code, rule.message(host, errno, error), { cause: error, closeCode });
  }
  return new WebSocketError(
    'connection_failed',
    `The connection to ${host} failed: ${detail(error)}${errno ? ` (${escapeServerText(errno)})` : ''}.`,
    { cause: error, closeCode },
  );
}

/** The timeout of the handshake, counted from `open()`. */
export function handshakeTimeoutError(url: string, timeout: number): WebSocketError {
  return new WebSocketError(
    'handshake_timeout',
    `No WebSocket handshake from ${new URL(url).host} within handshakeTimeout (${timeout} ms from open(), name resolution and TLS included): is it a WebSocket server, and reachable?`,
  );
}

/** The server sent pings faster than the client could answer them, and `ws` cut the connection. */
export function pingFloodError(url: string): WebSocketError {
  return new WebSocketError(
    'protocol_error',
    `The server at ${new URL(url).host} sent pings faster than they could be answered, so the connection was dropped: check the server's ping rate.`,
  );
}

/** A refused upgrade: the status, and what to do about it. */
export function refusalError(url: string, response: HandshakeResponse): WebSocketError {
  const status = escapeServerText(`${response.statusCode} ${response.message}`.trim());
  const code = response.statusCode;
  let advice = 'check the URL and the server logs';
  if (code === 401 || code === 403) advice = 'the server wants credentials: pass them in options.headers';
  else if (code === 404) advice = 'check the path of the URL';
  else if (code >= 300 && code < 400) {
    // The target is the server's word: it is in error.response.headers.location, never advice.
    advice = 'the server redirects, and WebSocket clients do not follow redirects: check the URL';
  } else if (code >= 500) advice = 'the server failed: check its logs';
  return new WebSocketError(
    'handshake_refused',
    `The server at ${redactUrl(url)} refused the WebSocket upgrade with HTTP ${status}: ${advice}.`,
    { response },
  );
}
