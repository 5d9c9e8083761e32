/**
 * One `update()` for many sockets, as Unity's per-frame manager does. Events of all its sockets
 * are dispatched in the order they arrived, across sockets (pump rule 2). The manager keeps a
 * ring of (socket, arrival number) appended by each socket's queue, so an `update()` costs the
 * events it dispatches, never the number of idle sockets.
 */
import { InvalidOptionError, InvalidStateError, quote } from './errors.js';
import { rethrowHandlerErrors } from './handlers.js';
import type { ArrivalListener, EventQueue } from './queue.js';
import { checkBudget } from './validate.js';
import type { SocketStats, UpdateBudget, WebSocket } from './websocket.js';

const INITIAL_CAPACITY = 64;

/** Counters of a {@link SocketManager}: its live sockets' counters, summed. */
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
export class SocketManager {
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

  /**
   * Counters summed over the live sockets, and how many there are (a new object each read; it
   * visits every live socket, so read it for a HUD, not per event).
   */
  get stats(): ManagerStats {
    const total: ManagerStats = {
      sockets: 0,
      messagesIn: 0,
      bytesIn: 0,
      messagesOut: 0,
      bytesOut: 0,
      droppedSends: 0,
      queuedEvents: 0,
      queuedBytes: 0,
      coalesced: 0,
    };
    for (const socket of this.live) {
      const stats = socket.stats;
      total.sockets++;
      total.messagesIn += stats.messagesIn;
      total.bytesIn += stats.bytesIn;
      total.messagesOut += stats.messagesOut;
      total.bytesOut += stats.bytesOut;
      total.droppedSends += stats.droppedSends;
      total.queuedEvents += stats.queuedEvents;
      total.queuedBytes += stats.queuedBytes;
      total.coalesced += stats.coalesced;
    }
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
    if (budget !== undefined) checkBudget(budget);
    let entries = this.length; // pump rule 3: only what was queued when update() began
    if (entries === 0) return 0;
    let maxEvents = Infinity;
    let deadline = Infinity;
    if (budget !== undefined) {
      if (budget.maxEvents !== undefined) maxEvents = budget.maxEvents;
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
        if (!socket.dispatchHead()) continue; // coalesced away
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

  /** @internal A socket's queue accepted an event (the manager is its {@link ArrivalListener}). */
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

// ---- Integration with game loops. Structural types only: no engine is imported. ----

/** Anything with `update()`: a {@link WebSocket} or a {@link SocketManager}. */
export interface Pumpable {
  /** Dispatch queued events; returns how many. */
  update(budget?: UpdateBudget): number;
}

/** A callback an engine calls with its own arguments (a Ticker, a Scene...), which we ignore. */
// biome-ignore lint/suspicious/noExplicitAny: any engine's argument types must fit
export type EngineCallback = (...args: any[]) => void;

/** The shape of a PixiJS `Ticker` (`app.ticker`). */
export interface TickerLike {
  /** Call `fn` every tick, in `priority` order (higher first). */
  add(fn: EngineCallback, context?: unknown, priority?: number): unknown;
  /** Stop calling `fn`. */
  remove(fn: EngineCallback, context?: unknown): unknown;
}

/** The shape of a Babylon.js `Observable` (`scene.onBeforeRenderObservable`). */
export interface ObservableLike<Observer = unknown> {
  /** Call `callback` on every notification; returns a handle for `remove`. */
  add(callback: EngineCallback): Observer;
  /** Stop the callback `add` returned `observer` for. */
  remove(observer: Observer): boolean;
}

/** How an attached loop pumps. */
export interface AttachOptions {
  /** Budget for each `update()` (see {@link UpdateBudget}). */
  budget?: UpdateBudget;
}

/** PixiJS `UPDATE_PRIORITY.HIGH`: network events land before the game's own NORMAL listeners. */
const PIXI_PRIORITY_HIGH = 25;

/**
 * Pump `target` from a PixiJS ticker, before the game's own listeners. Returns the detach function.
 *
 * @example
 * ```ts
 * const detach = attachToTicker(manager, app.ticker);
 * // ...when leaving the scene:
 * detach();
 * ```
 */
export function attachToTicker(
  target: Pumpable,
  ticker: TickerLike,
  { budget, priority = PIXI_PRIORITY_HIGH }: AttachOptions & { priority?: number } = {},
): () => void {
  const pump = (): void => {
    target.update(budget);
  };
  ticker.add(pump, undefined, priority);
  return () => {
    ticker.remove(pump, undefined);
  };
}

/**
 * Pump `target` from a Babylon.js observable, usually `scene.onBeforeRenderObservable`.
 * Returns the detach function.
 *
 * @example
 * ```ts
 * const detach = attachToObservable(manager, scene.onBeforeRenderObservable);
 * ```
 */
export function attachToObservable<Observer>(
  target: Pumpable,
  observable: ObservableLike<Observer>,
  { budget }: AttachOptions = {},
): () => void {
  const observer = observable.add(() => {
    target.update(budget);
  });
  return () => {
    observable.remove(observer);
  };
}

/**
 * Pump `target` once per animation frame, before `onFrame` (your render). `update()` itself never
 * calls `requestAnimationFrame`: this helper is the loop. Returns the stop function.
 *
 * @example
 * ```ts
 * const stop = attachToAnimationFrame(manager, { onFrame: (now) => render(now) });
 * ```
 */
export function attachToAnimationFrame(
  target: Pumpable,
  { budget, onFrame }: AttachOptions & { onFrame?: (now: number) => void } = {},
): () => void {
  let handle = 0;
  let stopped = false;
  const frame = (now: number): void => {
    if (stopped) return;
    handle = requestAnimationFrame(frame);
    target.update(budget);
    onFrame?.(now);
  };
  handle = requestAnimationFrame(frame);
  return () => {
    stopped = true;
    cancelAnimationFrame(handle);
  };
}

/** Options of {@link startFixedStep}. */
export interface FixedStepOptions extends AttachOptions {
  /** Steps per second. */
  hz: number;
  /** The game's step, run right after the network events of that step. `dt` is 1 / hz seconds. */
  onTick?: (dt: number, tick: number) => void;
  /** After a stall, run at most this many steps at once, then drop the backlog. Default 5. */
  maxCatchUpSteps?: number;
}

/**
 * A fixed-step loop for Node (bots, headless servers): each step pumps `target`, then runs
 * `onTick`. It keeps time with `performance.now()` so steps do not drift. An exception thrown by
 * a step ends the loop and reaches the process (never swallowed). Returns the stop function.
 *
 * @example
 * ```ts
 * const stop = startFixedStep(manager, { hz: 30, onTick: (dt) => world.step(dt) });
 * ```
 */
export function startFixedStep(
  target: Pumpable,
  { hz, budget, onTick, maxCatchUpSteps = 5 }: FixedStepOptions,
): () => void {
  if (!(hz > 0) || !Number.isFinite(hz)) {
    throw new InvalidOptionError(`hz must be a positive number of steps per second, got ${quote(hz)}.`);
  }
  const stepMs = 1000 / hz;
  const dt = 1 / hz;
  let next = performance.now();
  let tick = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    const now = performance.now();
    for (let steps = 0; next <= now && steps < maxCatchUpSteps && !stopped; steps++) {
      target.update(budget);
      onTick?.(dt, tick++);
      next += stepMs;
    }
    if (next <= now) next = now + stepMs; // a long stall: skip ahead rather than fast-forward
    if (!stopped) timer = setTimeout(loop, Math.max(0, next - performance.now()));
  };
  timer = setTimeout(loop, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
