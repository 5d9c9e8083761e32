/**
 * What a network lab simulates: per-direction latency, jitter, bandwidth and loss, lag spikes
 * and scripted faults, as presets or objects, checked and resolved.
 */
import { InvalidOptionError, quote } from '../errors.js';
import type { JitterDistribution } from './random.js';

/** The conditions of one direction (down: server → game, up: game → server). */
export interface LinkConditions {
  /** Added one-way delay in ms: a round trip gains the two directions' latencies. */
  latency: number;
  /** How much the delay varies, in ms (its meaning depends on `distribution`). */
  jitter: number;
  /** `'uniform'`: latency ± jitter; `'normal'`: jitter is the standard deviation; `'pareto'`: a tail of mean jitter above latency. */
  distribution: JitterDistribution;
  /** Bytes per second the link carries (0: unlimited); messages queue behind each other. */
  bandwidth: number;
  /** Percent of messages (0–100) that lose a packet and wait for TCP to send it again. */
  loss: number;
  /** What a lost packet costs, in ms (default 200, Linux's minimum retransmission timeout). */
  retransmit: number;
}

/** Lag spikes that come by themselves: `duration` ms of nothing, every `every` ms. */
export interface SpikeSchedule {
  /** A spike starts every this many ms (from the lab's first connect). */
  every: number;
  /** Each lasts this many ms (shorter than `every`). */
  duration: number;
}

/** A fault at a time, in ms from the lab's first connect (reconnects do not restart the script). */
export interface NetworkFault {
  /** When, in ms from the lab's first connect. */
  at: number;
  /** `disconnect`: the connection drops (`connection_lost`); `halfOpen`: nothing more arrives and sends vanish; `refuse`: the next `count` connects are refused; `spike`: `duration` ms of nothing. */
  fault: 'disconnect' | 'halfOpen' | 'refuse' | 'spike';
  /** For `spike`: how long, in ms. */
  duration?: number;
  /** For `refuse`: how many connects (default 1). */
  count?: number;
}

/** The presets' names (see {@link NETWORK_PRESETS}). */
export type NetworkPresetName = 'lan' | 'broadband' | 'dsl' | '4g' | '3g' | 'edge' | 'satellite' | 'congested-wifi';

/**
 * Conditions as a game writes them: the link fields here apply to both directions, `down` and
 * `up` override them for one; a `preset` is the starting point the rest overrides.
 */
export interface NetworkConditions extends Partial<LinkConditions> {
  /** Start from this preset. */
  preset?: NetworkPresetName;
  /** Server → game only. */
  down?: Partial<LinkConditions>;
  /** Game → server only. */
  up?: Partial<LinkConditions>;
  /** Bytes the down link holds before reading from the server pauses, as TCP's window would (default 1 MiB). */
  buffer?: number;
  /** Lag spikes that come by themselves. */
  spikes?: SpikeSchedule | null;
  /** Faults at fixed times. */
  faults?: readonly NetworkFault[];
}

/** Conditions resolved: every field set. */
export interface ResolvedConditions {
  /** The preset they started from, if any. */
  readonly preset: NetworkPresetName | undefined;
  /** Server → game. */
  readonly down: Readonly<LinkConditions>;
  /** Game → server. */
  readonly up: Readonly<LinkConditions>;
  /** Bytes the down link holds before reading pauses. */
  readonly buffer: number;
  /** Lag spikes that come by themselves, or null. */
  readonly spikes: Readonly<SpikeSchedule> | null;
  /** The fault script (run from the first connect). */
  readonly faults: readonly NetworkFault[];
}

const KB = 1000;
/**
 * The presets. Latency is one way; loss is per message. Delays follow Unity's netcode simulator
 * presets (Q3 2022) where they have one; bandwidths are typical link rates.
 */
export const NETWORK_PRESETS: Readonly<Record<NetworkPresetName, Readonly<NetworkConditions>>> = {
  lan: { latency: 1, jitter: 1 },
  broadband: { latency: 20, jitter: 5, down: { bandwidth: 12_500 * KB }, up: { bandwidth: 2_500 * KB } },
  dsl: { latency: 35, jitter: 10, loss: 0.5, down: { bandwidth: 2_000 * KB }, up: { bandwidth: 128 * KB } },
  '4g': {
    latency: 35,
    jitter: 8,
    distribution: 'normal',
    loss: 1,
    down: { bandwidth: 2_500 * KB },
    up: { bandwidth: 625 * KB },
  },
  '3g': {
    latency: 120,
    jitter: 20,
    distribution: 'normal',
    loss: 2,
    down: { bandwidth: 250 * KB },
    up: { bandwidth: 48 * KB },
  },
  edge: {
    latency: 160,
    jitter: 30,
    distribution: 'normal',
    loss: 3,
    down: { bandwidth: 30 * KB },
    up: { bandwidth: 15 * KB },
  },
  satellite: { latency: 300, jitter: 30, loss: 1, down: { bandwidth: 2_000 * KB }, up: { bandwidth: 250 * KB } },
  'congested-wifi': {
    latency: 40,
    jitter: 60,
    distribution: 'pareto',
    loss: 3,
    down: { bandwidth: 500 * KB },
    up: { bandwidth: 250 * KB },
    spikes: { every: 10_000, duration: 300 },
  },
};

