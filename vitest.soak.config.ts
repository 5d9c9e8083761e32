import { defineConfig } from 'vitest/config';

// The soak test (npm run test:soak): one long run, off in `npm test`, on in .ci/run.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 300_000,
  },
});
