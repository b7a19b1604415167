/**
 * The autoscaling lab's rubric: unit items probe the routers, the envelope, the throughput average and
 * tune() against the reference (probes.ts); the efficiency check counts the envelope's work (simulate.ts); the
 * scenario items replay the student's autoscalers on hidden traces against the reference's runs
 * (scenarios.ts, workloads.ts).
 */
import { defineLab } from '../../kit/define-lab.js';
import { unitItem, type UnitLab } from '../../kit/unit-item.js';
import { PROBES } from './probes.js';
import { paretoItem, publicTraceItem, scalingItem, tuningItem } from './scenarios.js';
import { oracle, type AutoscalingModule } from './student.js';
import { autoscalingTry } from './try.js';

const unit: UnitLab<AutoscalingModule> = { lab: 'autoscaling', oracle, probes: PROBES };

export const lab = defineLab({
  lab: 'autoscaling',
  items: {
    'round-robin': unitItem(unit, 'round-robin'),
    lor: unitItem(unit, 'lor'),
    envelope: unitItem(unit, 'envelope'),
    'envelope-scaling': scalingItem,
    'throughput-ema': unitItem(unit, 'throughput-ema'),
    tune: unitItem(unit, 'tune'),
    'public-trace': publicTraceItem,
    tuning: tuningItem,
    pareto: paretoItem,
  },
  tryout: autoscalingTry,
  countWork: true,
});
