// The whole Node receive path against `ws` alone, over seeded random streams (see fuzz.ts).
// `npm test` runs FUZZ_SEEDS seeds (default 240) in batches; `npm run test:soak` runs more.
import { describe, expect, it } from 'vitest';
import { fuzzSeed } from './fuzz.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 240);
const BATCH = 12;
const FIRST_SEED = Number(process.env.FUZZ_FIRST_SEED ?? 1);

describe('the receive path: the same messages and ending as ws alone', () => {
  const batches = Array.from({ length: Math.ceil(SEEDS / BATCH) }, (_, i) => FIRST_SEED + i * BATCH);
  it.each(batches)('seeds %i and the 11 after it', async (first) => {
    const seeds = Array.from({ length: Math.min(BATCH, FIRST_SEED + SEEDS - first) }, (_, i) => first + i);
    const results = await Promise.all(seeds.map(async (seed) => ({ seed, ...(await fuzzSeed(seed)) })));
    for (const { seed, expected, actual } of results) {
      expect(expected.messages.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(actual, `seed ${seed}`).toEqual(expected);
    }
  });
});
