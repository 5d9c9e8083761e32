/**
 * What a socket reads out, whatever its state: its state, the server's choices, what waits and
 * what was sent, and what the heartbeat measured. `WebSocket` extends it; the parts it reads are
 * the socket's own, set up by its constructor.
 */
import type { Dispatcher } from './dispatch.js';
import type { Heartbeat } from './heartbeat.js';
import { drainInbox } from './inbox.js';
import type { WebSocketState } from './options.js';
import type { EventQueue } from './queue.js';
import type { Outgoing } from './sender.js';
import { type Backlog, backlogOf, type SocketStats, socketStats } from './stats.js';
import type { Inbox, Transport } from './transport.js';

/** @internal A socket's states, in the order it goes through them. */
export const STATE_IDLE = 0;
/** @internal */
export const STATE_CONNECTING = 1;
/** @internal */
export const STATE_OPEN = 2;
/** @internal */
export const STATE_CLOSING = 3;
/** @internal */
export const STATE_CLOSED = 4;
const STATE_NAMES: readonly WebSocketState[] = ['idle', 'connecting', 'open', 'closing', 'closed'];

/** What every socket reads out (see `WebSocket`). */
export abstract class SocketReadings {
  /** @internal */
  protected stateValue = STATE_IDLE;
  /** @internal */
  protected protocolValue = '';
  /** @internal */
  protected extensionsValue = '';
  /** @internal */
  protected transport!: Transport;
  /** @internal */
  protected queue!: EventQueue;
  /** @internal */
  protected outgoing!: Outgoing;
  /** @internal */
  protected heartbeat: Heartbeat | undefined;
  /** @internal */
  // biome-ignore lint/suspicious/noExplicitAny: the socket type its handlers get is the subclass's
  protected dispatcher!: Dispatcher<any>;

  /** `'idle'` until `open()`, then `'connecting'`, `'open'`, `'closing'`, `'closed'`. */
  get state(): WebSocketState {
    return STATE_NAMES[this.stateValue]!;
  }

  /** True from the `open` event until the game's `close()` or the `closed` event. */
  get isOpen(): boolean {
    return this.stateValue === STATE_OPEN;
  }

  /** The subprotocol the server chose (set when `open` is dispatched), or `''`. */
  get protocol(): string {
    return this.protocolValue;
  }

  /** The extensions the server accepted (set when `open` is dispatched), or `''`. */
  get extensions(): string {
    return this.extensionsValue;
  }

  /** Bytes passed to `send()` that the transport has not written to the network yet. */
  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /**
   * `performance.now()` at which the event being dispatched reached the transport (after the
   * dispatch: of the last one dispatched). Interpolate snapshots by this, not by frame time.
   */
  get eventTime(): number {
    return this.dispatcher.eventTime;
  }

  /** @internal Where the transport keeps messages for `update()` to take, if it does. */
  get inbox(): Inbox | undefined {
    return this.transport.inbox;
  }

  /**
   * @internal Take what waits in the transport's inbox into the queue (see `EventSource.poll`):
   * before each `update()`, and before the readings of what waits, so they count it.
   */
  poll(): void {
    drainInbox(this.transport.inbox);
  }

  /** Events waiting for `update()`. */
  get queuedEvents(): number {
    this.poll();
    return this.queue.length;
  }

  /** Counters since the socket opened (a new object each read). */
  get stats(): SocketStats {
    this.poll();
    return socketStats(this.queue, this.outgoing.counts, this.latency);
  }

  /** Smoothed round-trip time to the server in ms, from pings (0 before the first pong). */
  get latency(): number {
    return this.heartbeat?.latency ?? 0;
  }

  /** How much the round trip varies, in ms (RFC 6298 RTTVAR). */
  get jitter(): number {
    return this.heartbeat?.jitter ?? 0;
  }

  /**
   * Local clock (`performance.now()`) minus the server's clock, in ms, estimated from the
   * `serverTime` of messages (or of application ping replies); undefined before any.
   */
  get clockOffset(): number | undefined {
    return this.heartbeat?.clockOffset;
  }

  /**
   * The server's clock at local time `localTime` (default: now), to place snapshots on the
   * server's timeline; undefined before any server timestamp.
   *
   * @example
   * ```ts
   * const renderAt = socket.serverNow()! - 100; // interpolate 100 ms in the server's past
   * ```
   */
  serverNow(localTime: number = performance.now()): number | undefined {
    const offset = this.clockOffset;
    return offset === undefined ? undefined : localTime - offset;
  }

  /** What waits for `update()`: a game back from a background tab can decide how to catch up. */
  get backlog(): Backlog {
    this.poll();
    return backlogOf(this.queue);
  }
}
