import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulation tests are CPU-bound; two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 300_000,
  },
});
