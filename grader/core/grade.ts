/**
 * Grading one submission: intake → build → one sandboxed child per rubric item → scores in the parent
 * → results.json, report.md, report.html. Every step's failure becomes item verdicts or an internal
 * error in the result; the reports are written whatever happens.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { buildSubmission } from '../build/build-submission.js';
import { diagnosticHeadline, formatDiagnostic } from '../build/diagnostics.js';
import { readSubmission } from '../intake/read-submission.js';
import { labManifest } from '../manifest/lab-manifests.js';
import { totalPoints, type RubricItem } from '../manifest/schema.js';
import type { ReportFormat } from '../report/exporters.js';
import { oneLine, quoteName, withoutControls } from '../report/untrusted-text.js';
import { writeReports } from '../report/write.js';
import { isolationPlan, layerSummary } from '../sandbox/isolation.js';
import { runSandboxed, type SandboxOptions, type SandboxOutcome } from '../sandbox/run-sandboxed.js';
import { runItemChild } from './item-child.js';
import { scoreItem, type ItemContext, type LabDefinition } from './lab.js';
import { roundPoints } from './scoring.js';
import { guessOtherLab } from './wrong-lab.js';
import { caseTimeoutMs, type CaseRun, type SplitCases } from './split-cases.js';
import type { GradingResult, ItemResult, Verdict } from './types.js';

export interface GradeOptions {
  /** The lab's definition, resolved by the caller (the CLI, through grader/labs/catalogue.ts): core imports no lab. */
  readonly lab: LabDefinition;
  /** A .zip or a directory holding the student files. */
  readonly submission: string;
  /** Name shown in reports and used for the default output folder. */
  readonly submissionName?: string;
  readonly hiddenSeed?: number;
  /** 'check' runs only the visible items (students' local runner). */
  readonly mode?: 'grade' | 'check';
  /** Output folder; undefined: do not write files. */
  readonly outDir?: string;
  readonly onItem?: (item: ItemResult) => void;
  /** Extra result formats besides Gradescope's results.json. */
  readonly formats?: readonly ReportFormat[];
  /** Caps every item's timeout (tests use it to keep adversarial fixtures quick). */
  readonly maxItemTimeoutMs?: number;
  /** Caps every item's heap (tests use it so a memory bomb hits the limit long before the timeout). */
  readonly maxOldSpaceMb?: number;
  /** Item child runs at once (default: the machine's cores, at most 2; batch grading passes 1 per submission). */
  readonly itemJobs?: number;
}

/** Item runs at once by default: two cores' worth, the size of a Gradescope or CI machine. */
function defaultItemJobs(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * At most `size` tasks at once. Tasks asked for in one go (synchronously) start highest priority first,
 * ties in the order asked: the grader asks for every item's run at once, and starting the longest first
 * keeps one long run from trailing alone at the end.
 */
class Slots {
  #free: number;
  readonly #queue: { readonly priority: number; readonly start: () => void }[] = [];
  #pumpQueued = false;
  constructor(size: number) {
    this.#free = size;
  }
  run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        Promise.resolve()
          .then(task)
          .then(resolve, reject)
          .finally(() => {
            this.#free++;
            this.#pump();
          });
      };
      this.#queue.push({ priority, start });
      if (!this.#pumpQueued) {
        this.#pumpQueued = true;
        queueMicrotask(() => {
          this.#pumpQueued = false;
          this.#pump();
        });
      }
    });
  }
  #pump(): void {
    while (this.#free > 0 && this.#queue.length > 0) {
      let best = 0;
      for (let i = 1; i < this.#queue.length; i++) if (this.#queue[i]!.priority > this.#queue[best]!.priority) best = i;
      const [next] = this.#queue.splice(best, 1);
      this.#free--;
      next!.start();
    }
  }
}

/**
 * The seed of an item's `Math.random` in the child: one-way from the hidden seed (the child must not
 * learn it) and per item, the same on every regrade.
 */
export function childRandomSeed(hiddenSeed: number, itemId: string): number {
  const digest = createHash('sha256').update(`servelab-math-random\0${hiddenSeed}\0${itemId}`).digest();
  return (digest.readUInt32BE(0) % (2 ** 31 - 1)) + 1;
}

export function graderVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The hidden seed: explicit, else SERVELAB_HIDDEN_SEED, else the lab's embedded default. */
export function resolveHiddenSeed(explicit: number | undefined, labDefault: number): number {
  if (explicit !== undefined) return explicit;
  const env = process.env.SERVELAB_HIDDEN_SEED;
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`SERVELAB_HIDDEN_SEED must be an integer, got "${env}"`);
    return n;
  }
  return labDefault;
}

