/**
 * The lab catalogue: which labs exist and each one's definition. Labs are the folders `labs/<lab>/` with
 * a `manifest.json` (`grader/manifest/lab-manifests.ts`); a lab's grading code is found by convention:
 *
 *   grader/labs/<lab>/lab.ts      exports `lab: LabParts` (items, and optionally tryout and handoutData)
 *   grader/labs/<lab>/harness.ts  the module the sandboxed child runs
 *
 * No list of labs is written in source, so a handout or bundle with one lab's folders knows that lab only.
 * The CLI resolves a lab here and passes its definition down; grader/core never imports a lab.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { checkLabDefinition, type LabDefinition, type LabParts } from '../core/lab.js';
import { labManifest } from '../manifest/lab-manifests.js';

export { labManifest, labNames } from '../manifest/lab-manifests.js';

function isLabParts(value: unknown): value is LabParts {
  if (typeof value !== 'object' || value === null || !('items' in value)) return false;
  return typeof value.items === 'object' && value.items !== null;
}

/** The lab's definition: its manifest, harness and `lab.ts` export, checked against each other. */
export async function loadLab(name: string, repoRoot: string = REPO_ROOT): Promise<LabDefinition> {
  const manifest = labManifest(name, repoRoot);
  const labDir = join(repoRoot, 'grader', 'labs', name);
  const labModule = join(labDir, 'lab.ts');
  const harnessEntry = join(labDir, 'harness.ts');
  for (const file of [labModule, harnessEntry])
    if (!existsSync(file)) throw new Error(`lab ${name}: labs/${name}/manifest.json exists but ${file} does not`);
  const exported: unknown = ((await import(pathToFileURL(labModule).href)) as { lab?: unknown }).lab;
  if (!isLabParts(exported))
    throw new Error(`lab ${name}: ${labModule} must export \`lab\`, an object with the lab's items (type LabParts)`);
  const lab: LabDefinition = { ...exported, manifest, harnessEntry };
  checkLabDefinition(lab);
  return lab;
}

/** Which files make up a lab's submission and where they live: ./submit.sh packages these. */
export function studentFiles(lab: string): { readonly files: string[]; readonly studentDir: string } {
  const { files, studentDir } = labManifest(lab);
  return { files: [...files], studentDir };
}
