/**
 * One `update()` for many sockets, as Unity's per-frame manager does. Events of all its sockets
 * are dispatched in the order they arrived, across sockets (pump rule 2). The manager keeps a
 * ring of (socket, arrival number) appended by each socket's queue, so an `update()` costs the
 * events it dispatches, never the number of idle sockets.
 */
import { InvalidStateError } from './errors.js';
import type { ArrivalListener, EventQueue } from './queue.js';
import { rethrowHandlerErrors, type UpdateBudget, type WebSocket } from './websocket.js';

const INITIAL_CAPACITY = 64;

/**
 * Pumps every socket created with `{ manager }`. Sockets join on `open()` and leave once their
 * `closed` has been dispatched.
 *
 * @example
 * ```ts
 * const manager = new SocketManager();
 * const a = new WebSocket(urlA, { manager }).open();
 * const b = new WebSocket(urlB, { manager }).open();
 * app.ticker.add(() => manager.update()); // a's and b's handlers, in arrival order
 * ```
 */
export class SocketManager implements ArrivalListener {
  private readonly live = new Set<WebSocket>();
  private head = 0;
  private length = 0;
  private mask = INITIAL_CAPACITY - 1;
  private ring: (WebSocket | undefined)[] = new Array<WebSocket | undefined>(INITIAL_CAPACITY).fill(undefined);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private updating = false;

  /** Sockets opened and not yet closed (their `closed` not yet dispatched). */
  get size(): number {
    return this.live.size;
  }

  /** Events waiting across all sockets. */
  get queuedEvents(): number {
    let total = 0;
    for (const socket of this.live) total += socket.queuedEvents;
    return total;
  }

  /** The live sockets, in the order they were opened. */
  get sockets(): readonly WebSocket[] {
    return [...this.live];
  }

  /**
   * Dispatch, in arrival order across sockets, the events queued before this call.
   * Handler exceptions are handled as in `WebSocket.update()`.
   *
   * @returns how many events were dispatched.
   */
  update(budget?: UpdateBudget): number {
    if (this.updating) throw new InvalidStateError('manager.update() was called from one of its sockets’ handlers.');
    let entries = this.length; // pump rule 3: only what was queued when update() began
    if (entries === 0) return 0;
    let maxEvents = Infinity;
    let deadline = Infinity;
    if (budget !== undefined) {
      if (budget.maxEvents !== undefined) maxEvents = Math.max(0, budget.maxEvents);
      if (budget.maxMs !== undefined) deadline = performance.now() + budget.maxMs;
    }
    let dispatched = 0;
    this.updating = true;
    try {
      while (entries > 0 && dispatched < maxEvents) {
        const head = this.head;
        const socket = this.ring[head]!;
        const seq = this.seqs[head]!;
        this.ring[head] = undefined;
        this.head = (head + 1) & this.mask;
        this.length--;
        entries--;
        // An entry whose event is gone (the game closed the socket before `open`) is skipped.
        if (socket.headSeq !== seq) continue;
        socket.dispatchHead();
        dispatched++;
        if (deadline !== Infinity && performance.now() >= deadline) break;
      }
    } finally {
      this.updating = false;
    }
    rethrowHandlerErrors();
    return dispatched;
  }

  /** Close every live socket (e.g. when the game leaves the scene). */
  closeAll(code = 1000, reason = ''): void {
    for (const socket of [...this.live]) socket.close(code, reason);
  }

  /** @internal A socket of this manager opened. */
  join(socket: WebSocket, queue: EventQueue): void {
    this.live.add(socket);
    queue.listener = this;
  }

  /** @internal A socket's `closed` was dispatched. */
  leave(socket: WebSocket): void {
    this.live.delete(socket);
  }

  /** @internal A socket's queue accepted an event. */
  arrived(owner: object, seq: number): void {
    if (this.length > this.mask) this.grow();
    const slot = (this.head + this.length) & this.mask;
    this.ring[slot] = owner as WebSocket;
    this.seqs[slot] = seq;
    this.length++;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const sockets = new Array<WebSocket | undefined>(capacity).fill(undefined);
    const seqs = new Float64Array(capacity);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & this.mask;
      sockets[i] = this.ring[from];
      seqs[i] = this.seqs[from]!;
    }
    this.ring = sockets;
    this.seqs = seqs;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
