/**
 * Test files in order of cost, the longest first, so that two workers finish together instead of one
 * starting the routing lab's end-to-end grading last. Vitest orders by the durations it cached on an
 * earlier run; a fresh clone has none, and then test/setup/file-costs.json (seconds, measured on a fresh
 * clone: regenerate it when the order drifts) stands in. Files in neither run last, largest first.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const COSTS: Readonly<Record<string, number>> = JSON.parse(
  readFileSync(join(import.meta.dirname, 'file-costs.json'), 'utf8'),
) as Record<string, number>;

export class CostFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const cost = (spec: TestSpecification): number => {
      const path = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      if (cached !== undefined) return cached / 1000;
      return COSTS[path] ?? statSync(spec.moduleId).size / 1e9;
    };
    return [...files].sort((a, b) => cost(b) - cost(a));
  }
}
