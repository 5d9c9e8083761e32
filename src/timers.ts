/**
 * Timers that hold what they are given. `setTimeout` keeps its delay in a signed 32-bit integer:
 * a longer one (e.g. `closeTimeout: 3e9`) silently becomes 1 ms. Every delay ticksocket arms goes
 * through {@link timerDelay}, so "a long time" stays a long time (24.8 days, then it fires).
 */

/** The longest delay `setTimeout` and `setInterval` hold, in ms (2^31 − 1). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** `ms` as a delay a timer holds: at least 0, at most {@link MAX_TIMER_DELAY}. */
export function timerDelay(ms: number): number {
  // NaN becomes 0, as setTimeout would take it.
  return ms > 0 ? Math.min(ms, MAX_TIMER_DELAY) : 0;
}
