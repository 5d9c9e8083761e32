/**
 * The network lab: seeded, deterministic bad networks between a socket's transport and its
 * queue. One lab serves one socket (a reconnecting socket's connections share it, so the
 * conditions, the random streams and the fault script carry across reconnects).
 */
import { type Clock, realClock } from '../clock.js';
import { InvalidArgumentError, InvalidOptionError, quote } from '../errors.js';
import type { TransportFactory } from '../transport.js';
import { ConditionedTransport } from './conditioned.js';
import {
  applyConditions,
  type NetworkConditions,
  type NetworkFault,
  type NetworkPresetName,
  NO_CONDITIONS,
  type ResolvedConditions,
} from './conditions.js';
import type { LinkStats } from './link.js';
import { type Random, seededRandom } from './random.js';

/** What {@link networkLab} takes: conditions, and how to make them repeatable. */
export interface NetworkLabOptions extends NetworkConditions {
  /** Seed of the delays: the same seed and the same arrivals give the same delays (default: a random one, see `lab.seed`). */
  seed?: number;
  /** The clock delays are timed on (default: the real one); a virtual clock makes a session repeatable and fast. */
  clock?: Clock;
}

/** Counters of both directions. */
export interface NetworkStats {
  /** Server → game. */
  readonly down: Readonly<LinkStats>;
  /** Game → server. */
  readonly up: Readonly<LinkStats>;
}

const newStats = (): LinkStats => ({
  messages: 0,
  bytes: 0,
  lastDelay: 0,
  maxDelay: 0,
  totalDelay: 0,
  inFlightBytes: 0,
  peakInFlightBytes: 0,
});

/**
 * A simulated network, and its run-time controls (`socket.network`).
 *
 * @example
 * ```ts
 * const socket = new WebSocket(url, { network: '3g' });           // Node: a preset, or conditions
 * const lab = networkLab({ preset: '3g', latency: 300, seed: 7 }); // anywhere
 * new WebSocket(url, { network: lab });
 * lab.spike(800);                                                   // a lag spike in a fight
 * ```
 */
export class NetworkLab {
  /** The seed the delays come from: give it again to get the same delays. */
  readonly seed: number;
  /** The clock delays are timed on. */
  readonly clock: Clock;
  /** @internal Delays of each direction, each its own stream (sends never shift the delays of what comes down). */
  readonly randomDown: Random;
  /** @internal */
  readonly randomUp: Random;
  /** Counters since the lab was made, over every connection. */
  readonly stats: NetworkStats = { down: newStats(), up: newStats() };
  private resolved: ResolvedConditions;
  private connection: ConditionedTransport | undefined;
  private refusals = 0;
  private startedAt = Number.NaN;
  private spikeFrom = 0;
  private spikeUntil = Number.NEGATIVE_INFINITY;
  /** The fault script's timers still to fire. */
  private script: unknown[] = [];

