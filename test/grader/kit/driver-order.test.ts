/**
 * ES modules run in import order: a lab's driver.ts must load the child runtime (through the kit's
 * driver) before any student module, or a student module's top-level code would run with the IPC
 * channels, real clocks and unseeded Math.random still in place (grader/sandbox/child-runtime.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../sim/config/paths.js';

const RUNTIME = ["'../../kit/driver.js'", "'../../sandbox/child-runtime.js'"];
const labs = readdirSync(join(REPO_ROOT, 'grader', 'labs'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** Value imports in source order (type-only imports are erased and run nothing). */
function valueImports(source: string): string[] {
  return [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+('[^']+')|^import\s+('[^']+')/gms)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

describe('lab drivers load the child runtime first', () => {
  it.each(labs)('%s: the first value import is the kit driver or the child runtime', (lab) => {
    const source = readFileSync(join(REPO_ROOT, 'grader', 'labs', lab, 'driver.ts'), 'utf8');
    const imports = valueImports(source);
    expect(imports.some((i) => i.startsWith("'@student/"))).toBe(true);
    expect(RUNTIME).toContain(imports[0]);
  });

  it('the check itself sees a student import placed first', () => {
    expect(
      valueImports("import * as a from '@student/x.js';\nimport { serveLab } from '../../kit/driver.js';\n")[0],
    ).toBe("'@student/x.js'");
  });
});
