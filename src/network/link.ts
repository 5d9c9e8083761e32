/**
 * One direction of a simulated network: what goes in comes out in the same order (WebSocket
 * runs over TCP: nothing is reordered or lost), each item at the time the model gives it.
 *
 * An item that arrives at `t` with `size` bytes is, in turn: serialized behind the bytes ahead
 * of it at `bandwidth`; delayed by `latency` plus a draw of jitter (and `retransmit` when the
 * draw says a packet was lost); held behind the item before it (head-of-line blocking); held
 * while a lag spike lasts.
 */
import type { Clock } from '../clock.js';
import type { LinkConditions } from './conditions.js';
import { jitterOf, type Random } from './random.js';

/** Something carried: a message or a control event, with the fields its kind needs. */
export interface Carried {
  readonly kind: number;
  readonly a: unknown;
  readonly b: unknown;
  readonly c: unknown;
  readonly d: unknown;
  readonly size: number;
  /** The bytes it keeps alive while it waits (what `buffer` and `inFlightBytes` count). */
  readonly kept: number;
  /** When it reached the link. */
  readonly arrived: number;
  /** When the model lets it out, before spikes. */
  readonly due: number;
}

/** What the lab knows that every link obeys: the lag spikes. */
export interface Timeline {
  /** The first time at or after `time` that no spike holds. */
  release(time: number): number;
  /** Whether a spike is pending or scheduled (the link cannot pass items straight through). */
  readonly holding: boolean;
}

/** Counters of one direction, over every connection of a lab. */
export interface LinkStats {
  /** Items delivered (messages, and control events such as pongs). */
  messages: number;
  /** Their bytes. */
  bytes: number;
  /** Added delay of the last item, in ms. */
  lastDelay: number;
  /** The largest added delay, in ms. */
  maxDelay: number;
  /** The sum of the added delays (mean: `totalDelay / messages`). */
  totalDelay: number;
  /** Bytes carried and not yet delivered, now. */
  inFlightBytes: number;
  /** The most that were at once (down: at most about `buffer`, as reading pauses beyond it). */
  peakInFlightBytes: number;
}

export class Link {
  private conditionsValue!: Readonly<LinkConditions>;
  /** No condition is set: items may go straight through (when nothing waits and no spike holds). */
  private off = true;
  private items: Carried[] = [];
  private head = 0;
  private lastDue = Number.NEGATIVE_INFINITY;
  private freeAt = Number.NEGATIVE_INFINITY;
  private timer: unknown = undefined;
  /** What the items carried and not yet delivered keep alive, in bytes. */
  queuedBytes = 0;
  /** Their bytes on the wire (up: what `bufferedAmount` adds). */
  waitingBytes = 0;

  constructor(
    conditions: Readonly<LinkConditions>,
    private readonly random: Random,
    private readonly timeline: Timeline,
    private readonly clock: Clock,
    readonly stats: LinkStats,
    private readonly deliver: (item: Carried, time: number) => void,
  ) {
    this.conditions = conditions;
  }

  get conditions(): Readonly<LinkConditions> {
    return this.conditionsValue;
  }

  /** New conditions apply to items that arrive from now on; those in flight keep their times. */
  set conditions(conditions: Readonly<LinkConditions>) {
    this.conditionsValue = conditions;
    const { latency, jitter, bandwidth, loss } = conditions;
    this.off = latency === 0 && jitter === 0 && bandwidth === 0 && loss === 0;
  }

  /** Whether an item arriving now goes straight through, untouched. */
  get passes(): boolean {
    return this.off && this.head === this.items.length && !this.timeline.holding;
  }

  /** Count an item that went straight through. */
  passed(size: number): void {
    this.stats.messages++;
    this.stats.bytes += size;
    this.stats.lastDelay = 0;
  }

  /** The delay a request sent now would have (the handshake's trip): no queue, no order. */
  sampleDelay(): number {
    const { latency, jitter, distribution } = this.conditionsValue;
    return Math.max(0, latency + jitterOf(this.random, distribution, jitter));
  }

  /** Carry an item of `size` bytes on the wire that keeps `kept` bytes alive while it waits. */
  carry(
    kind: number,
    a: unknown,
    b: unknown,
    c: unknown,
    d: unknown,
    size: number,
    arrived: number,
    kept: number,
  ): void {
    const { bandwidth, latency, jitter, distribution, loss, retransmit } = this.conditionsValue;
    let sent = arrived;
    if (bandwidth > 0) {
      this.freeAt = Math.max(arrived, this.freeAt) + (size * 1000) / bandwidth;
      sent = this.freeAt;
    }
    let delay = latency + jitterOf(this.random, distribution, jitter);
    if (loss > 0 && this.random() * 100 < loss) delay += retransmit;
    const due = Math.max(sent + Math.max(0, delay), this.lastDue);
    this.lastDue = due;
    this.items.push({ kind, a, b, c, d, size, kept, arrived, due });
    this.queuedBytes += kept;
    this.waitingBytes += size;
    this.stats.inFlightBytes = this.queuedBytes;
    if (this.queuedBytes > this.stats.peakInFlightBytes) this.stats.peakInFlightBytes = this.queuedBytes;
    if (this.items.length - this.head === 1) this.flush();
  }

  /** Deliver what is due, then wait for the next. */
  readonly flush = (): void => {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const stats = this.stats;
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      const at = this.timeline.release(item.due);
      if (at > now) {
        this.timer = this.clock.setTimeout(this.flush, at - now);
        return;
      }
      this.items[this.head++] = undefined as unknown as Carried;
      this.queuedBytes -= item.kept;
      this.waitingBytes -= item.size;
      stats.inFlightBytes = this.queuedBytes;
      const delay = at - item.arrived;
      stats.messages++;
      stats.bytes += item.size;
      stats.lastDelay = delay;
      stats.totalDelay += delay;
      if (delay > stats.maxDelay) stats.maxDelay = delay;
      this.deliver(item, at); // may discard the rest (the connection ended): the loop then stops
    }
    this.items = [];
    this.head = 0;
  };

  /** Drop everything in flight (the connection is gone). */
  discard(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.waitingBytes = 0;
    this.stats.inFlightBytes = 0;
  }
}
