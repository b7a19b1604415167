/** The cfs lab's definition, found by the lab catalogue (grader/labs/catalogue.ts) as this module's `lab`. */
import type { LabParts } from '../../core/lab.js';
import { CFS_ITEMS } from './items.js';
import { cfsTry } from './try-lab.js';

export const lab: LabParts = {
  items: CFS_ITEMS,
  tryout: cfsTry,
};
