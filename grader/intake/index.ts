export { DEFAULT_INTAKE_LIMITS, formatBytes, type IntakeLimits } from './limits.js';
export {
  readSubmission,
  type IntakeOptions,
  type IntakeProblem,
  type IntakeProblemCode,
  type IntakeResult,
} from './read-submission.js';
