/** Every lab the grader knows, by name. */
import { InputError } from '../../sim/errors.js';
import { checkLabDefinition, type LabDefinition } from '../core/lab.js';
import { lab as routingLab } from './routing/lab.js';
import { lab as fairnessLab } from './fairness/lab.js';
import { lab as autoscalingLab } from './autoscaling/lab.js';
import { lab as cfsLab } from './cfs/lab.js';
import { lab as deadlineLab } from './deadline/lab.js';

const LABS: Readonly<Record<string, () => LabDefinition>> = {
  routing: () => routingLab,
  fairness: () => fairnessLab,
  autoscaling: () => autoscalingLab,
  cfs: () => cfsLab,
  deadline: () => deadlineLab,
};

export const LAB_NAMES = Object.keys(LABS);

export function getLab(name: string): LabDefinition {
  const make = LABS[name];
  if (make === undefined) throw new InputError(`unknown lab "${name}"; labs: ${LAB_NAMES.join(', ')}`);
  const lab = make();
  checkLabDefinition(lab);
  return lab;
}
