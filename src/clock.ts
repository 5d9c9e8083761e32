/**
 * The clocks the network lab and replays run on: the real one (`performance.now()` and timers),
 * or a virtual one the game or a test steps, so that an hour of a simulated session runs in
 * seconds and gives the same times every run.
 */
import { InvalidArgumentError, quote } from './errors.js';
import { timerDelay } from './timers.js';

/** A clock with timers, on the `performance.now()` scale (ms). */
export interface Clock {
  /** The time now, in ms. */
  now(): number;
  /** Call `callback` once, `ms` from now. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancel a timer from `setTimeout` (an unknown handle is ignored). */
  clearTimeout(handle: unknown): void;
}

/** A clock that only moves when told to: timers fire, in time order, as it passes them. */
export interface VirtualClock extends Clock {
  /** Move to `time` (never backwards), firing every timer due up to it. */
  advanceTo(time: number): void;
  /** Move by `ms`. */
  advanceBy(ms: number): void;
  /** Timers waiting to fire. */
  readonly pending: number;
}

/** The real clock: `performance.now()` and the platform's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, timerDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface VirtualTimer {
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A clock that starts at `start` (ms) and moves only through `advanceTo` / `advanceBy`.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock();
 * const socket = new WebSocket(url, { network: networkLab({ preset: '3g', seed: 1, clock }) });
 * for (let frame = 0; frame < 60 * 3600; frame++) { clock.advanceBy(1000 / 60); socket.update(); }
 * ```
 */
export function createVirtualClock(start = 0): VirtualClock {
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new InvalidArgumentError(`createVirtualClock() takes a finite start time in ms, got ${quote(start)}.`);
  }
  let time = start;
  // Few timers are live at once (one per link and fault), so a sorted array is the simplest heap.
  const timers: VirtualTimer[] = [];
  const clock: VirtualClock = {
    now: () => time,
    setTimeout(callback, ms) {
      const timer: VirtualTimer = { at: time + timerDelay(ms), callback };
      let i = timers.length; // after the timers due at the same time: they fire in the order set
      while (i > 0 && timers[i - 1]!.at > timer.at) i--;
      timers.splice(i, 0, timer);
      return timer;
    },
    clearTimeout(handle) {
      const i = timers.indexOf(handle as VirtualTimer);
      if (i >= 0) timers.splice(i, 1);
    },
    advanceTo(target) {
      if (typeof target !== 'number' || Number.isNaN(target)) {
        throw new InvalidArgumentError(`advanceTo() takes a time in ms, got ${quote(target)}.`);
      }
      while (timers.length > 0 && timers[0]!.at <= target) {
        const timer = timers.shift()!;
        if (timer.at > time) time = timer.at;
        timer.callback();
      }
      if (target > time) time = target;
    },
    advanceBy(ms) {
      clock.advanceTo(time + ms);
    },
    get pending() {
      return timers.length;
    },
  };
  return clock;
}
