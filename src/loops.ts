/**
 * Game-loop integration: pump a socket or a manager from a PixiJS `Ticker`, a Babylon.js
 * `Observable`, `requestAnimationFrame` or a fixed-step Node loop. Structural types only: no
 * engine is imported, and `update()` itself never schedules anything.
 */
import { InvalidOptionError, quote } from './errors.js';
import type { UpdateBudget } from './pump.js';
import type { Backlog } from './stats.js';

/** Anything with `update()`: a {@link WebSocket}, a `ReconnectingWebSocket` or a {@link SocketManager}. */
export interface Pumpable {
  /** Dispatch queued events; returns how many. */
  update(budget?: UpdateBudget): number;
  /** What waits for `update()` (handed to `onLongGap`). */
  readonly backlog?: Backlog;
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
  /**
   * Called before the `update()` of a frame that comes more than `longGapMs` after the one
   * before (a tab back from the background, a laptop back from sleep, a long stall), with the
   * gap and what waits: the game can fast-forward or ask for a resync instead of simulating
   * everything that piled up. With `coalesce`, what piled up is already one snapshot per key.
   */
  onLongGap?: (gapMs: number, backlog: Backlog) => void;
  /** What counts as a long gap, in ms (default 1000). */
  longGapMs?: number;
}

const NOTHING_WAITING: Backlog = { events: 0, bytes: 0, oldestAgeMs: 0 };

/** The pump of one loop: `update()` with the budget, after telling the game of a long gap. */
function pumpOf(target: Pumpable, { budget, onLongGap, longGapMs = 1000 }: AttachOptions): () => void {
  if (!(longGapMs > 0)) {
    throw new InvalidOptionError(`longGapMs must be a positive number of ms, got ${quote(longGapMs)}.`);
  }
  if (onLongGap === undefined) return () => void target.update(budget);
  let last = Number.NaN;
  return () => {
    const now = performance.now();
    const gap = now - last;
    last = now;
    if (gap > longGapMs) onLongGap(gap, target.backlog ?? NOTHING_WAITING);
    target.update(budget);
  };
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
  { priority = PIXI_PRIORITY_HIGH, ...options }: AttachOptions & { priority?: number } = {},
): () => void {
  const pump = pumpOf(target, options);
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
  options: AttachOptions = {},
): () => void {
  const pump = pumpOf(target, options);
  const observer = observable.add(() => pump());
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
  { onFrame, ...options }: AttachOptions & { onFrame?: (now: number) => void } = {},
): () => void {
  const pump = pumpOf(target, options);
  let handle = 0;
  let stopped = false;
  const frame = (now: number): void => {
    if (stopped) return;
    handle = requestAnimationFrame(frame);
    pump();
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
  { hz, onTick, maxCatchUpSteps = 5, ...options }: FixedStepOptions,
): () => void {
  if (!(hz > 0) || !Number.isFinite(hz)) {
    throw new InvalidOptionError(`hz must be a positive number of steps per second, got ${quote(hz)}.`);
  }
  const pump = pumpOf(target, options);
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
      pump();
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
