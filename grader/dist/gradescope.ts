/**
 * The Gradescope autograder bundle for one lab: autograder.zip with setup.sh and run_autograder at the
 * root and the grading project beside them (engine, grader, the lab's reference for hidden items,
 * traces). The hidden seed and lateness policy are fixed in servelab-autograder.json when building.
 */
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { labManifest, labNames, loadLab } from '../labs/catalogue.js';
import { copyFiles, freshDir, listFiles, otherLabsCode, zipFolder } from './files.js';
import { writeManualQuestions } from './manual-questions.js';
import { precomputeResults, type Precomputed } from './precompute.js';

export const AutograderConfig = z.strictObject({
  lab: z.string(),
  hiddenSeed: z.number().int(),
  /** Late policy from submission_metadata.json: fraction lost per started day late, up to maxDays; later scores 0. */
  late: z.strictObject({ penaltyPerDay: z.number().min(0).max(1), maxDays: z.number().int().nonnegative() }).optional(),
});
export type AutograderConfig = z.infer<typeof AutograderConfig>;

const SETUP_SH = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when building the autograder image (Ubuntu). It installs Node.js
# 24 (the current LTS) from NodeSource, what the sandbox's operating-system layers need, and the grading
# project's exact dependencies.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
# util-linux: unshare (PID and network namespaces), setpriv (the separate user), prlimit (memory and
# process limits); grader/sandbox/isolation.ts detects each at start and names any that does not work.
apt-get install -y ca-certificates curl gnupg util-linux passwd
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 24 ]; then
  curl -fsSL https://deb.nodesource.com/setup_24.x | bash -
  apt-get install -y nodejs
fi
# The unprivileged user the sandbox child runs as: it owns nothing, so the child can neither signal nor
# trace the grader (root) nor read its files.
id -u servelab-sandbox >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin servelab-sandbox
npm ci --no-audit --no-fund
`;

const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission. It grades /autograder/submission and always writes
# /autograder/results/results.json. SERVELAB_AUTOGRADER_ROOT replaces /autograder (for testing).
# Running as root is what lets the grader put each child under the sandbox user, in its own PID and
# network namespaces, with memory and process limits; the grader prints which layers are active.
set -uo pipefail
root="\${SERVELAB_AUTOGRADER_ROOT:-/autograder}"
cd "$(dirname "$0")"
[ -f package.json ] || cd "$root/source"
# SIGUSR1 would open the grader's inspector; the grader also ignores it itself (isolation.ts).
flags=()
if node --disable-sigusr1 -e 0 >/dev/null 2>&1; then flags+=(--disable-sigusr1); fi
exec node \${flags[@]+"\${flags[@]}"} --import tsx grader/cli/gradescope.ts --root "$root"
`;

export interface GradescopeDistOptions {
  readonly lab: string;
  readonly outDir: string;
  readonly config: AutograderConfig;
  /**
   * Grade the reference once for the bundle's seed so the bundle ships the reference's and the
   * baselines' results (precompute.ts); default true. Without it every grading computes them.
   */
  readonly precompute?: boolean;
}

export async function buildGradescopeBundle(
  options: GradescopeDistOptions,
): Promise<{ dir: string; zip: string; precomputed?: Precomputed }> {
  const manifest = labManifest(options.lab);
  const dir = options.outDir;
  freshDir(dir);
  const otherLabs = otherLabsCode([options.lab], labNames());
  const files = [
    ...listFiles(REPO_ROOT, 'sim', (p) => p.endsWith('.test.ts')),
    ...listFiles(REPO_ROOT, 'traces'),
    ...listFiles(REPO_ROOT, 'grader', otherLabs),
    ...listFiles(REPO_ROOT, manifest.studentDir),
    ...listFiles(REPO_ROOT, manifest.referenceDir),
    `labs/${options.lab}/manifest.json`,
    `labs/${options.lab}/README.md`,
    'package.json',
    'package-lock.json',
    'tsconfig.json',
  ];
  copyFiles(REPO_ROOT, files, dir);
  writeFileSync(
    join(dir, 'servelab-autograder.json'),
    `${JSON.stringify(AutograderConfig.parse(options.config), null, 2)}\n`,
  );
  writeFileSync(join(dir, 'setup.sh'), SETUP_SH);
  writeFileSync(join(dir, 'run_autograder'), RUN_AUTOGRADER);
  chmodSync(join(dir, 'setup.sh'), 0o755);
  chmodSync(join(dir, 'run_autograder'), 0o755);
  const precomputed =
    options.precompute === false
      ? undefined
      : await precomputeResults(await loadLab(options.lab), options.config.hiddenSeed, dir);
  const zip = join(dir, '..', 'autograder.zip');
  await zipFolder(dir, zip);
  writeManualQuestions(options.lab, join(dir, '..')); // beside autograder.zip: the report question's outline, for the instructor
  return { dir, zip, ...(precomputed !== undefined ? { precomputed } : {}) };
}
