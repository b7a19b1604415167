/**
 * The report's timeline files must hold public arrivals only (issue 17: "for one public workload of
 * each lab"): every lab's timeline item is graded on the reference, through the real build, sandbox
 * and scoring, and every `arrival` in both trace files the report would write must be an arrival of
 * the public workload, none of the item's hidden ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atRate } from '../../sim/analysis/capacity.js';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { micros } from '../../sim/metrics/timeline/recorder.js';
import { buildSubmission } from '../../grader/build/build-submission.js';
import { scoreItem, type ItemContext } from '../../grader/core/lab.js';
import { labManifest, loadLab } from '../../grader/labs/catalogue.js';
import { hiddenWorkloads as autoscalingHidden, timelineTrace } from '../../grader/labs/autoscaling/workloads.js';
import { publicRun } from '../../grader/labs/cfs/workloads.js';
import {
  drawWorkload,
  hiddenWorkloads as deadlineHidden,
  OVERLOAD_QPS,
  timelineWorkload,
  type WorkloadSpec,
} from '../../grader/labs/deadline/simulate.js';
import { fromWire } from '../../grader/kit/wire.js';
import { partRuns, timelineRun } from '../../grader/labs/fairness/workloads.js';
import { timelineView, type TimelinePair } from '../../grader/report/timeline-view.js';
import { runItemChild } from '../../grader/core/item-child.js';

const work = mkdtempSync(join(tmpdir(), 'servelab-timeline-workloads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The item's timeline pair when the reference is graded as the student. */
async function gradedTimelines(labName: string, itemId: string): Promise<TimelinePair> {
  const lab = await loadLab(labName);
  const files = new Map(
    lab.manifest.files.map((f) => [f, readFileSync(join(REPO_ROOT, lab.manifest.referenceDir, f), 'utf8')]),
  );
  const build = await buildSubmission({
    repoRoot: REPO_ROOT,
    workDir: join(work, `${labName}-${itemId}`),
    labStudentDir: lab.manifest.studentDir,
    files,
    entry: lab.harnessEntry,
    typecheck: false,
  });
  expect(build.errors).toEqual([]);
  const ctx: ItemContext = {
    hiddenSeed: lab.manifest.defaultHiddenSeed,
    publicSeed: lab.manifest.publicSeed,
    repoRoot: REPO_ROOT,
  };
  const impl = lab.items[itemId]!;
  const { input, prepared } = impl.prepare(ctx);
  const sandbox = {
    bundlePath: build.bundlePath!,
    readDirs: [build.bundleDir],
    input,
    timeoutMs: lab.manifest.limits.itemTimeoutMs,
    maxOldSpaceMb: lab.manifest.limits.maxOldSpaceMb,
  };
  const { outcome, result } = await runItemChild(impl, sandbox, prepared, ctx);
  expect(outcome.verdict, outcome.message).toBe('ok');
  const scored = await scoreItem(impl, result, prepared, ctx, 1);
  expect(scored.timelines, `${labName} ${itemId} has no timeline pair`).toBeDefined();
  return scored.timelines!;
}

/** The `ts` (µs) of every arrival in the trace files the report writes for the pair. */
function arrivalsInFiles(pair: TimelinePair): { student: number[]; reference: number[] } {
  const view = timelineView(pair);
  const arrivals = (json: string) =>
    (JSON.parse(json) as { traceEvents: { name: string; ph: string; ts: number }[] }).traceEvents
      .filter((e) => e.name === 'arrival' && e.ph === 'X')
      .map((e) => e.ts);
  return { student: arrivals(view.studentJson), reference: arrivals(view.referenceJson) };
}

const toMicros = (seconds: readonly number[]) => new Set(seconds.map(micros));

/** Every arrival in both files is a public one, none is hidden, and there are some. */
function expectPublicOnly(pair: TimelinePair, publicArrivals: Set<number>, hiddenArrivals: Set<number>): void {
  const files = arrivalsInFiles(pair);
  for (const [side, ts] of Object.entries(files)) {
    expect(ts.length, `${side} file has arrivals`).toBeGreaterThan(0);
    expect(
      ts.filter((t) => !publicArrivals.has(t)),
      `${side} arrivals not in the public workload`,
    ).toEqual([]);
    expect(
      ts.filter((t) => hiddenArrivals.has(t)),
      `${side} arrivals from a hidden workload`,
    ).toEqual([]);
  }
}

const deadlineArrivals = (spec: WorkloadSpec) => {
  const w = drawWorkload(spec);
  return atRate(fromWire(w), 1, OVERLOAD_QPS[w.lengths]).map((r) => r.arrivedAt);
};

describe('every lab draws its report timelines from a public workload', () => {
  it('routing correctness and cfs schedule-interval', async () => {
    const routing = await loadLab('routing');
    const routingCtx: ItemContext = {
      hiddenSeed: routing.manifest.defaultHiddenSeed,
      publicSeed: routing.manifest.publicSeed,
      repoRoot: REPO_ROOT,
    };
    const routingInput = routing.items.correctness!.prepare(routingCtx).input as {
      runs: { requests: { arrivedAt: number[] } }[];
    };
    expectPublicOnly(
      await gradedTimelines('routing', 'correctness'),
      toMicros(routingInput.runs[0]!.requests.arrivedAt),
      new Set(),
    );
    expectPublicOnly(
      await gradedTimelines('cfs', 'schedule-interval'),
      toMicros(publicRun(0).requests.arrivedAt),
      new Set(),
    );
  });

  it('deadline overload', async () => {
    const manifest = labManifest('deadline');
    const hidden = toMicros(deadlineHidden(manifest.defaultHiddenSeed).flatMap(deadlineArrivals));
    expectPublicOnly(
      await gradedTimelines('deadline', 'overload'),
      toMicros(deadlineArrivals(timelineWorkload(manifest.publicSeed))),
      hidden,
    );
  });

  // sarathi-overload-on-off is the same scenario item (grader/labs/fairness/lab.ts) on part 2's runs: one part is enough here.
  it('fairness vtc-on-off', async () => {
    const manifest = labManifest('fairness');
    const hidden = toMicros(partRuns('vtc', manifest.defaultHiddenSeed).flatMap((r) => r.requests.arrivedAt));
    expectPublicOnly(
      await gradedTimelines('fairness', 'vtc-on-off'),
      toMicros(timelineRun('vtc', manifest.publicSeed).requests.arrivedAt),
      hidden,
    );
  });

  it('autoscaling tuning', async () => {
    const manifest = labManifest('autoscaling');
    const hidden = toMicros(
      autoscalingHidden(manifest.defaultHiddenSeed, 'tuning').flatMap((w) => w.requests.arrivedAt),
    );
    expectPublicOnly(
      await gradedTimelines('autoscaling', 'tuning'),
      toMicros(timelineTrace(REPO_ROOT).requests.arrivedAt),
      hidden,
    );
  });
});
