/**
 * A zip made for another lab (e.g. `./submit.sh fairness` uploaded to the routing assignment) has none
 * of this lab's files; naming the lab it was made for turns "missing file, 0" into a flag an instructor
 * sees in grades.csv and the summary, and a message the student understands.
 */
import { labManifests } from '../manifest/lab-manifests.js';

/** The other lab whose student files the submission holds (all of them), or undefined. */
export function guessOtherLab(paths: readonly string[], lab: string): string | undefined {
  const has = (file: string, studentDir: string) =>
    paths.some((p) => p === `${studentDir}/${file}` || p === file || p.endsWith(`/${file}`));
  for (const { lab: other, files, studentDir } of labManifests()) {
    if (other === lab) continue;
    if (files.every((f) => has(f, studentDir))) return other;
  }
  return undefined;
}
