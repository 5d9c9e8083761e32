/**
 * The size limits of one socket, from one source of truth: the queue's marks and caps, and the
 * largest message the transport accepts, which always fits between the high-water mark and the
 * hard cap. Checked here, once, as whole numbers in range.
 */
import { InvalidOptionError, quote } from './errors.js';
import { checkInteger } from './validate.js';

/**
 * Memory limits of one socket's queue. Counts are events; sizes are the bytes queued events keep
 * alive: their payloads, and the network reads they are parts of.
 */
export interface QueueLimits {
  /** Pause reading when more bytes than this wait for `update()`. Default 8 MiB. */
  highWaterBytes: number;
  /** Pause reading when more events than this wait. Default 65 536. */
  highWaterEvents: number;
  /** Resume reading once `update()` brings the bytes down to this. Default half the high mark. */
  lowWaterBytes: number;
  /** Resume reading once `update()` brings the events down to this. Default half the high mark. */
  lowWaterEvents: number;
  /** Hard cap in bytes: past it the socket fails with `queue_overflow`. Default 64 MiB. */
  maxBytes: number;
  /** Hard cap in events: past it the socket fails with `queue_overflow`. Default 1 048 576. */
  maxEvents: number;
}

/** The limits a socket gets when it names none. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  highWaterBytes: 8 * 1024 * 1024,
  highWaterEvents: 65_536,
  lowWaterBytes: 4 * 1024 * 1024,
  lowWaterEvents: 32_768,
  maxBytes: 64 * 1024 * 1024,
  maxEvents: 1_048_576,
});

/** `ws` reads a message's length as a signed 32-bit integer (`maxPayload | 0`): larger is no limit at all. */
const MAX_PAYLOAD_LIMIT = 2 ** 31 - 1;

/** A socket's size limits, resolved: the queue's, and the largest message its transport accepts. */
export interface ResolvedLimits {
  readonly queue: Readonly<QueueLimits>;
  /** The room between the high-water mark and the hard cap, unless set lower. */
  readonly maxPayload: number;
}

/**
 * The size limits of one socket, checked, from one source of truth: a message the client accepts
 * (`maxPayload`) always fits between the high-water mark and the hard cap, so reading that pauses
 * at the mark never has to fail at the cap.
 *
 * @throws {@link InvalidOptionError} for a limit that is not a whole number in range.
 */
export function resolveLimits(overrides: Partial<QueueLimits> | undefined, maxPayload: unknown): ResolvedLimits {
  let queue: Readonly<QueueLimits> = DEFAULT_QUEUE_LIMITS;
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null) {
      throw new InvalidOptionError(`queue must be an object of limits, got ${quote(overrides)}.`);
    }
    const limits = { ...DEFAULT_QUEUE_LIMITS, ...overrides };
    if (overrides.highWaterBytes !== undefined && overrides.lowWaterBytes === undefined) {
      limits.lowWaterBytes = Math.floor(limits.highWaterBytes / 2);
    }
    if (overrides.highWaterEvents !== undefined && overrides.lowWaterEvents === undefined) {
      limits.lowWaterEvents = Math.floor(limits.highWaterEvents / 2);
    }
    for (const [name, value] of Object.entries(limits)) {
      checkInteger(`queue.${name}`, value, 0, Number.MAX_SAFE_INTEGER);
    }
    if (limits.lowWaterBytes > limits.highWaterBytes || limits.lowWaterEvents > limits.highWaterEvents) {
      throw new InvalidOptionError('queue low-water marks must not be above the high-water marks.');
    }
    if (limits.highWaterBytes >= limits.maxBytes || limits.highWaterEvents >= limits.maxEvents) {
      throw new InvalidOptionError(
        'queue high-water marks must be below the hard caps (maxBytes, maxEvents): the room between them holds the message that crosses the mark.',
      );
    }
    queue = limits;
  }
  const room = Math.min(MAX_PAYLOAD_LIMIT, queue.maxBytes - queue.highWaterBytes);
  if (maxPayload === undefined) return { queue, maxPayload: room };
  checkInteger(
    'maxPayload',
    maxPayload,
    1,
    room,
    room < MAX_PAYLOAD_LIMIT
      ? 'a message must fit between queue.highWaterBytes and queue.maxBytes; raise queue.maxBytes for larger messages'
      : 'ws cannot enforce a larger limit',
  );
  return { queue, maxPayload: maxPayload as number };
}
