/** The deadline lab's rubric (labs/deadline/manifest.json): seven unit items on the reference's probes, two scenarios. */
import { defineLab } from '../../kit/define-lab.js';
import { unitItem } from '../../kit/unit-item.js';
import { DEADLINE_PROBES } from './probes.js';
import { capacityItem, overloadItem } from './scenarios.js';
import { oracle } from './student.js';
import { deadlineTry } from './try.js';

const unit = (item: keyof typeof DEADLINE_PROBES) =>
  unitItem({ lab: 'deadline', oracle, probes: DEADLINE_PROBES }, item);

export const lab = defineLab({
  lab: 'deadline',
  items: {
    'priority-key': unit('priority-key'),
    'token-deadline': unit('token-deadline'),
    'decode-order': unit('decode-order'),
    relegation: unit('relegation'),
    'model-fit': unit('model-fit'),
    'dynamic-chunk': unit('dynamic-chunk'),
    schedule: unit('schedule'),
    capacity: capacityItem,
    overload: overloadItem,
  },
  tryout: deadlineTry,
});
