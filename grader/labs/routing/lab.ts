/** The routing lab's definition, found by the lab catalogue (grader/labs/catalogue.ts) as this module's `lab`. */
import type { LabParts } from '../../core/lab.js';
import { ROUTING_ITEMS } from './items.js';
import { routingTry } from './try-lab.js';

export const lab: LabParts = {
  items: ROUTING_ITEMS,
  tryout: routingTry,
};
