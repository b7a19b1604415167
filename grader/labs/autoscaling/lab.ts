/**
 * The autoscaling lab's definition: the lab catalogue (grader/labs/catalogue.ts) imports this module and takes its
 * `lab` export (a lab written with the kit exports `defineLab(...)`'s result, grader/kit/define-lab.ts).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../../sim/config/paths.js';
import type { LabDefinition } from '../../core/lab.js';
import { loadManifest } from '../../manifest/load.js';
import { AUTOSCALING_ITEMS } from './items.js';
import { autoscalingTry } from './try-lab.js';

export const lab: LabDefinition = {
  manifest: loadManifest(join(REPO_ROOT, 'labs', 'autoscaling', 'manifest.json')),
  harnessEntry: join(REPO_ROOT, 'grader', 'labs', 'autoscaling', 'harness.ts'),
  items: AUTOSCALING_ITEMS,
  tryout: autoscalingTry,
};
