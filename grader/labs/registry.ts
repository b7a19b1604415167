/**
 * Which files make up a lab's submission and where they live, read from the lab's manifest.
 * ./submit.sh and anything else that packages or checks student files asks here.
 */
import { getLab } from './index.js';

export interface LabStudentFiles {
  /** Names relative to studentDir, e.g. `ai-router.ts`. */
  readonly files: string[];
  /** The lab's student folder in the repository, e.g. `starter/routing`. */
  readonly studentDir: string;
}

export function studentFiles(lab: string): LabStudentFiles {
  const { manifest } = getLab(lab);
  return { files: [...manifest.files], studentDir: manifest.studentDir };
}
