/** The deadline lab's rubric (labs/deadline/manifest.json): seven unit items on the reference's probes, two scenarios. */
import { defineLab } from '../../kit/define-lab.js';
import { referenceOracle } from '../../kit/oracle.js';
import { unitItem, type UnitLab } from '../../kit/unit-item.js';
import { DEADLINE_PROBES } from './probes.js';
import { capacityItem, overloadItem } from './scenarios.js';
import type { DeadlineModule } from './student.js';
import { deadlineTry } from './try.js';

const oracle = referenceOracle<DeadlineModule>('deadline', 'deadline-scheduler.ts');
const units: UnitLab<DeadlineModule> = { lab: 'deadline', oracle, probes: DEADLINE_PROBES };

export const lab = defineLab({
  lab: 'deadline',
  items: {
    'priority-key': unitItem(units, 'priority-key'),
    'token-deadline': unitItem(units, 'token-deadline'),
    'decode-order': unitItem(units, 'decode-order'),
    relegation: unitItem(units, 'relegation'),
    'model-fit': unitItem(units, 'model-fit'),
    'dynamic-chunk': unitItem(units, 'dynamic-chunk'),
    schedule: unitItem(units, 'schedule'),
    capacity: capacityItem(oracle),
    overload: overloadItem(oracle),
  },
  tryout: deadlineTry,
});
