/**
 * The student handout: exactly what students get for one lab or all, as a folder and a zip beside it.
 * In: the engine, the lab's starter files and handout, traces, the public runner (npm run check) and
 * ./submit.sh, a package.json with only what those need. Out: reference solutions, mutants, hidden
 * seeds, instructor tests, batch grading and bundling tools.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { labManifest, labNames, loadLab } from '../labs/catalogue.js';
import { buildPublished, publishedFile } from '../core/try.js';
import { stubFingerprintsFile, stubFingerprintsText } from '../submit/stub-fingerprint.js';
import { copyFiles, freshDir, listFiles, otherLabsCode, zipFolder } from './files.js';

/** Grader files students must not get: instructor-only tools. */
const INSTRUCTOR_ONLY = [
  'grader/batch/',
  'grader/dist/',
  'grader/cli/grade.ts',
  'grader/cli/start.ts',
  'grader/cli/gradescope.ts',
  'grader/cli/dist.ts',
];

export interface StudentDistOptions {
  readonly labs: readonly string[];
  readonly outDir: string;
  /** Write package-lock.json with npm (needs the npm registry); tests may skip it. */
  readonly lockfile: boolean;
  /**
   * Measure the reference for `npm run try`'s published numbers (labs/<lab>/published.json; default
   * true). Tests that do not run `try` skip it: it simulates the public workloads.
   */
  readonly published?: boolean;
}

export interface StudentDist {
  readonly dir: string;
  readonly zip: string;
  readonly files: readonly string[];
}

function studentPackageJson(labs: readonly string[]): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const dev = pkg.devDependencies;
  return `${JSON.stringify(
    {
      name: 'servelab-student',
      version: pkg.version,
      private: true,
      description: `servelab student handout: ${labs.join(', ')}`,
      type: 'module',
      engines: { node: '>=20.0.0' },
      scripts: {
        check: 'tsx grader/cli/check.ts',
        sim: 'tsx sim/cli/sim.ts',
        demo: 'tsx sim/cli/demo.ts',
        try: 'tsx grader/cli/try.ts',
        typecheck: 'tsc --noEmit -p tsconfig.json',
      },
      dependencies: pkg.dependencies,
      // tsx runs the TypeScript; typescript reports type errors; @types/* type the engine.
      devDependencies: Object.fromEntries(
        Object.entries(dev).filter(([name]) =>
          ['tsx', 'typescript', '@types/node', '@types/cli-progress', '@types/yauzl'].includes(name),
        ),
      ),
    },
    null,
    2,
  )}\n`;
}

function studentReadme(labs: readonly string[]): string {
  return [
    '# servelab: student handout',
    '',
    '```sh',
    'npm ci                      # once',
    ...labs.map((l) => `npm run check -- ${l}       # the public checks of lab "${l}" on starter/${l}/`),
    '```',
    '',
    'Your lab handouts:',
    '',
    ...labs.map((l) => `- \`labs/${l}/README.md\`: ${labManifest(l).title}`),
    '',
    'Edit only the files in `starter/<lab>/`. Useful commands:',
    '',
    '| command | what |',
    '|---|---|',
    '| `npm run check -- <lab>` | runs the visible rubric items on your files, through the same build and sandbox as the grader; hidden items decide the grade |',
    "| `npm run try -- <lab>` | runs your code directly on the public workloads and prints a table beside the baselines and the reference's published numbers (plots in `reports/<lab>/try/`) |",
    '| `./submit.sh <lab>` | writes `<lab>-submission.zip` with exactly your files: upload that |',
    '| `npm run sim -- --help` | the simulator; e.g. `npm run sim -- --global-scheduler round_robin` |',
    '| `npm run typecheck` | type-check everything |',
    '',
    'How the simulator works: `docs/architecture.md`.',
    '',
  ].join('\n');
}

export async function buildStudentDist(options: StudentDistOptions): Promise<StudentDist> {
  for (const l of options.labs) labManifest(l); // unknown labs fail here with the list of labs
  const dir = options.outDir;
  freshDir(dir);
  const labs = [...options.labs];
  const otherLabs = otherLabsCode(labs, labNames());
  const skipGrader = (p: string) => INSTRUCTOR_ONLY.some((x) => p === x || p.startsWith(x)) || otherLabs(p);
  const files = [
    ...listFiles(REPO_ROOT, 'sim', (p) => p.endsWith('.test.ts')),
    ...listFiles(REPO_ROOT, 'traces'),
    ...listFiles(REPO_ROOT, 'grader', skipGrader),
    ...labs.flatMap((l) => {
      const m = labManifest(l);
      return [...listFiles(REPO_ROOT, m.studentDir), `labs/${l}/README.md`];
    }),
    'docs/architecture.md',
    'submit.sh',
  ];
  copyFiles(REPO_ROOT, files, dir);
  // The manifest without the hidden seed (hidden items stay listed: their titles and points are in the handout).
  for (const l of labs) {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'labs', l, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    manifest.defaultHiddenSeed = 0;
    writeFileSync(join(dir, 'labs', l, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  // Fingerprints of the stubs as shipped: ./submit.sh warns about an untouched one without git.
  for (const l of labs) {
    const m = labManifest(l);
    const stubs = new Map(m.files.map((f) => [f, readFileSync(join(REPO_ROOT, m.studentDir, f))] as const));
    writeFileSync(join(dir, stubFingerprintsFile(l)), stubFingerprintsText(l, stubs));
  }
  // Data the public checks and `npm run try` need from the reference, computed here where it exists.
  for (const l of labs) {
    const lab = await loadLab(l);
    const data = { ...((await lab.handoutData?.(REPO_ROOT)) ?? {}) };
    if (lab.tryout !== undefined && options.published !== false)
      data[publishedFile(l)] = await buildPublished(lab.tryout, REPO_ROOT, lab.manifest.publicSeed);
    for (const [file, text] of Object.entries(data)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }
  writeFileSync(join(dir, 'package.json'), studentPackageJson(labs));
  writeFileSync(join(dir, 'README.md'), studentReadme(labs));
  const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as {
    include: string[];
    exclude?: string[];
  };
  tsconfig.include = ['sim', 'grader', 'starter', 'traces'];
  delete tsconfig.exclude;
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\nreports/\nsimulator_results/\n*-submission.zip\n');
  if (options.lockfile) {
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'ignore',
    });
  }
  const zip = `${dir.replace(/\/+$/, '')}.zip`;
  await zipFolder(dir, zip, 'servelab/');
  return { dir, zip, files: listFiles(dir, '.') };
}

/** Paths and contents that must never reach students; returns what it found. */
export function scanForHidden(dir: string, labs: readonly string[]): string[] {
  const problems: string[] = [];
  const files = listFiles(dir, '.', (p) => p.startsWith('node_modules'));
  for (const f of files)
    if (/(^|\/)(reference|mutants)(\/|$)/.test(f) || f.startsWith('test/')) problems.push(`hidden path shipped: ${f}`);
  const referenceTexts = labs.flatMap((l) => {
    const m = labManifest(l);
    return listFiles(REPO_ROOT, m.referenceDir).map((r) => ({ r, text: readFileSync(join(REPO_ROOT, r), 'utf8') }));
  });
  const seeds = labs.map((l) => String(labManifest(l).defaultHiddenSeed));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const { r, text: ref } of referenceTexts) if (text === ref) problems.push(`${f} is a copy of ${r}`);
    if (f.endsWith('manifest.json'))
      for (const s of seeds) if (text.includes(s)) problems.push(`${f} contains the hidden seed ${s}`);
  }
  return problems;
}
