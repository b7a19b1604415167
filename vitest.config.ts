import { defineConfig } from 'vitest/config';

/**
 * `npm run coverage` (test/coverage/run.ts) sets this to a temporary folder: the setup file below then hands it to
 * every child process the tests start, as NODE_V8_COVERAGE, and run.ts merges what they write.
 */
const childCoverageDir = process.env.SERVELAB_CHILD_COVERAGE_DIR;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulation tests are CPU-bound; two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    // Files share their worker's process: the engine keeps no global state (docs/architecture.md), and loading the
    // simulator and the grader once per worker instead of once per file halves the time of the quick tests.
    // test/setup/restore-env.ts gives each file the environment the worker started with.
    isolate: false,
    // A safety net for a hung test, not a time bound: a loaded machine (CI beside another job) stretches the
    // heaviest gradings (a whole lab end to end) to several minutes.
    testTimeout: 600_000,
    // The same for hooks: a handout build or a reference grading in beforeAll is a test's set-up.
    hookTimeout: 600_000,
    setupFiles: [
      'test/setup/restore-env.ts',
      ...(childCoverageDir !== undefined ? ['test/coverage/child-coverage-env.ts'] : []),
    ],
    // Only active with --coverage (npm run coverage); `npm test` never pays for it.
    coverage: {
      provider: 'v8',
      // Every source file counts, loaded by a test or not.
      include: ['sim/**/*.ts', 'grader/**/*.ts'],
      exclude: ['**/*.d.ts'],
      reporter: ['json'],
      reportOnFailure: true,
    },
  },
});