const NO_LINK: LinkConditions = {
  latency: 0,
  jitter: 0,
  distribution: 'uniform',
  bandwidth: 0,
  loss: 0,
  retransmit: 200,
};
const DISTRIBUTIONS: readonly JitterDistribution[] = ['uniform', 'normal', 'pareto'];
const FAULTS: readonly NetworkFault['fault'][] = ['disconnect', 'halfOpen', 'refuse', 'spike'];
const LINK_KEYS = Object.keys(NO_LINK) as (keyof LinkConditions)[];
const OWN_KEYS = ['preset', 'down', 'up', 'buffer', 'spikes', 'faults', 'seed', 'clock'];

/** No conditions at all: the lab passes everything through. */
export const NO_CONDITIONS: ResolvedConditions = {
  preset: undefined,
  down: NO_LINK,
  up: NO_LINK,
  buffer: 1 << 20,
  spikes: null,
  faults: [],
};

/**
 * `changes` applied over `base` (a preset in `changes` starts again from that preset).
 *
 * @throws {@link InvalidOptionError} naming the field that is wrong.
 */
export function applyConditions(
  base: ResolvedConditions,
  changes: NetworkConditions | NetworkPresetName,
): ResolvedConditions {
  const input: NetworkConditions = typeof changes === 'string' ? { preset: changes } : changes;
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(`network must be a preset name or an object of conditions, got ${quote(changes)}.`);
  }
  for (const key of Object.keys(input)) {
    if (!OWN_KEYS.includes(key) && !LINK_KEYS.includes(key as keyof LinkConditions)) {
      throw new InvalidOptionError(
        `network.${key} is not a condition: use ${[...LINK_KEYS, ...OWN_KEYS.slice(0, 6)].join(', ')}.`,
      );
    }
  }
  if (input.preset !== undefined) {
    if (!Object.hasOwn(NETWORK_PRESETS, input.preset)) {
      throw new InvalidOptionError(
        `network.preset ${quote(input.preset)} is not a preset: use one of ${Object.keys(NETWORK_PRESETS).join(', ')}.`,
      );
    }
    base = applyConditions({ ...NO_CONDITIONS }, NETWORK_PRESETS[input.preset]);
    base = { ...base, preset: input.preset };
  }
  const shared = checkLink('network', input);
  return {
    preset: base.preset,
    down: { ...base.down, ...shared, ...checkLink('network.down', input.down) },
    up: { ...base.up, ...shared, ...checkLink('network.up', input.up) },
    buffer: input.buffer === undefined ? base.buffer : checkNumber('network.buffer', input.buffer, 1),
    spikes: input.spikes === undefined ? base.spikes : checkSpikes(input.spikes),
    faults: input.faults === undefined ? base.faults : checkFaults(input.faults),
  };
}

function checkLink(where: string, input: Partial<LinkConditions> | undefined): Partial<LinkConditions> {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null) {
    throw new InvalidOptionError(`${where} must be an object of link conditions, got ${quote(input)}.`);
  }
  const link: Partial<LinkConditions> = {};
  for (const key of LINK_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    if (key === 'distribution') {
      if (!DISTRIBUTIONS.includes(value as JitterDistribution)) {
        throw new InvalidOptionError(
          `${where}.distribution must be one of ${DISTRIBUTIONS.join(', ')}, got ${quote(value)}.`,
        );
      }
      link.distribution = value as JitterDistribution;
    } else {
      (link as Record<string, number>)[key] = checkNumber(
        `${where}.${key}`,
        value,
        0,
        key === 'loss' ? 100 : undefined,
      );
    }
  }
  return link;
}

function checkSpikes(spikes: SpikeSchedule | null): SpikeSchedule | null {
  if (spikes === null) return null;
  if (typeof spikes !== 'object') {
    throw new InvalidOptionError(`network.spikes must be { every, duration } in ms, or null, got ${quote(spikes)}.`);
  }
  const every = checkNumber('network.spikes.every', spikes.every, 1);
  const duration = checkNumber('network.spikes.duration', spikes.duration, 0);
  if (duration >= every) {
    throw new InvalidOptionError(
      `network.spikes.duration (${duration}) must be shorter than every (${every}), or the link never carries anything.`,
    );
  }
  return { every, duration };
}

function checkFaults(faults: readonly NetworkFault[]): readonly NetworkFault[] {
  if (!Array.isArray(faults)) {
    throw new InvalidOptionError(`network.faults must be an array of { at, fault }, got ${quote(faults)}.`);
  }
  return faults.map((fault, i) => {
    if (typeof fault !== 'object' || fault === null || !FAULTS.includes(fault.fault)) {
      throw new InvalidOptionError(
        `network.faults[${i}].fault must be one of ${FAULTS.join(', ')}, got ${quote(fault?.fault)}.`,
      );
    }
    return {
      at: checkNumber(`network.faults[${i}].at`, fault.at, 0),
      fault: fault.fault,
      duration: checkNumber(`network.faults[${i}].duration`, fault.duration ?? 1000, 0),
      count: checkNumber(`network.faults[${i}].count`, fault.count ?? 1, 1),
    };
  });
}

function checkNumber(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(`${name} must be a number from ${min} to ${max}, got ${quote(value)}.`);
  }
  return value;
}