/** Messages and output may carry student text (error messages, printed output): one-line messages, no control characters. */
function itemResult(
  item: RubricItem,
  number: string,
  verdict: Verdict,
  score: number,
  message: string,
  output = '',
  durationMs = 0,
  extra: Partial<ItemResult> = {},
): ItemResult {
  return {
    id: item.id,
    number,
    title: item.title,
    kind: item.kind,
    visibility: item.visibility,
    score,
    maxScore: item.points,
    verdict,
    message: oneLine(message),
    output: withoutControls(output),
    durationMs,
    ...extra,
  };
}

function studentOutput(outcome: SandboxOutcome): string {
  const parts: string[] = [];
  if (outcome.verdict !== 'ok' && outcome.details !== undefined && outcome.details.trim() !== '')
    parts.push(outcome.details.trimEnd());
  if (outcome.stdout.trim() !== '') parts.push(`your program printed:\n${outcome.stdout.trimEnd()}`);
  if (outcome.stderr.trim() !== '') parts.push(`on stderr:\n${outcome.stderr.trimEnd()}`);
  return parts.join('\n\n');
}

/** A child run of an item, and what the grader did about it (e.g. rerun case by case). */
interface ItemRun {
  readonly outcome: SandboxOutcome;
  /** What `score` gets: the child's reply, or what `drive` made of a session with it. */
  readonly result: unknown;
  readonly note?: string;
}

/**
 * After a unit item timed out: each case again in its own child, so the case that hung is named and
 * the others score. The item's outcome is then `ok` with the merged result, and a note for the report.
 */
async function rerunCaseByCase(
  split: SplitCases,
  input: unknown,
  whole: SandboxOutcome,
  run: (input: unknown, timeoutMs: number) => Promise<SandboxOutcome>,
  itemTimeoutMs: number,
): Promise<ItemRun> {
  const inputs = split.inputs(input);
  if (inputs === undefined) return { outcome: whole, result: whole.result };
  const perCase = caseTimeoutMs(itemTimeoutMs, inputs.length);
  const runs: CaseRun[] = [];
  const stopped: string[] = [];
  for (const one of inputs) {
    const outcome = await run(one.input, perCase);
    if (outcome.verdict === 'ok') runs.push({ raw: outcome.result });
    else {
      const failure =
        outcome.verdict === 'timeout'
          ? `this case did not finish within ${perCase} ms when run alone (an infinite loop?)`
          : `${outcome.verdict}: ${outcome.message}`;
      runs.push({ failure });
      stopped.push(`"${one.name}": ${outcome.verdict === 'timeout' ? 'hung' : outcome.verdict}`);
    }
  }
  const note = `All cases together timed out after ${itemTimeoutMs} ms, so each case was run alone (${perCase} ms each): ${stopped.length === 0 ? 'none hung alone' : stopped.join('; ')}; the other cases are scored as usual.`;
  const merged = split.merge(input, runs);
  return { outcome: { ...whole, verdict: 'ok', message: 'ok', result: merged }, result: merged, note };
}

export async function gradeSubmission(options: GradeOptions): Promise<GradingResult> {
  const result = await gradeInMemory(options);
  if (options.outDir !== undefined) await writeReports(options.outDir, result, options.formats);
  return result;
}

