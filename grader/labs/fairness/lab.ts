/**
 * The fairness lab's rubric: unit items probe each student method against the reference (probes.ts);
 * scenario items judge the student's replayed runs on the hidden workloads against the reference and
 * FCFS (scenarios.ts, workloads.ts).
 */
import { defineLab } from '../../kit/define-lab.js';
import { unitItem, type UnitLab } from '../../kit/unit-item.js';
import { FAIRNESS_PROBES } from './probes.js';
import { oracle, scenarioItem } from './scenarios.js';
import type { FairnessModule } from './student.js';
import { fairnessTry } from './try.js';

const unit: UnitLab<FairnessModule> = { lab: 'fairness', oracle, probes: FAIRNESS_PROBES };

// biome-ignore format: the rubric, one item per entry
export const lab = defineLab({
  lab: 'fairness',
  items: {
    'cost-prefill': unitItem(unit, 'cost-prefill'),
    'cost-decode': unitItem(unit, 'cost-decode'),
    'vtc-arrival': unitItem(unit, 'vtc-arrival'),
    'vtc-on-off': scenarioItem('vtc', ['on-off/returning', 'shift/after-shift'], { rates: 'on-off', difference: 'shift', timeline: true }),
    'vtc-batch-completion': unitItem(unit, 'vtc-batch-completion'),
    'vtc-select': unitItem(unit, 'vtc-select'),
    'vtc-next-batch': unitItem(unit, 'vtc-next-batch'),
    'vtc-overload': scenarioItem('vtc', ['overload/difference', 'overload/throughput', 'shift/light-latency'],
      { rates: 'overload', difference: 'overload' }),
    'vtc-weighted-short-long': scenarioItem('vtc', ['weighted/shares', 'short-long/difference', 'short-long/throughput'],
      { rates: 'weighted', difference: 'short-long' }),
    'sarathi-batch-completion': unitItem(unit, 'sarathi-batch-completion'),
    'sarathi-select': unitItem(unit, 'sarathi-select'),
    'sarathi-next-batch': unitItem(unit, 'sarathi-next-batch'),
    'sarathi-overload-on-off': scenarioItem('vtc-sarathi',
      ['overload/difference', 'overload/throughput', 'on-off/returning', 'shift/light-latency', 'shift/after-shift'],
      { rates: 'on-off', difference: 'overload', timeline: true }),
    'sarathi-weighted-short-long': scenarioItem('vtc-sarathi', ['weighted/shares', 'short-long/difference', 'short-long/throughput'],
      { rates: 'weighted', difference: 'short-long' }),
  },
  tryout: fairnessTry,
});
