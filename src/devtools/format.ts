/**
 * `formatStats`: the overlay's figures as one line, for terminal tools (bots, headless servers,
 * a Node game's debug log). Given the reading of the last call, it gives rates per second.
 */
import { type Reading, read, type Watched } from './samples.js';

/** What `formatStats` returns: the line, and the reading to pass next time for rates. */
export interface FormattedStats {
  /** The line. */
  readonly line: string;
  /** What was read. */
  readonly reading: Reading;
  /** When (`performance.now()`). */
  readonly at: number;
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const size = (bytes: number): string =>
  bytes < 1024
    ? `${Math.round(bytes)} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/**
 * One line about a socket, a reconnecting socket or a manager: messages and bytes in and out
 * (per second since `previous`, else in all), round trip and jitter, queue depth and backlog age,
 * coalesced, dropped, reconnects.
 *
 * @example
 * ```ts
 * let last = formatStats(manager);
 * setInterval(() => console.log((last = formatStats(manager, last)).line), 1000);
 * // in 1,980/s 31.0 KiB/s · out 2,000/s 31.3 KiB/s · rtt 12.4 ms ± 0.9 · queue 0 (0 ms) · coalesced 0 · dropped 0 · reconnects 0
 * ```
 */
export function formatStats(
  target: Watched,
  previous?: FormattedStats,
  now: number = performance.now(),
): FormattedStats {
  const reading = read(target);
  const seconds = previous === undefined ? 0 : (now - previous.at) / 1000;
  const rate = (key: 'messagesIn' | 'messagesOut' | 'bytesIn' | 'bytesOut', bytes: boolean): string => {
    const value = seconds > 0 ? (reading[key] - previous!.reading[key]) / seconds : reading[key];
    const shown = bytes ? size(value) : count(value);
    return seconds > 0 ? `${shown}/s` : shown;
  };
  const line = [
    `in ${rate('messagesIn', false)} ${rate('bytesIn', true)}`,
    `out ${rate('messagesOut', false)} ${rate('bytesOut', true)}`,
    `rtt ${reading.rtt.toFixed(1)} ms ± ${reading.jitter.toFixed(1)}`,
    `queue ${count(reading.queued)} (${reading.backlogAgeMs.toFixed(0)} ms)`,
    `coalesced ${count(reading.coalesced)}`,
    `dropped ${count(reading.dropped)}`,
    `reconnects ${count(reading.reconnects)}`,
  ].join(' · ');
  return { line, reading, at: now };
}