async function gradeInMemory(options: GradeOptions): Promise<GradingResult> {
  const started = performance.now();
  const mode = options.mode ?? 'grade';
  let lab: LabDefinition | undefined;
  const items: ItemResult[] = [];
  const notices: string[] = [];
  let typeErrors: string[] = [];
  let internalError: string | undefined;
  let wrongLab: string | undefined;
  let hiddenSeed = options.hiddenSeed ?? 0;
  const work = mkdtempSync(join(tmpdir(), 'servelab-grade-'));
  try {
    lab = options.lab;
    const manifest = lab.manifest;
    hiddenSeed = resolveHiddenSeed(options.hiddenSeed, manifest.defaultHiddenSeed);
    const rubric = manifest.items.filter((i) => mode === 'grade' || i.visibility === 'visible');
    const numbered = rubric.map((item, i) => ({ item, number: String(i + 1) }));
    const failAll = (verdict: Verdict, message: string, output = '') => {
      for (const { item, number } of numbered) items.push(itemResult(item, number, verdict, 0, message, output));
    };

    const intake = await readSubmission(options.submission, manifest.files, {
      hint: `./submit.sh ${manifest.lab}`,
      studentDir: manifest.studentDir,
    });
    // Intake messages quote zip entry names, which the student chose: each notice stays one line.
    for (const p of intake.problems) notices.push(oneLine(p.message));
    if (intake.ignored.length > 0)
      notices.push(`Ignored files not part of this lab: ${intake.ignored.map(quoteName).join(', ')}`);
    const missing = manifest.files.filter((f) => !intake.files.has(f));
    wrongLab = missing.length > 0 ? guessOtherLab(intake.ignored, manifest.lab) : undefined;
    if (wrongLab !== undefined) {
      const message =
        `this is a submission for the ${wrongLab} lab (it holds ${labManifest(wrongLab).studentDir}/), not the ${manifest.lab} lab: ` +
        `nothing was graded; make the ${manifest.lab} zip with ./submit.sh ${manifest.lab} and upload it to the ${manifest.lab} assignment`;
      notices.unshift(message.charAt(0).toUpperCase() + message.slice(1));
      failAll('missing-file', `wrong lab: ${message}`);
      return finish();
    }
    if (missing.length > 0) {
      failAll(
        'missing-file',
        `missing ${missing.join(', ')}: the submission must contain ${missing.map((f) => `${manifest.studentDir}/${f}`).join(', ')} (as made by ./submit.sh ${manifest.lab})`,
      );
      return finish();
    }

    const build = await buildSubmission({
      repoRoot: REPO_ROOT,
      workDir: join(work, 'build'),
      labStudentDir: manifest.studentDir,
      files: intake.files,
      entry: lab.harnessEntry,
      ...(lab.countWork === true ? { countWork: true } : {}),
    });
    if (!build.ok || build.bundlePath === undefined) {
      // Code that does not build is not "type errors, not graded": every item is a compile error, and the
      // type checker's messages (mostly the same syntax error again) go with the build's, not under that title.
      const seen = new Set(build.errors.map((d) => `${d.file}:${d.line}`));
      const more = build.typeErrors.filter((d) => !seen.has(`${d.file}:${d.line}`)).map(formatDiagnostic);
      const output = [
        build.errors.map(formatDiagnostic).join('\n'),
        more.length > 0 ? `the type checker also reports:\n${more.join('\n')}` : '',
      ]
        .filter((s) => s !== '')
        .join('\n\n');
      const first = build.errors[0];
      failAll(
        'compile-error',
        `your code does not build: ${first !== undefined ? diagnosticHeadline(first) : 'unknown error'}`,
        output,
      );
      return finish();
    }
    typeErrors = build.typeErrors.map((d) => withoutControls(formatDiagnostic(d)));

    const ctx: ItemContext = { hiddenSeed, publicSeed: manifest.publicSeed, repoRoot: REPO_ROOT, mode };
    // Items whose child input is identical share one child run (e.g. two items scored on the same workloads).
    const outcomes = new Map<string, Promise<ItemRun>>();
    // Child runs go ahead `itemJobs` at a time while results are scored in rubric order: the limits count CPU
    // time (grader/sandbox/cpu-clock.ts), so runs side by side cannot time each other out.
    const slots = new Slots(options.itemJobs ?? defaultItemJobs());
    const started = numbered.map(({ item, number }) => {
      const impl = lab!.items[item.id]!;
      try {
        const { input, prepared } = impl.prepare(ctx);
        const key = JSON.stringify(input);
        let pending = outcomes.get(key);
        const timeoutMs = Math.min(
          item.timeoutMs ?? manifest.limits.itemTimeoutMs,
          options.maxItemTimeoutMs ?? Number.POSITIVE_INFINITY,
        );
        const sandbox = (childInput: unknown, childTimeoutMs: number): SandboxOptions => ({
          bundlePath: build.bundlePath!,
          readDirs: [],
          srcRoot: build.srcRoot!,
          studentDir: manifest.studentDir,
          input: childInput,
          timeoutMs: childTimeoutMs,
          maxOldSpaceMb: Math.min(
            item.maxOldSpaceMb ?? manifest.limits.maxOldSpaceMb,
            options.maxOldSpaceMb ?? Number.POSITIVE_INFINITY,
          ),
          maxOutputBytes: manifest.limits.maxOutputBytes,
          randomSeed: childRandomSeed(hiddenSeed, item.id),
        });
        const run = (childInput: unknown, childTimeoutMs: number) => runSandboxed(sandbox(childInput, childTimeoutMs));
        if (pending === undefined) {
          pending = slots.run(
            () =>
              impl.drive === undefined
                ? run(input, timeoutMs).then((whole): ItemRun | Promise<ItemRun> =>
                    whole.verdict === 'timeout' && impl.splitCases !== undefined
                      ? rerunCaseByCase(impl.splitCases, input, whole, run, timeoutMs)
                      : { outcome: whole, result: whole.result },
                  )
                : runItemChild(impl, sandbox(input, timeoutMs), prepared, ctx),
            // An item's time limit stands for its cost: the longest start first.
            timeoutMs,
          );
          // Awaited in rubric order below; until then a rejection must not count as unhandled.
          pending.catch(() => {});
          outcomes.set(key, pending);
        }
        return { item, number, impl, prepared, pending };
      } catch (err) {
        return { item, number, error: err as Error };
      }
    });
    // Each item is scored as soon as its run ends (scoring replays and baselines run here while other
    // items' children still run); results are reported in rubric order.
    const scoreOne = async (one: (typeof started)[number]): Promise<ItemResult> => {
      const { item, number } = one;
      let itemStarted = performance.now();
      let result: ItemResult;
      try {
        if ('error' in one) throw one.error;
        const { impl, prepared, pending } = one;
        const { outcome, note, result: childResult } = await pending;
        itemStarted = performance.now();
        const shown = studentOutput(outcome);
        // The item's time: its child run's own, plus scoring here.
        const ran = outcome.durationMs;
        if (outcome.verdict !== 'ok') {
          result = itemResult(item, number, outcome.verdict, 0, outcome.message, shown, ran);
        } else {
          try {
            const scored = await scoreItem(impl, childResult, prepared, ctx, item.points);
            const score = roundPoints(Math.min(item.points, Math.max(0, scored.score)));
            const verdict: Verdict =
              scored.threw === true && score === 0
                ? scored.outOfMemory === true
                  ? 'memory'
                  : 'error'
                : item.points === 0 && scored.passed !== undefined
                  ? scored.passed
                    ? 'passed'
                    : 'failed'
                  : score >= item.points
                    ? 'passed'
                    : score > 0
                      ? 'partial'
                      : 'failed';
            result = itemResult(
              item,
              number,
              verdict,
              score,
              scored.message,
              [note ?? '', scored.output, shown].filter((s) => s !== '').join('\n\n'),
              ran + performance.now() - itemStarted,
              {
                ...(scored.leaderboard !== undefined ? { leaderboard: scored.leaderboard } : {}),
                ...(scored.extra !== undefined ? { extra: scored.extra } : {}),
                ...(scored.plots !== undefined ? { plots: scored.plots } : {}),
                ...(scored.timelines !== undefined ? { timelines: scored.timelines } : {}),
              },
            );
          } catch (err) {
            const invalid = (err as { verdict?: string }).verdict === 'invalid-output';
            result = itemResult(
              item,
              number,
              invalid ? 'invalid-output' : 'grader-error',
              0,
              invalid ? (err as Error).message : `the grader failed while scoring this item: ${(err as Error).message}`,
              shown,
              ran + performance.now() - itemStarted,
            );
          }
        }
      } catch (err) {
        result = itemResult(
          item,
          number,
          'grader-error',
          0,
          `the grader failed to run this item: ${(err as Error).message}`,
          '',
          performance.now() - itemStarted,
        );
      }
      return result;
    };
    const scored = started.map(scoreOne);
    // If one fails past its own guards, the grading stops there (finish() reports it): the rest must not
    // surface as unhandled rejections.
    for (const p of scored) p.catch(() => {});
    for (const next of scored) {
      const result = await next;
      items.push(result);
      options.onItem?.(result);
    }
    return finish();
  } catch (err) {
    internalError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return finish();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  function finish(): GradingResult {
    const manifest = lab?.manifest;
    if (manifest !== undefined && internalError !== undefined) {
      // Items the failure kept from running still appear, so the total is out of the right maximum.
      const done = new Set(items.map((i) => i.id));
      manifest.items
        .filter((i) => mode === 'grade' || i.visibility === 'visible')
        .forEach((item, index) => {
          if (!done.has(item.id))
            items.push(
              itemResult(item, String(index + 1), 'grader-error', 0, `not run: the grader failed (${internalError})`),
            );
        });
      items.sort((a, b) => Number(a.number) - Number(b.number));
    }
    const maxScore =
      manifest === undefined
        ? 0
        : totalPoints({
            ...manifest,
            items: manifest.items.filter((i) => mode === 'grade' || i.visibility === 'visible'),
          });
    const result: GradingResult = {
      lab: options.lab.manifest.lab,
      labTitle: options.lab.manifest.title,
      submission: oneLine(options.submissionName ?? basename(options.submission)),
      hiddenSeed,
      publicSeed: manifest?.publicSeed ?? 0,
      mode,
      items,
      score: roundPoints(items.reduce((s, i) => s + i.score, 0)),
      maxScore,
      notices,
      typeErrors,
      ...(internalError !== undefined ? { internalError: withoutControls(internalError) } : {}),
      ...(wrongLab !== undefined ? { wrongLab } : {}),
      graderVersion: graderVersion(),
      durationMs: performance.now() - started,
      sandboxLayers: layerSummary(isolationPlan()),
    };
    return result;
  }
}
