/**
 * What the overlay and `formatStats` read of a socket, a reconnecting socket or a manager, one
 * frame at a time: the counters (deltas per frame), the round trip and the backlog. The history
 * is a ring of typed arrays, so sampling allocates only the `stats` object the target makes.
 */
import type { Backlog, ManagerStats, SocketStats } from '../stats.js';

/** What can be watched: a `WebSocket`, a `ReconnectingWebSocket` or a `SocketManager`. */
export interface Watched {
  /** Its counters. */
  readonly stats: SocketStats | ManagerStats;
  /** Smoothed round trip, ms. */
  readonly latency?: number;
  /** Round-trip variation, ms. */
  readonly jitter?: number;
  /** What waits for `update()`. */
  readonly backlog?: Backlog;
  /** A manager's sockets (their round trips are averaged, their backlogs' oldest taken). */
  readonly sockets?: readonly Watched[];
}

/** The series of the history, in drawing order. */
export const SERIES = [
  'rtt',
  'jitter',
  'messagesIn',
  'messagesOut',
  'bytesIn',
  'bytesOut',
  'queued',
  'backlogAgeMs',
] as const;
export type Series = (typeof SERIES)[number];

/** The counters of one read, and the figures that are not counters. */
export interface Reading {
  /** Messages received, in all. */
  messagesIn: number;
  /** Messages sent, in all. */
  messagesOut: number;
  /** Payload bytes received, in all. */
  bytesIn: number;
  /** Payload bytes sent, in all. */
  bytesOut: number;
  /** Events waiting for `update()` now. */
  queued: number;
  /** Messages coalesced away, in all. */
  coalesced: number;
  /** Sends dropped under a dead connection (or by the `'drop'` policy), in all. */
  dropped: number;
  /** Connections opened again after a loss. */
  reconnects: number;
  /** Smoothed round trip, ms (a manager: the mean of its sockets that have one). */
  rtt: number;
  /** Round-trip variation, ms. */
  jitter: number;
  /** How long the oldest waiting event has waited, ms. */
  backlogAgeMs: number;
}

/** Read `target` now. */
export function read(target: Watched): Reading {
  const stats = target.stats as Partial<ManagerStats & SocketStats & { reconnects: number }>;
  let rtt = target.latency ?? 0;
  let jitter = target.jitter ?? 0;
  let backlogAgeMs = target.backlog?.oldestAgeMs ?? 0;
  if (target.sockets !== undefined) {
    let timed = 0;
    for (const socket of target.sockets) {
      const latency = socket.latency ?? 0;
      if (latency > 0) {
        rtt += latency;
        jitter += socket.jitter ?? 0;
        timed++;
      }
      backlogAgeMs = Math.max(backlogAgeMs, socket.backlog?.oldestAgeMs ?? 0);
    }
    if (timed > 0) {
      rtt /= timed;
      jitter /= timed;
    }
  }
  return {
    messagesIn: stats.messagesIn ?? 0,
    messagesOut: stats.messagesOut ?? 0,
    bytesIn: stats.bytesIn ?? 0,
    bytesOut: stats.bytesOut ?? 0,
    queued: stats.queuedEvents ?? 0,
    coalesced: stats.coalesced ?? 0,
    dropped: stats.droppedSends ?? 0,
    reconnects: stats.reconnects ?? 0,
    rtt,
    jitter,
    backlogAgeMs,
  };
}

/** The last `length` frames of every series: per-frame deltas of the counters, values of the rest. */
export class History {
  /** Frames recorded so far (the ring holds the last `length`). */
  frames = 0;
  latest: Reading | null = null;
  private readonly series: Record<Series, Float32Array>;

  constructor(readonly length: number) {
    this.series = Object.fromEntries(SERIES.map((name) => [name, new Float32Array(length)])) as Record<
      Series,
      Float32Array
    >;
  }

  record(now: Reading): void {
    const before = this.latest ?? now;
    const at = this.frames % this.length;
    const series = this.series;
    series.rtt[at] = now.rtt;
    series.jitter[at] = now.jitter;
    series.messagesIn[at] = now.messagesIn - before.messagesIn;
    series.messagesOut[at] = now.messagesOut - before.messagesOut;
    series.bytesIn[at] = now.bytesIn - before.bytesIn;
    series.bytesOut[at] = now.bytesOut - before.bytesOut;
    series.queued[at] = now.queued;
    series.backlogAgeMs[at] = now.backlogAgeMs;
    this.latest = now;
    this.frames++;
  }

  /** Value `age` frames ago (0: the latest) of `name`. */
  at(name: Series, age: number): number {
    return this.series[name][(this.frames - 1 - age + this.length * 2) % this.length]!;
  }

  /** The largest value of `name` in the window (at least `floor`). */
  max(name: Series, floor: number): number {
    let max = floor;
    const values = this.series[name];
    const count = Math.min(this.frames, this.length);
    for (let i = 0; i < count; i++) if (values[i]! > max) max = values[i]!;
    return max;
  }
}
