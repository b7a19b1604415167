/**
 * `npm run sweep -- <lab> [--seeds 1-200] [--jobs 2] [--out FILE]`: grades the lab's reference on many
 * hidden seeds in-process (grader/kit/seed-sweep.ts) and names every seed where it misses a point or an
 * item fails. Exit 0 when the reference gets full marks on every seed, 1 otherwise, 2 on bad arguments.
 * With --jobs N, N processes take every N-th seed each. Each seed's trusted runs are cached in a
 * temporary folder that is removed after the seed: a sweep never fills the grading cache.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { InputError } from '../../sim/errors.js';
import { referenceAsBuilt, shortfalls, sweepSeed, type SeedIndependent, type SweptSeed } from '../kit/seed-sweep.js';
import { labNames, loadInProcessParts, loadLab } from '../labs/catalogue.js';
import { intFlag, parseCli } from './args.js';
import { runAsCommand } from '../../sim/cli/entry.js';

const USAGE = `Usage: npm run sweep -- <${labNames().join('|')}> [--seeds 1-200] [--jobs 2] [--out FILE]

Grades the lab's reference on hidden seeds FROM-TO in-process and names every seed where it misses a
point or an item fails (exit 1). --jobs: processes side by side. --out: every seed's scores as JSON.`;

/** "1-200" or "7": the seeds, each a non-negative integer. */
export function parseSeeds(text: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m === null) throw new InputError(`--seeds expects FROM-TO or one seed (e.g. 1-200), got "${text}"`);
  const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (to < from) throw new InputError(`--seeds ${text}: the range is empty`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** One process's share: its seeds in order, one JSON line each on stdout. */
async function runShare(labName: string, seeds: readonly number[], emit: (s: SweptSeed) => void): Promise<void> {
  const lab = await loadLab(labName);
  const { child, oracle } = await loadInProcessParts(labName);
  const reference = await referenceAsBuilt(lab, oracle, REPO_ROOT);
  const seen: SeedIndependent = new Map();
  try {
    for (const seed of seeds) {
      const cache = mkdtempSync(join(tmpdir(), `servelab-sweep-${labName}-`));
      process.env.SERVELAB_CACHE_DIR = cache;
      try {
        emit(await sweepSeed(lab, { module: reference.module, child }, seed, REPO_ROOT, seen));
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    }
  } finally {
    reference.cleanup();
  }
}

/** Runs `jobs` processes of this command, each on every jobs-th seed, and passes on their lines. */
function runShares(labName: string, seeds: readonly number[], jobs: number, emit: (s: SweptSeed) => void) {
  const script = fileURLToPath(import.meta.url);
  const shares = Array.from({ length: jobs }, (_, k) => seeds.filter((_, i) => i % jobs === k));
  return Promise.all(
    shares
      .filter((share) => share.length > 0)
      .map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            const proc = spawn(process.execPath, [...process.execArgv, script, labName, '--share', share.join(',')], {
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            createInterface({ input: proc.stdout }).on('line', (line) => emit(JSON.parse(line) as SweptSeed));
            proc.on('error', reject);
            proc.on('close', (code) =>
              code === 0 ? resolve() : reject(new Error(`a sweep process exited with code ${code}`)),
            );
          }),
      ),
  );
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv, ['seeds', 'jobs', 'out', 'share'], ['help']);
    if (parsed.flags.has('help') || parsed.positionals.length !== 1) {
      console.log(USAGE);
      return parsed.flags.has('help') ? 0 : 2;
    }
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, flags } = parsed;
  const labName = positionals[0]!;
  const share = flags.get('share');
  if (typeof share === 'string') {
    // A process started by runShares: its seeds, machine-readable.
    await runShare(labName, share.split(',').map(Number), (s) => process.stdout.write(`${JSON.stringify(s)}\n`));
    return 0;
  }
  let seeds: number[];
  let jobs: number;
  try {
    if (!labNames().includes(labName))
      throw new InputError(`no lab named "${labName}"; labs: ${labNames().join(', ')}`);
    seeds = parseSeeds(String(flags.get('seeds') ?? '1-200'));
    jobs = intFlag(flags, 'jobs') ?? 1;
    if (jobs < 1) throw new InputError('--jobs must be at least 1');
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    console.error(`error: ${err.message}`);
    return 2;
  }
  const started = performance.now();
  const results: SweptSeed[] = [];
  const emit = (s: SweptSeed) => {
    results.push(s);
    const wrong = shortfalls(s);
    const head = `[${results.length}/${seeds.length}] ${labName} seed ${s.seed} (${(s.ms / 1000).toFixed(1)} s)`;
    console.log(wrong.length === 0 ? `${head}: full marks` : `${head}:\n  ${wrong.join('\n  ')}`);
  };
  if (jobs === 1) await runShare(labName, seeds, emit);
  else await runShares(labName, seeds, jobs, emit);
  results.sort((a, b) => a.seed - b.seed);
  const failing = results.filter((s) => shortfalls(s).length > 0);
  const out = flags.get('out');
  if (typeof out === 'string') writeFileSync(out, `${JSON.stringify({ lab: labName, seeds: results }, null, 1)}\n`);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(
    `\n${labName}: the reference got full marks on ${results.length - failing.length} of ${results.length} seeds` +
      (failing.length > 0 ? `; not on ${failing.map((s) => s.seed).join(', ')}` : '') +
      ` (${minutes} min, ${jobs} process${jobs > 1 ? 'es' : ''})`,
  );
  return failing.length === 0 ? 0 : 1;
}

await runAsCommand(import.meta.url, main);
