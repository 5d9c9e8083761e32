// The receive-path fuzz of npm test (test/faults/receive-fuzz.test.ts), at length: FUZZ_SEEDS
// seeds (default 4 000) from seed 100 000, so the soak run explores streams npm test does not.
import { expect, it } from 'vitest';
import { fuzzSeed } from '../faults/fuzz.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 4_000);
const FIRST = 100_000;
const BATCH = 16;

it(`${SEEDS} seeded streams: the same messages and ending as ws alone`, async () => {
  for (let first = FIRST; first < FIRST + SEEDS; first += BATCH) {
    const seeds = Array.from({ length: Math.min(BATCH, FIRST + SEEDS - first) }, (_, i) => first + i);
    const results = await Promise.all(seeds.map(async (seed) => ({ seed, ...(await fuzzSeed(seed)) })));
    for (const { seed, expected, actual } of results) expect(actual, `seed ${seed}`).toEqual(expected);
  }
}, 300_000);
