/**
 * Loading a lab's reference solution for scoring "against the reference in the same run". Only by
 * dynamic import at scoring time: grader modules never import reference/ statically, because the
 * student handout ships the grader's public runner without reference/ (issue 7's dist:student).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function importReference<T = Record<string, unknown>>(
  repoRoot: string,
  referenceDir: string,
  file: string,
): Promise<T> {
  const path = join(repoRoot, referenceDir, file);
  if (!existsSync(path))
    throw new Error(
      `the reference solution ${referenceDir}/${file} is missing; hidden items need it (this is an instructor-side install)`,
    );
  return (await import(pathToFileURL(path).href)) as T;
}
