/**
 * Vitest setup file used only by `npm run coverage`. Setting NODE_V8_COVERAGE here (not in the environment vitest
 * starts with) means the test workers themselves write no raw V8 coverage (vitest's own provider covers them), while
 * every child they start does: Node passes NODE_V8_COVERAGE on even to a child given a custom `env`, which is how
 * the sandboxed harnesses (minimal environment) are covered too.
 */
const dir = process.env.SERVELAB_CHILD_COVERAGE_DIR;
if (dir !== undefined && dir !== '') process.env.NODE_V8_COVERAGE = dir;
