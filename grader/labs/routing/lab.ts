/**
 * The routing lab's rubric (labs/routing/manifest.json has each item's title, points and visibility;
 * labs/routing/README.md states the targets to students).
 */
import { defineLab } from '../../kit/define-lab.js';
import { unitItem } from '../../kit/unit-item.js';
import { routingUnits } from './probes.js';
import { beatsLor, correctnessItem, versusBestRouter } from './scenarios.js';
import { routingTry } from './try.js';

/** Graded workloads (sim/analysis/routing-workloads.ts), one hidden seed each; heavy-conv and four-kinds with scale events. */
const EQUAL_REPLICAS = ['benchmark', 'heavy-conv'] as const;
const UNEQUAL_REPLICAS = ['bursty-mixed-h100', 'four-kinds', 'memory-unequal'] as const;
const WITH_SCALE_EVENTS = ['heavy-conv', 'four-kinds'] as const;
/** The seed task's bar: at least 20% lower mean e2e than Vidur's lor. */
const REQUIRED_IMPROVEMENT_OVER_LOR = 0.2;

export const lab = defineLab({
  lab: 'routing',
  items: {
    'unit-cases': unitItem(routingUnits, 'unit-cases'),
    correctness: correctnessItem,
    'beats-lor': beatsLor(REQUIRED_IMPROVEMENT_OVER_LOR),
    'equal-replicas': versusBestRouter(EQUAL_REPLICAS, WITH_SCALE_EVENTS, true),
    'unequal-replicas': versusBestRouter(UNEQUAL_REPLICAS, WITH_SCALE_EVENTS, false),
  },
  tryout: routingTry,
});
