import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { buildSubmission, formatDiagnostic, type BuildResult } from '../../grader/build/index.js';
import { runSandboxed } from '../../grader/sandbox/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = mkdtempSync(join(tmpdir(), 'servelab-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const STUB = readFileSync(join(repoRoot, 'starter', 'routing', 'ai-router.ts'), 'utf8');
const FILE = 'starter/routing/ai-router.ts';

// A harness like the lead's: child-runtime first, the engine from the repository's sim/ (redirected to
// the build's copy), the student module through '@student/<lab>/…'.
const harness = join(root, 'harness.ts');
writeFileSync(
  harness,
  [
    `import { serve } from ${JSON.stringify(join(repoRoot, 'grader', 'sandbox', 'child-runtime.js'))};`,
    `import { Router } from ${JSON.stringify(join(repoRoot, 'sim', 'policies', 'router', 'router.js'))};`,
    `import * as student from '@student/routing/ai-router.js';`,
    `serve(() => ({ exports: Object.keys(student).sort(), isRouter: student.AiRouter.prototype instanceof Router }));`,
    '',
  ].join('\n'),
);

let counter = 0;
function build(
  files: Record<string, string>,
  extra: { typecheck?: boolean; entry?: string } = {},
): Promise<BuildResult> {
  return buildSubmission({
    repoRoot,
    workDir: join(root, `w${counter++}`),
    labStudentDir: 'starter/routing',
    files: new Map(Object.entries(files)),
    entry: extra.entry ?? harness,
    typecheck: extra.typecheck ?? false,
  });
}

