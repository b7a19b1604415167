/**
 * The lab catalogue: which labs exist and each one's definition. Labs are the folders `labs/<lab>/` with
 * a `manifest.json` (`grader/manifest/lab-manifests.ts`); a lab's grading code is found by convention:
 * `grader/labs/<lab>/lab.ts` exports `lab`, its `LabDefinition` (`grader/core/lab.ts`), normally made with
 * the kit's `defineLab` (`grader/kit/define-lab.ts`):
 *
 *   export const lab = defineLab({ lab: 'routing', items: { ... }, tryout });
 *
 * No list of labs is written in source, so a handout or bundle with one lab's folders knows that lab only.
 * The CLI resolves a lab here and passes its definition down; grader/core never imports a lab.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { checkLabDefinition, type LabDefinition } from '../core/lab.js';
import type { LabChild } from '../kit/driver.js';
import type { Oracle } from '../kit/oracle.js';
import { labManifest } from '../manifest/lab-manifests.js';

export { labManifest, labNames } from '../manifest/lab-manifests.js';

/** The shape check a module's export must pass before it is used as a definition. */
function isLabDefinition(value: unknown): value is LabDefinition {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  return isObject(value) && isObject(value.manifest) && typeof value.harnessEntry === 'string' && isObject(value.items);
}

/**
 * The lab's definition, `grader/labs/<name>/lab.ts`'s `lab` export, checked against the manifest the
 * catalogue found for it (same lab, same rubric items) and for a harness that exists.
 */
export async function loadLab(name: string, repoRoot: string = REPO_ROOT): Promise<LabDefinition> {
  const manifest = labManifest(name, repoRoot);
  const labModule = join(repoRoot, 'grader', 'labs', name, 'lab.ts');
  if (!existsSync(labModule))
    throw new Error(`lab ${name}: labs/${name}/manifest.json exists but ${labModule} does not`);
  const exported: unknown = ((await import(pathToFileURL(labModule).href)) as { lab?: unknown }).lab;
  if (!isLabDefinition(exported))
    throw new Error(
      `lab ${name}: ${labModule} must export \`lab\`, its LabDefinition (manifest, harnessEntry, items), e.g. made by defineLab`,
    );
  if (exported.manifest.lab !== manifest.lab)
    throw new Error(`lab ${name}: ${labModule} defines lab "${exported.manifest.lab}", not "${name}"`);
  if (!existsSync(exported.harnessEntry))
    throw new Error(`lab ${name}: the harness ${exported.harnessEntry} does not exist`);
  checkLabDefinition(exported);
  return exported;
}

/** Which files make up a lab's submission and where they live: ./submit.sh packages these. */
export function studentFiles(lab: string): { readonly files: string[]; readonly studentDir: string } {
  const { files, studentDir } = labManifest(lab);
  return { files: [...files], studentDir };
}

/**
 * A lab's two in-process parts, found by the same convention (every lab has these files): the child side
 * without the student's module (`child.ts`'s `child`) and the reference oracle (`student.ts`'s `oracle`).
 * For in-process grading of trusted modules (grader/kit/in-process.ts): tests and `npm run sweep`.
 */
export async function loadInProcessParts(name: string, repoRoot = REPO_ROOT) {
  const dir = join(repoRoot, 'grader', 'labs', name);
  const { child } = (await import(pathToFileURL(join(dir, 'child.ts')).href)) as { child?: LabChild<unknown> };
  const { oracle } = (await import(pathToFileURL(join(dir, 'student.ts')).href)) as { oracle?: Oracle<unknown> };
  if (child === undefined || oracle === undefined)
    throw new Error(`lab ${name}: child.ts must export \`child\` and student.ts \`oracle\``);
  return { child, oracle };
}