  constructor(conditions: NetworkLabOptions | NetworkPresetName = {}) {
    const {
      seed = (Math.random() * 2 ** 32) >>> 0,
      clock = realClock,
      ...rest
    } = typeof conditions === 'string' ? { preset: conditions } : (conditions ?? {});
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new InvalidOptionError(`network.seed must be an integer from 0 to 2^32 − 1, got ${quote(seed)}.`);
    }
    if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function') {
      throw new InvalidOptionError(
        'network.clock must have now(), setTimeout() and clearTimeout(), as createVirtualClock() gives.',
      );
    }
    this.seed = seed;
    this.clock = clock;
    this.randomDown = seededRandom(seed);
    this.randomUp = seededRandom(seed ^ 0x9e3779b9);
    this.resolved = applyConditions(NO_CONDITIONS, rest);
  }

  /** The conditions now (what a HUD shows). */
  get conditions(): ResolvedConditions {
    return this.resolved;
  }

  /** Change conditions from now on (e.g. `set({ latency: 300 })`; a preset starts again from it). */
  set(changes: NetworkConditions | NetworkPresetName): this {
    if (typeof changes === 'object' && changes !== null && ('seed' in changes || 'clock' in changes)) {
      throw new InvalidOptionError('A lab keeps its seed and clock: make a new networkLab() for others.');
    }
    this.resolved = applyConditions(this.resolved, changes);
    this.connection?.conditionsChanged();
    return this;
  }

  /** Back to a perfect network: no conditions, no spike, no refusals, no faults to come (a half-open connection stays dead). */
  clear(): this {
    for (const timer of this.script) this.clock.clearTimeout(timer);
    this.script = [];
    this.resolved = NO_CONDITIONS;
    this.spikeUntil = Number.NEGATIVE_INFINITY;
    this.refusals = 0;
    this.connection?.conditionsChanged();
    return this;
  }

  /** A lag spike: nothing arrives or leaves for `ms`, then everything held comes at once, in order. */
  spike(ms: number): this {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`spike() takes a duration in ms, got ${quote(ms)}.`);
    }
    const now = this.clock.now();
    if (now >= this.spikeUntil) this.spikeFrom = now;
    this.spikeUntil = Math.max(this.spikeUntil, now + ms);
    return this;
  }

  /** Drop the connection now: `error` (`connection_lost`) and `closed` 1006 follow. */
  disconnect(): this {
    this.connection?.drop();
    return this;
  }

  /** Go half-open: nothing more arrives and sends vanish; only the heartbeat (`closeAfterNoMessage`) can tell. */
  halfOpen(): this {
    this.connection?.goHalfOpen();
    return this;
  }

  /** Refuse the next `count` connects (`connection_refused`). */
  refuse(count = 1): this {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`refuse() takes a count of connects, got ${quote(count)}.`);
    }
    this.refusals += count;
    return this;
  }

  /** Make the transports of `factory` go through this lab. */
  wrap<Own>(factory: TransportFactory<Own>): TransportFactory<Own> {
    return (url, options) => new ConditionedTransport(factory(url, options), this);
  }

  /** @internal The first time at or after `time` that no lag spike holds (what every link obeys). */
  release(time: number): number {
    let at = time;
    const spikes = this.resolved.spikes;
    // Twice: the end of a scheduled spike may fall inside the game's own, or the other way round.
    for (let pass = 0; pass < 2; pass++) {
      if (at >= this.spikeFrom && at < this.spikeUntil) at = this.spikeUntil;
      if (spikes !== null && !Number.isNaN(this.startedAt)) {
        const phase = (at - this.startedAt) % spikes.every;
        if (phase >= 0 && phase < spikes.duration) at += spikes.duration - phase;
      }
    }
    return at;
  }

  /** @internal Whether a spike is pending or scheduled. */
  get holding(): boolean {
    if (this.resolved.spikes !== null) return true;
    if (this.spikeUntil === Number.NEGATIVE_INFINITY) return false;
    if (this.clock.now() < this.spikeUntil) return true;
    this.spikeUntil = Number.NEGATIVE_INFINITY;
    return false;
  }

  /** @internal Where an arrival is on the lab's clock: a virtual clock times every arrival itself. */
  arrival(time: number | undefined): number {
    return time === undefined || this.clock !== realClock ? this.clock.now() : time;
  }

  /** @internal A connection starts: false if it is refused. */
  connecting(connection: ConditionedTransport): boolean {
    this.connection = connection;
    if (Number.isNaN(this.startedAt)) this.startScript();
    if (this.refusals === 0) return true;
    this.refusals--;
    return false;
  }

  /** @internal A connection ended. */
  ended(connection: ConditionedTransport): void {
    if (this.connection === connection) this.connection = undefined;
  }

  private startScript(): void {
    this.startedAt = this.clock.now();
    for (const fault of this.resolved.faults) {
      const timer = this.clock.setTimeout(() => this.run(fault), fault.at);
      // A script never keeps a Node process alive by itself.
      (timer as { unref?: () => void }).unref?.();
      this.script.push(timer);
    }
  }

  private run(fault: NetworkFault): void {
    switch (fault.fault) {
      case 'disconnect':
        this.disconnect();
        break;
      case 'halfOpen':
        this.halfOpen();
        break;
      case 'refuse':
        this.refuse(fault.count);
        break;
      case 'spike':
        this.spike(fault.duration ?? 0);
        break;
    }
  }
}

/**
 * A network lab for a socket's `network` option: a preset name, or conditions (a preset plus
 * overrides), with a `seed` and a `clock`.
 *
 * @throws {@link InvalidOptionError} naming a bad condition.
 */
export function networkLab(conditions?: NetworkLabOptions | NetworkPresetName): NetworkLab {
  return new NetworkLab(conditions);
}
