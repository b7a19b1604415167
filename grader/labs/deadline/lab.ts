/** The deadline lab's definition, found by the lab catalogue (grader/labs/catalogue.ts) as this module's `lab`. */
import type { LabParts } from '../../core/lab.js';
import { DEADLINE_ITEMS } from './items.js';
import { deadlineTry } from './try-lab.js';
import { buildPublicExpected, PUBLIC_EXPECTED_FILE } from './public-expected.js';

export const lab: LabParts = {
  items: DEADLINE_ITEMS,
  tryout: deadlineTry,
  handoutData: async (repoRoot) => ({ [PUBLIC_EXPECTED_FILE]: await buildPublicExpected(repoRoot) }),
};