describe('buildSubmission', () => {
  test('bundles the starter stub; harness and student share one engine copy', async () => {
    const result = await build({ 'ai-router.ts': STUB }, { typecheck: true });
    expect(result).toMatchObject({ ok: true, errors: [], typeErrors: [], warnings: [] });
    const outcome = await runSandboxed({
      bundlePath: result.bundlePath!,
      readDirs: [result.bundleDir],
      input: null,
      timeoutMs: 5_000,
      maxOldSpaceMb: 128,
    });
    expect(outcome.verdict).toBe('ok');
    expect(outcome.result).toEqual({ exports: ['AiRouter'], isRouter: true });
    // The engine was bundled from the build's copy, never from the repository itself.
    expect(readFileSync(result.bundlePath!, 'utf8')).not.toContain(`${repoRoot}/sim/`);
  });

  test('refuses node:fs with the import location', async () => {
    const result = await build({
      'ai-router.ts': `import { readFileSync } from 'node:fs';\nexport const AiRouter = readFileSync;\n`,
    });
    expect(result.ok).toBe(false);
    expect(result.bundlePath).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toMatchObject({ file: FILE, line: 1, column: 30 });
    expect(error!.message).toMatch(
      /^import "node:fs" is not allowed: Node built-in modules are not available to student code/,
    );
    expect(formatDiagnostic(error!)).toMatch(/^starter\/routing\/ai-router.ts:1:30: import "node:fs" is not allowed/);
  });

  test('refuses ../../reference with where it points', async () => {
    const source = `import { AiRouter as Solved } from '../../reference/routing/ai-router.js';\nexport class AiRouter extends Solved {}\n`;
    const result = await build({ 'ai-router.ts': source });
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 1,
        column: 36,
        message: expect.stringContaining("it points to reference/routing/ai-router.js, outside the lab's files"),
      }),
    ]);
  });

  test.each([
    ['fs', `import * as fs from 'fs';\nexport const AiRouter = fs;`, /Node built-in/],
    [
      'child_process via require',
      `declare const require: (m: string) => unknown;\nexport const AiRouter = require('child_process');`,
      /Node built-in/,
    ],
    ['a literal dynamic import', `export const AiRouter = () => import('node:child_process');`, /Node built-in/],
    ['an npm package', `import * as z from 'zod';\nexport const AiRouter = z;`, /npm packages/],
    ['an absolute path', `import * as x from '/etc/passwd';\nexport const AiRouter = x;`, /absolute paths/],
    [
      'node_modules by path',
      `import * as z from '../../node_modules/zod/index.js';\nexport const AiRouter = z;`,
      /outside the lab's files/,
    ],
    [
      'a path that climbs out of sim/',
      `import * as x from '../../sim/../grader/sandbox/protocol.js';\nexport const AiRouter = x;`,
      /points to grader\/sandbox\/protocol.js/,
    ],
  ])('refuses %s', async (_name, source, message) => {
    const result = await build({ 'ai-router.ts': `${source}\n` });
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatchObject({ file: FILE, line: expect.any(Number), column: expect.any(Number) });
    expect(result.errors[0]!.line).toBeGreaterThan(0);
    expect(result.errors[0]!.message).toMatch(message);
  });

  test('allows other student files and the engine', async () => {
    const result = await build({
      'ai-router.ts': `import { pick } from './lib/pick.js';\nimport { Rng } from '../../sim/workload/rng.js';\nexport const AiRouter = { pick, Rng };\n`,
      'lib/pick.ts': `export const pick = (xs: number[]) => xs[0];\n`,
    });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test('a syntax error is a build error with its location', async () => {
    const result = await build({ 'ai-router.ts': `export class AiRouter {\n  schedule( {\n}\n` });
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      { file: FILE, line: 4, column: 1, message: 'Expected ")" but found end of file', lineText: '' },
    ]);
    const midLine = await build({ 'ai-router.ts': `export class AiRouter {\n  x = ;\n}\n` });
    // The message quotes the line with a caret under the column, not just "2:7".
    expect(formatDiagnostic(midLine.errors[0]!)).toBe(`${FILE}:2:7: Unexpected ";"\n  2 |   x = ;\n    |       ^`);
  });

  test('a type error is reported with file:line:col but does not stop the build', async () => {
    const result = await build(
      { 'ai-router.ts': `${STUB}\nconst wrong: number = 'text';\nexport const used = wrong;\n` },
      { typecheck: true },
    );
    expect(result.ok).toBe(true);
    expect(result.bundlePath).toBeDefined();
    const line = STUB.split('\n').length + 1;
    expect(result.typeErrors).toEqual([
      {
        file: FILE,
        line,
        column: 7,
        message: "Type 'string' is not assignable to type 'number'. (TS2322)",
        lineText: "const wrong: number = 'text';",
      },
    ]);
  });

  test('a type-only import of a file outside is refused (tsc would read it; the bundler never sees it)', async () => {
    const target = join(repoRoot, 'grader', 'sandbox', 'protocol.js');
    const source = `import type { SerializedError } from ${JSON.stringify(target)};\nexport type Leak = SerializedError;\nexport class AiRouter {}\n`;
    const result = await build({ 'ai-router.ts': source }, { typecheck: true });
    expect(result.ok).toBe(false);
    expect(result.typeErrors).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 1,
        column: 38,
        message: expect.stringMatching(/reaches grader\/sandbox\/protocol.ts, outside .*type-only imports/),
      }),
    ]);
  });

  test.each([
    ['a file the lab does not have', '@student/routing/nope.js'],
    ["another lab's file of the same name", '@student/fairness/ai-router.js'],
    ['a name without its lab (no first-match aliasing)', '@student/ai-router.js'],
  ])('a harness asking for %s fails the build', async (_what, spec) => {
    const entry = join(root, `bad-harness-${spec.replace(/\W/g, '-')}.ts`);
    writeFileSync(entry, `import * as x from '${spec}';\nconsole.log(x);\n`);
    const result = await build({ 'ai-router.ts': STUB }, { entry });
    expect(result.ok).toBe(false);
    expect(result.errors[0]!.message).toBe(
      `"${spec}" names no student file of this lab (known: @student/routing/ai-router)`,
    );
  });

  test('caller mistakes throw: a non-empty workDir, an unsafe student name', async () => {
    const used = join(root, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'x'), '');
    await expect(
      buildSubmission({ repoRoot, workDir: used, labStudentDir: 'starter/routing', files: new Map(), entry: harness }),
    ).rejects.toThrow(/is not empty/);
    await expect(
      buildSubmission({
        repoRoot,
        workDir: join(root, 'fresh'),
        labStudentDir: 'routing',
        files: new Map(),
        entry: harness,
      }),
    ).rejects.toThrow('labStudentDir "routing" must be a folder under starter/');
    await expect(build({ '../escape.ts': '' })).rejects.toThrow(/must be a relative/);
  });
});
