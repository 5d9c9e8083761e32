/** Counters of sockets and managers, as the game reads them (each read is a new object). */
import type { EventQueue } from './queue.js';

/** What waits for `update()`: read with `socket.backlog`. */
export interface Backlog {
  /** Events waiting. */
  events: number;
  /** Their payload bytes. */
  bytes: number;
  /** How long the oldest has waited, in ms (0 when none). */
  oldestAgeMs: number;
}

/** Counters of one socket, read with `socket.stats`. */
export interface SocketStats {
  /** Messages received (fragments count one each). */
  messagesIn: number;
  /** Payload bytes received. */
  bytesIn: number;
  /** Messages handed to the transport by `send()`. */
  messagesOut: number;
  /** Their bytes (text in UTF-16 code units). */
  bytesOut: number;
  /** Sends accepted while the game saw the socket open but the connection had already ended. */
  droppedSends: number;
  /** Events waiting for `update()` now. */
  queuedEvents: number;
  /** Payload bytes waiting for `update()` now. */
  queuedBytes: number;
  /** The most events that ever waited at once. */
  peakQueuedEvents: number;
  /** The most payload bytes that ever waited at once. */
  peakQueuedBytes: number;
  /**
   * Bytes the waiting events keep alive now: their payloads and the network reads they are parts
   * of. The queue limits (`queue.highWaterBytes`, `queue.maxBytes`) count these.
   */
  retainedBytes: number;
  /** The most bytes the waiting events ever kept alive at once. */
  peakRetainedBytes: number;
  /** Messages not dispatched because a newer one with the same coalescing key replaced them. */
  coalesced: number;
  /** Smoothed round trip in ms (0 without a heartbeat or before the first pong). */
  latency: number;
}

/** Counters of a reconnecting socket: those of its current connection, plus its own. */
export interface ReconnectingStats extends SocketStats {
  /** Connections opened again after a loss. */
  reconnects: number;
  /** Sends queued while disconnected, waiting now. */
  queuedSends: number;
  /** Queued sends that expired (`maxQueuedAge`) or were pushed out (`maxQueuedSends`). */
  expiredSends: number;
}

/** @internal The counters that only grow, kept for connections that are gone so totals stay totals. */
export interface Totals {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  droppedSends: number;
  coalesced: number;
}

const TOTALS = ['messagesIn', 'bytesIn', 'messagesOut', 'bytesOut', 'droppedSends', 'coalesced'] as const;

/** @internal Zero totals. */
export function newTotals(): Totals {
  return { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0, droppedSends: 0, coalesced: 0 };
}

/** @internal Add `from`'s totals into `into`. */
export function addTotals(into: Totals, from: Readonly<Totals>): void {
  for (const key of TOTALS) into[key] += from[key];
}

/**
 * Counters of a `SocketManager`: the message and byte counters of every socket it has had
 * (those that left included), what waits now over its live sockets, and how many are live.
 */
export interface ManagerStats
  extends Pick<
    SocketStats,
    | 'messagesIn'
    | 'bytesIn'
    | 'messagesOut'
    | 'bytesOut'
    | 'droppedSends'
    | 'queuedEvents'
    | 'queuedBytes'
    | 'coalesced'
  > {
  /** Live sockets. */
  sockets: number;
}

/** @internal A socket's counters: its queue's, what it sent, and its latency. */
export function socketStats(
  queue: EventQueue,
  sent: { readonly messages: number; readonly bytes: number; readonly dropped: number },
  latency: number,
): SocketStats {
  return {
    messagesIn: queue.messagesIn,
    bytesIn: queue.bytesIn,
    messagesOut: sent.messages,
    bytesOut: sent.bytes,
    droppedSends: sent.dropped,
    queuedEvents: queue.length,
    queuedBytes: queue.bytes,
    peakQueuedEvents: queue.peakLength,
    peakQueuedBytes: queue.peakBytes,
    retainedBytes: queue.retained,
    peakRetainedBytes: queue.peakRetained,
    coalesced: queue.coalesced,
    latency,
  };
}

/** @internal What waits in `queue`, and for how long the oldest has. */
export function backlogOf(queue: EventQueue): Backlog {
  return {
    events: queue.length,
    bytes: queue.bytes,
    oldestAgeMs: queue.length > 0 ? performance.now() - queue.headTime : 0,
  };
}
