/** The autoscaling lab's definition, found by the lab catalogue (grader/labs/catalogue.ts) as this module's `lab`. */
import type { LabParts } from '../../core/lab.js';
import { AUTOSCALING_ITEMS } from './items.js';
import { autoscalingTry } from './try-lab.js';

export const lab: LabParts = {
  items: AUTOSCALING_ITEMS,
  tryout: autoscalingTry,
};
