/**
 * One `update()` for many sockets, as Unity's per-frame manager does. Events of all its sockets
 * are dispatched in the order they arrived, across sockets (pump rule 2). The manager keeps a
 * ring of (source, arrival number) appended by each source's queue, so an `update()` costs the
 * events it dispatches, never the number of idle sockets. Any {@link ManagedSource} joins: a
 * `WebSocket`, and a `ReconnectingWebSocket` (each of its connections, and its own events).
 */
import { drainInboxes } from './inbox.js';
import { type EventSource, pump, type UpdateBudget } from './pump.js';
import { addTotals, type Backlog, type ManagerStats, newTotals, type SocketStats } from './stats.js';
import type { Inbox } from './transport.js';

const INITIAL_CAPACITY = 64;

/** A socket as its manager shows it: a `WebSocket` or a `ReconnectingWebSocket`. */
export interface ManagedSocket {
  /** The URL it connects to. */
  readonly url: string;
  /** Whether the game sees it open. */
  readonly isOpen: boolean;
  /** Its counters. */
  readonly stats: SocketStats;
  /** Events waiting for `update()`. */
  readonly queuedEvents: number;
  /** Send a message (see `WebSocket.send`). */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Close it (see `WebSocket.close`). */
  close(code?: number, reason?: string): void;
  /** What waits for `update()`. */
  readonly backlog: Backlog;
  /** @internal Where its transport keeps messages for `update()` to take, if it does. */
  readonly inbox?: Inbox | undefined;
}

/** @internal What the manager dispatches from: the oldest event's arrival number, and its dispatch. */
export interface ManagedSource {
  /** Arrival number of the oldest queued event, -1 when none. */
  readonly headSeq: number;
  /** Dispatch the oldest queued event; false when no handler ran. */
  dispatchNext(): boolean;
}

/**
 * Pumps every socket created with `{ manager }`. Sockets join on `open()` and leave once their
 * last `closed` has been dispatched.
 *
 * @example
 * ```ts
 * const manager = new SocketManager();
 * const a = new WebSocket(urlA, { manager }).open();
 * const b = new ReconnectingWebSocket(urlB, { manager }).open();
 * app.ticker.add(() => manager.update()); // a's and b's handlers, in arrival order
 * ```
 */
export class SocketManager {
  /** @internal Set while `update()` runs. */
  pumping = false;
  private readonly live = new Set<ManagedSocket>();
  /** Live sockets whose transport keeps messages for `update()` to take (the worker's shared ring). */
  private readonly pollers = new Set<ManagedSocket>();
  private readonly heads: Inbox[] = [];
  private readonly headTimes: number[] = [];
  /** The counters of the sockets that left: totals stay totals (rates never go negative). */
  private readonly retired = newTotals();
  private head = 0;
  private length = 0;
  private mask = INITIAL_CAPACITY - 1;
  private ring: (ManagedSource | undefined)[] = new Array<ManagedSource | undefined>(INITIAL_CAPACITY).fill(undefined);
  private seqs = new Float64Array(INITIAL_CAPACITY);

  /** Sockets opened and not yet closed (their last `closed` not yet dispatched). */
  get size(): number {
    return this.live.size;
  }

  /** Events waiting across all sockets. */
  get queuedEvents(): number {
    this.poll(); // in arrival order across sockets, before each counts its own
    let total = 0;
    for (const socket of this.live) total += socket.queuedEvents;
    return total;
  }

  /**
   * Counters of every socket this manager has had (those that left included), what waits now,
   * and how many sockets are live (a new object each read; it visits every live socket, so read
   * it for a HUD, not per event).
   */
  get stats(): ManagerStats {
    this.poll();
    const total: ManagerStats = { ...this.retired, sockets: 0, queuedEvents: 0, queuedBytes: 0 };
    for (const socket of this.live) {
      const stats = socket.stats;
      total.sockets++;
      addTotals(total, stats);
      total.queuedEvents += stats.queuedEvents;
      total.queuedBytes += stats.queuedBytes;
    }
    return total;
  }

  /** What waits across its live sockets: events, bytes, and the oldest's age. */
  get backlog(): Backlog {
    this.poll();
    const total = { events: 0, bytes: 0, oldestAgeMs: 0 };
    for (const socket of this.live) {
      const { events, bytes, oldestAgeMs } = socket.backlog;
      total.events += events;
      total.bytes += bytes;
      total.oldestAgeMs = Math.max(total.oldestAgeMs, oldestAgeMs);
    }
    return total;
  }

  /** The live sockets, in the order they were opened. */
  get sockets(): readonly ManagedSocket[] {
    return [...this.live];
  }

  /**
   * Dispatch, in arrival order across sockets, the events queued before this call.
   * Handler exceptions are handled as in `WebSocket.update()`.
   *
   * @returns how many events were dispatched.
   */
  update(budget?: UpdateBudget): number {
    return pump(this, budget);
  }

  /** Close every live socket (e.g. when the game leaves the scene). */
  closeAll(code = 1000, reason = ''): void {
    for (const socket of [...this.live]) socket.close(code, reason);
  }

  /** @internal Take what waits in its sockets' inboxes, in arrival order across them (see {@link EventSource}). */
  poll(): void {
    if (this.pollers.size > 0) drainInboxes(this.pollers, this.heads, this.headTimes);
  }

  /** @internal A live socket's transport keeps messages for `update()` to take. */
  polls(socket: ManagedSocket): void {
    if (this.live.has(socket)) this.pollers.add(socket);
  }

  /** @internal Entries waiting (see {@link EventSource}). */
  get waiting(): number {
    return this.length;
  }

  /** @internal The oldest entry: its source's event, unless that is gone (closed before `open`). */
  dispatchNext(): boolean {
    const head = this.head;
    const source = this.ring[head]!;
    const seq = this.seqs[head]!;
    this.ring[head] = undefined;
    this.head = (head + 1) & this.mask;
    this.length--;
    return source.headSeq === seq && source.dispatchNext();
  }

  /** @internal A socket of this manager opened. */
  join(socket: ManagedSocket): void {
    this.live.add(socket);
  }

  /** @internal A socket's last `closed` was dispatched. */
  leave(socket: ManagedSocket): void {
    if (!this.live.delete(socket)) return;
    this.pollers.delete(socket);
    addTotals(this.retired, socket.stats);
  }

  /** @internal A source queued an event. */
  arrived(source: ManagedSource, seq: number): void {
    if (this.length > this.mask) this.grow();
    const slot = (this.head + this.length) & this.mask;
    this.ring[slot] = source;
    this.seqs[slot] = seq;
    this.length++;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const ring = new Array<ManagedSource | undefined>(capacity).fill(undefined);
    const seqs = new Float64Array(capacity);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & this.mask;
      ring[i] = this.ring[from];
      seqs[i] = this.seqs[from]!;
    }
    this.ring = ring;
    this.seqs = seqs;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
