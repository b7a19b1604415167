/**
 * The deadline lab's definition: the lab catalogue (grader/labs/catalogue.ts) imports this module and takes its
 * `lab` export (a lab written with the kit exports `defineLab(...)`'s result, grader/kit/define-lab.ts).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import type { LabDefinition } from '../../core/lab.js';
import { loadManifest } from '../../manifest/load.js';
import { DEADLINE_ITEMS } from './items.js';
import { deadlineTry } from './try-lab.js';
import { buildPublicExpected, PUBLIC_EXPECTED_FILE } from './public-expected.js';

export const lab: LabDefinition = {
  manifest: loadManifest(join(REPO_ROOT, 'labs', 'deadline', 'manifest.json')),
  harnessEntry: join(REPO_ROOT, 'grader', 'labs', 'deadline', 'harness.ts'),
  items: DEADLINE_ITEMS,
  tryout: deadlineTry,
  handoutData: async (repoRoot) => ({ [PUBLIC_EXPECTED_FILE]: await buildPublicExpected(repoRoot) }),
};
