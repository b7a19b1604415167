/**
 * A lab as the grader sees it, in one shape: `grader/labs/<lab>/lab.ts` calls defineLab with its
 * rubric (item id → kit item), and the kit fills in the rest by convention: the manifest from
 * `labs/<lab>/manifest.json`, the child-side driver `grader/labs/<lab>/driver.ts`, and the handout
 * data every unit item needs (its public expected values).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import type { ItemImplementation, LabDefinition } from '../core/lab.js';
import type { LabTry } from '../core/try.js';
import { loadManifest } from '../manifest/load.js';
import { buildPublicExpected, publicExpectedFile } from './public-expected.js';
import type { ProbeSet } from './probes.js';
import type { UnitItem, UnitLab } from './unit-item.js';

export interface LabSpec {
  readonly lab: string;
  /** The rubric: every item of labs/<lab>/manifest.json, by id. */
  readonly items: Readonly<Record<string, ItemImplementation>>;
  /** `npm run try -- <lab>`. */
  readonly tryout?: LabTry;
  /** More files for the handout, beside the unit items' public expected values. */
  readonly handoutData?: (repoRoot: string) => Promise<Readonly<Record<string, string>>>;
  /** Build the student's code with its work counted (grader/build/count-work.ts), for items that measure it. */
  readonly countWork?: boolean;
}

function isUnitItem(item: ItemImplementation): item is UnitItem<unknown> {
  return 'unit' in item;
}

export function defineLab(spec: LabSpec): LabDefinition {
  const units = Object.values(spec.items).filter(isUnitItem);
  return {
    manifest: loadManifest(join(REPO_ROOT, 'labs', spec.lab, 'manifest.json')),
    harnessEntry: join(REPO_ROOT, 'grader', 'labs', spec.lab, 'driver.ts'),
    items: spec.items,
    ...(spec.tryout !== undefined ? { tryout: spec.tryout } : {}),
    ...(spec.countWork === true ? { countWork: true } : {}),
    handoutData: async (repoRoot) => {
      const data: Record<string, string> = { ...((await spec.handoutData?.(repoRoot)) ?? {}) };
      const first = units[0];
      if (first !== undefined) {
        const unitLab: UnitLab<unknown> = first.unit.lab;
        const sets: Record<string, ProbeSet<unknown>> = {};
        for (const u of units) sets[u.unit.item] = unitLab.probes[u.unit.item]!;
        data[publicExpectedFile(spec.lab)] = await buildPublicExpected(repoRoot, spec.lab, unitLab.oracle, sets);
      }
      return data;
    },
  };
}
