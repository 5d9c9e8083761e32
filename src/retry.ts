/**
 * How a reconnecting socket retries: the options, their defaults and checks, and the backoff
 * delay of each attempt (exponential, with jitter).
 */
import { InvalidOptionError, quote, type WebSocketError } from './errors.js';

/** What to do with a `send()` made while the connection is down. */
export type SendPolicy = 'drop' | 'queue' | 'fail';

/** How a {@link ReconnectingWebSocket} retries and what it does with sends meanwhile. */
export interface ReconnectOptions {
  /** First delay before reconnecting, ms. Default 500. */
  minDelay?: number;
  /** Longest delay, ms. Default 30 000. */
  maxDelay?: number;
  /** Each failed attempt multiplies the delay by this. Default 2. */
  factor?: number;
  /** Part of each delay that is random (0: none, 1: anywhere from 0 to the delay). Default 0.5. */
  jitter?: number;
  /** Give up after this many failed attempts in a row (then `closed`). Default: never. */
  maxRetries?: number;
  /**
   * A connection counts as a success, resetting the backoff, only once it stayed open this long
   * (ms). One that drops sooner is a failed attempt: a server that accepts and drops at once sees
   * the delays grow instead of a reconnect every `minDelay`. Default 5 000.
   */
  minUptime?: number;
  /** A close with one of these codes is final: no reconnect. Default [1000, 1008]. */
  finalCloseCodes?: readonly number[];
  /** Default policy of `send()` while disconnected. Default `'drop'`. */
  sendPolicy?: SendPolicy;
  /** Most sends kept by the `'queue'` policy; the oldest go first when full. Default 100. */
  maxQueuedSends?: number;
  /** Queued sends older than this (ms) expire instead of arriving late. Default 2 000. */
  maxQueuedAge?: number;
}

export const DEFAULTS: Required<ReconnectOptions> = {
  minDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  maxRetries: Number.POSITIVE_INFINITY,
  minUptime: 5_000,
  finalCloseCodes: [1000, 1008],
  sendPolicy: 'drop',
  maxQueuedSends: 100,
  maxQueuedAge: 2_000,
};

/** The delay before attempt number `attempt` (1: the first after a loss), in ms. */
export function delayFor(retry: Required<ReconnectOptions>, attempt: number): number {
  const { minDelay, maxDelay, factor, jitter } = retry;
  const base = Math.min(maxDelay, minDelay * factor ** (attempt - 1));
  return Math.round(base * (1 - jitter * Math.random()));
}

/** `options` checked. @throws {@link InvalidOptionError} for a value out of range. */
export function checkRetry(options: Required<ReconnectOptions>): Required<ReconnectOptions> {
  const { minDelay, maxDelay, factor, jitter, maxRetries, minUptime, maxQueuedSends, maxQueuedAge, sendPolicy } =
    options;
  const bad = (name: string, value: unknown, rule: string) =>
    new InvalidOptionError(`reconnect.${name} must be ${rule}, got ${quote(value)}.`);
  if (!(minDelay >= 0)) throw bad('minDelay', minDelay, 'a number of ms >= 0');
  if (!(maxDelay >= minDelay)) throw bad('maxDelay', maxDelay, 'a number of ms >= minDelay');
  if (!(factor >= 1)) throw bad('factor', factor, 'a number >= 1');
  if (!(jitter >= 0 && jitter <= 1)) throw bad('jitter', jitter, 'between 0 and 1');
  if (!(maxRetries >= 0)) throw bad('maxRetries', maxRetries, 'a number >= 0');
  if (!(minUptime >= 0)) throw bad('minUptime', minUptime, 'a number of ms >= 0');
  if (!(maxQueuedSends >= 0)) throw bad('maxQueuedSends', maxQueuedSends, 'a number >= 0');
  if (!(maxQueuedAge >= 0)) throw bad('maxQueuedAge', maxQueuedAge, 'a number of ms >= 0');
  if (sendPolicy !== 'drop' && sendPolicy !== 'queue' && sendPolicy !== 'fail') {
    throw bad('sendPolicy', sendPolicy, "'drop', 'queue' or 'fail'");
  }
  return options;
}

/**
 * Whether a connection that ended with `code` after `failures` failed attempts in a row is the
 * end, for good: a final close code, retries run out, or a refusal retrying will not change.
 */
export function isFinalEnd(
  retry: Required<ReconnectOptions>,
  failures: number,
  code: number,
  lastError: WebSocketError | null,
): boolean {
  if (retry.finalCloseCodes.includes(code)) return true;
  if (failures + 1 > retry.maxRetries) return true;
  // A 4xx refusal (bad credentials, wrong path) will not change by retrying.
  const status = lastError?.code === 'handshake_refused' ? lastError.statusCode : 0;
  return status >= 400 && status < 500;
}
