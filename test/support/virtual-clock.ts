import type { HeartbeatClock } from '../../src/heartbeat.js';

/**
 * A virtual clock for the heartbeat: time moves only by `advanceTo`, which fires the interval
 * timers due on the way, in order, or by `sleep`. `early`: timers fire that many ms before their due time, as
 * real ones may.
 */
export function virtualClock(early = 0): {
  clock: HeartbeatClock;
  advanceTo(time: number): void;
  /** Nothing runs for `ms` (a sleeping machine, a held thread): then each timer due meanwhile fires once, late. */
  sleep(ms: number): void;
} {
  let now = 0;
  const timers: { at: number; every: number; callback: () => void }[] = [];
  const clock: HeartbeatClock = {
    now: () => now,
    setInterval(callback, ms) {
      const timer = { at: now + ms - early, every: ms, callback };
      timers.push(timer);
      return timer;
    },
    clearInterval(handle) {
      const index = timers.indexOf(handle as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  const advanceTo = (time: number): void => {
    for (let fired = 0; fired < 100_000; fired++) {
      const due = timers.filter((timer) => timer.at <= time).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      now = due.at;
      due.at += due.every;
      due.callback();
    }
    now = time;
  };
  const sleep = (ms: number): void => {
    now += ms;
    for (const timer of timers) if (timer.at < now) timer.at = now;
    advanceTo(now);
  };
  return { clock, advanceTo, sleep };
}
