/**
 * The routing lab's rubric (labs/routing/manifest.json has each item's title, points and visibility;
 * labs/routing/README.md states the targets to students).
 */
import { defineLab } from '../../kit/define-lab.js';
import { unitItem } from '../../kit/unit-item.js';
import { routingUnits } from './probes.js';
import { beatsLor, beatsRoundRobin, correctnessItem } from './scenarios.js';
import { routingTry } from './try.js';

/**
 * Full marks for this much lower mean e2e than round robin (median over the hidden workloads). Set
 * from the reference solution's own margins (see labs/routing/README.md).
 */
const TARGET_IMPROVEMENT_OVER_RR = { qps2: 0.015, qps3: 0.02 } as const;
/** The seed task's bar: at least 20% lower mean e2e than Vidur's lor. */
const REQUIRED_IMPROVEMENT_OVER_LOR = 0.2;

export const lab = defineLab({
  lab: 'routing',
  items: {
    'unit-cases': unitItem(routingUnits, 'unit-cases'),
    correctness: correctnessItem,
    'beats-lor': beatsLor(REQUIRED_IMPROVEMENT_OVER_LOR),
    'beats-round-robin': beatsRoundRobin(2, 3, TARGET_IMPROVEMENT_OVER_RR.qps2, true),
    'heavier-load': beatsRoundRobin(3, 2, TARGET_IMPROVEMENT_OVER_RR.qps3, false),
  },
  tryout: routingTry,
});
