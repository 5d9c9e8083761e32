/**
 * Close codes and reasons (RFC 6455 §7.4). A client may send 1000–1014 except 1004, 1005 and
 * 1006 (reserved) plus 3000–4999 (registered and application codes). 1005 and 1006 can still be
 * *received* in `closed`: they mean "no code given" and "no close frame at all".
 */
import { InvalidCloseCodeError, quote, ReasonTooLongError } from './errors.js';

/** Named close codes. Games put their own at 4000–4999 (see {@link isValidCloseCode}). */
export const CloseCode = {
  /** The purpose of the connection was fulfilled. */
  Normal: 1000,
  /** The endpoint is going away (page closed, server shutting down). */
  GoingAway: 1001,
  /** The peer broke the protocol. */
  ProtocolError: 1002,
  /** A kind of data the endpoint cannot accept. */
  UnsupportedData: 1003,
  /** Received only: the close frame had no code. */
  NoStatus: 1005,
  /** Received only: the connection ended without a close frame. */
  Abnormal: 1006,
  /** Data inconsistent with its type (e.g. invalid UTF-8 in text). */
  InvalidPayload: 1007,
  /** A message broke the endpoint's policy. */
  PolicyViolation: 1008,
  /** A message too big to process. */
  MessageTooBig: 1009,
  /** The client needed an extension the server did not offer. */
  MandatoryExtension: 1010,
  /** The server met an unexpected condition. */
  InternalError: 1011,
  /** The server is restarting. */
  ServiceRestart: 1012,
  /** Temporary overload: try again later. */
  TryAgainLater: 1013,
  /** A gateway got an invalid response upstream. */
  BadGateway: 1014,
} as const;

/** Longest close reason, in UTF-8 bytes: a control frame carries 125 bytes, 2 go to the code. */
export const MAX_REASON_BYTES = 123;

/** Whether a client may send `code` in a close frame. */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

/** Length of `text` in UTF-8, as `TextEncoder` would encode it (a lone surrogate becomes 3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Throws the typed error for a close code or reason that must not be sent; returns otherwise.
 * `extraRule` lets a transport narrow the codes further (browsers only send 1000 and 3000–4999).
 */
export function checkCloseArguments(
  code: number,
  reason: string,
  extraRule?: (code: number) => string | undefined,
): void {
  if (typeof code !== 'number') {
    throw new InvalidCloseCodeError(
      `The close code must be a number, got the ${typeof code} ${quote(code)}: e.g. close(1000) (normal), or 4000–4999 for your game.`,
    );
  }
  if (!isValidCloseCode(code)) {
    throw new InvalidCloseCodeError(
      `Close code ${quote(code)} cannot be sent: use 1000 (normal), 1001–1003, 1007–1014, or 3000–4999 (4000–4999 are for your game).`,
    );
  }
  const refusal = extraRule?.(code);
  if (refusal !== undefined) throw new InvalidCloseCodeError(refusal);
  const bytes = utf8ByteLength(reason);
  if (bytes > MAX_REASON_BYTES) {
    throw new ReasonTooLongError(
      `The close reason is ${bytes} bytes in UTF-8; at most ${MAX_REASON_BYTES} fit in a close frame. Shorten it.`,
    );
  }
}
