/**
 * What a reconnecting socket reads out: where it is, the current connection's timing and clock,
 * counters over all its connections, and what waits. `ReconnectingWebSocket` extends it; the
 * parts it reads are set up by that class.
 */
import type { Outbox } from './outbox.js';
import { addTotals, type Backlog, newTotals, type ReconnectingStats } from './stats.js';
import type { Inbox } from './transport.js';
import type { WebSocket } from './websocket.js';

/** Where a reconnecting socket is. `'reconnecting'`: waiting for the next attempt, or making it. */
export type ReconnectingState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** What every reconnecting socket reads out (see `ReconnectingWebSocket`). */
export abstract class ReconnectingReadings {
  /** @internal The current connection. */
  protected socket!: WebSocket;
  /** @internal */
  protected stateValue: ReconnectingState = 'idle';
  /** @internal Sends made while disconnected. */
  protected outbox!: Outbox;
  /** @internal Connections opened again after a loss. */
  protected reconnects = 0;
  /** @internal The counters of the connections before the current one. */
  protected readonly earlier = newTotals();
  /** @internal A `closed` with no socket to carry it (closed while waiting to reconnect), and its arrival number. */
  protected pendingClosed: [number, string] | null = null;
  /** @internal */
  protected pendingSeq = -1;

  /** Where it is now. `isOpen` is true only while `'open'`. */
  get state(): ReconnectingState {
    return this.stateValue;
  }

  /** True while connected, as the game sees it (set by `open`, cleared by `reconnecting`/`closed`). */
  get isOpen(): boolean {
    return this.stateValue === 'open';
  }

  /** Arrival time of the event being dispatched (see `WebSocket.eventTime`). */
  get eventTime(): number {
    return this.socket.eventTime;
  }

  /** Events waiting for `update()`. */
  get queuedEvents(): number {
    this.poll();
    return this.waiting;
  }

  /** What waits for `update()` (the current connection's queue). */
  get backlog(): Backlog {
    this.poll();
    return this.socket.backlog;
  }

  /** Smoothed round trip of the current connection, ms. */
  get latency(): number {
    return this.socket.latency;
  }

  /** How much the current connection's round trip varies, ms (see `WebSocket.jitter`). */
  get jitter(): number {
    return this.socket.jitter;
  }

  /**
   * The server's clock at local time `localTime`, as the current connection estimates it (see
   * `WebSocket.serverNow`); a new connection starts a new estimate, as a restarted server
   * starts a new clock.
   */
  serverNow(localTime: number = performance.now()): number | undefined {
    return this.socket.serverNow(localTime);
  }

  /**
   * Counters of all its connections (messages, bytes, drops, coalesced: totals that never go
   * back), the current connection's queue and latency, plus reconnects and the send queue.
   */
  get stats(): ReconnectingStats {
    const stats: ReconnectingStats = {
      ...this.socket.stats,
      reconnects: this.reconnects,
      queuedSends: this.outbox.length,
      expiredSends: this.outbox.expired,
    };
    addTotals(stats, this.earlier);
    stats.droppedSends += this.outbox.dropped;
    return stats;
  }

  /** @internal The current connection's inbox (see `WebSocket.inbox`). */
  get inbox(): Inbox | undefined {
    return this.socket.inbox;
  }

  /** @internal Take what waits in the current connection's inbox (see {@link EventSource}). */
  poll(): void {
    this.socket.poll();
  }

  /** @internal Events waiting: the current connection's, and a `closed` of its own. */
  get waiting(): number {
    return this.socket.waiting + (this.pendingClosed === null ? 0 : 1);
  }

  /** @internal Arrival number of its own oldest event (for the manager), -1 when none. */
  get headSeq(): number {
    return this.pendingClosed === null ? -1 : this.pendingSeq;
  }
}
