/** The fairness lab's definition, found by the lab catalogue (grader/labs/catalogue.ts) as this module's `lab`. */
import type { LabParts } from '../../core/lab.js';
import { FAIRNESS_ITEMS } from './items.js';
import { fairnessTry } from './try-lab.js';

export const lab: LabParts = {
  items: FAIRNESS_ITEMS,
  tryout: fairnessTry,
};
