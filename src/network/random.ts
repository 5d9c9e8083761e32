/**
 * Seeded randomness for the network lab: the same seed gives the same delays, on every
 * platform (integer arithmetic only, no `Math.random`).
 */

/** A stream of numbers in [0, 1). */
export type Random = () => number;

/** The shapes a delay's variation can take (see {@link LinkConditions.distribution}). */
export type JitterDistribution = 'uniform' | 'normal' | 'pareto';

/** Pareto tails are cut at this many times `jitter`, so one draw never stalls a session for hours. */
export const PARETO_CAP = 100;
/** Shape of the Pareto (Lomax) tail: 2.5 gives a finite variance and a long tail. */
const PARETO_SHAPE = 2.5;

/** SplitMix32 to spread a seed, then mulberry32: small, fast, and good enough for delays. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  state = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
  state = Math.imul(state ^ (state >>> 13), 0xc2b2ae35);
  state = (state ^ (state >>> 16)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One draw of the variation around the base latency, in ms:
 * - `uniform`: in [−jitter, +jitter];
 * - `normal`: mean 0, standard deviation `jitter` (Box–Muller);
 * - `pareto`: ≥ 0 with mean `jitter` and a heavy tail (congested links), at most {@link PARETO_CAP} × jitter.
 */
export function jitterOf(random: Random, distribution: JitterDistribution, jitter: number): number {
  if (jitter === 0) return 0;
  switch (distribution) {
    case 'uniform':
      return (random() * 2 - 1) * jitter;
    case 'normal': {
      const u = 1 - random(); // (0, 1]: log(0) never happens
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) * jitter;
    }
    case 'pareto': {
      const scale = jitter * (PARETO_SHAPE - 1); // a Lomax of this scale has mean `jitter`
      const draw = scale * ((1 - random()) ** (-1 / PARETO_SHAPE) - 1);
      return Math.min(draw, PARETO_CAP * jitter);
    }
  }
}
