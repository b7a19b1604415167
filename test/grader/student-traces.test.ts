/**
 * Issue 16, item 10: what a student is shown when their code throws names their own class and method,
 * never a class the harness defines around it (it once read `at Recording.selectNextRequest`, because
 * V8 names a method's frame after the receiver's class and the harness subclassed the student's).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { runItemChildren } from './grade-items.js';

/** The classes the lab harnesses wrap around or beside student code. */
const INTERNAL =
  /\b(Recording|RecordingRouter|Probe|Spy|UnitReplica|LabReplica|ReplayScheduler|ReplayReplicaScheduler)\b/;

/** The reference's files with one method made to throw as soon as it runs. */
function throwing(lab: string, file: string, signature: string, condition: string): Map<string, string> {
  const dir = join(REPO_ROOT, 'reference', lab);
  const files = new Map<string, string>();
  for (const f of readdirSync(dir)) if (f.endsWith('.ts')) files.set(f, readFileSync(join(dir, f), 'utf8'));
  const src = files.get(file)!;
  expect(src).toContain(signature);
  files.set(
    file,
    src.replace(signature, `${signature}\n    if (${condition}) throw new Error('thrown by the student');`),
  );
  return files;
}

/** What the student is shown for an item's child: the trimmed trace when it failed, else the reported errors. */
async function shown(lab: string, files: Map<string, string>, ids: readonly string[]): Promise<Record<string, string>> {
  const runs = await runItemChildren(lab, files, ids);
  const out: Record<string, string> = {};
  for (const [id, run] of Object.entries(runs)) {
    out[id] = 'result' in run ? JSON.stringify(run.result) : `${run.message}\n${run.details ?? ''}`;
  }
  return out;
}

describe('a throw from a student method', () => {
  it('fairness: a scenario run (the harness records getNextBatch) shows VtcReplicaScheduler frames', async () => {
    const files = throwing(
      'fairness',
      'vtc-replica-scheduler.ts',
      'selectNextRequest(): VtcSelection | undefined {',
      'this.waiting.length > 0',
    );
    const { 'vtc-overload': text } = await shown('fairness', files, ['vtc-overload']);
    expect(text).toMatch(
      /at VtcReplicaScheduler\.selectNextRequest \(starter\/fairness\/vtc-replica-scheduler\.ts:\d+:\d+\)/,
    );
    expect(text).toMatch(/at VtcReplicaScheduler\.getNextBatch \(starter\/fairness\/vtc-replica-scheduler\.ts:/);
    expect(text).not.toMatch(INTERNAL);
  });

  it('deadline: an overload run (getNextBatch recorded) names DeadlineScheduler.tokenDeadline', async () => {
    const files = throwing('deadline', 'deadline-scheduler.ts', 'tokenDeadline(r: Request): number {', 'r.id >= 0');
    const { overload: text } = await shown('deadline', files, ['overload']);
    expect(text).toMatch(
      /Error: thrown by the student \(at DeadlineScheduler\.tokenDeadline, starter\/deadline\/deadline-scheduler\.ts:\d+\)/,
    );
    expect(text).not.toMatch(INTERNAL);
  });

  it('autoscaling: a unit case and a simulation (tune recorded) name InferlineAutoscaler.tune', async () => {
    const files = throwing(
      'autoscaling',
      'inferline-autoscaler.ts',
      'tune(now: number, state: ScalingState): number {',
      'now >= 0',
    );
    const text = await shown('autoscaling', files, ['tune', 'tuning']);
    expect(text.tune).toMatch(
      /thrown by the student \(at InferlineAutoscaler\.tune, starter\/autoscaling\/inferline-autoscaler\.ts:\d+\)/,
    );
    expect(text.tuning).toMatch(
      /at InferlineAutoscaler\.tune \(starter\/autoscaling\/inferline-autoscaler\.ts:\d+:\d+\)/,
    );
    expect(`${text.tune}${text.tuning}`).not.toMatch(INTERNAL);
  });

  it('cfs: a unit step (the harness hooks schedule) and a simulation name CfsScheduler.scheduleCfs', async () => {
    const files = throwing(
      'cfs',
      'cfs-scheduler.ts',
      'override scheduleCfs(): SchedulerOutputs {',
      'this.running.length >= 0',
    );
    const text = await shown('cfs', files, ['cfs-step', 'burst-p99-ttft']);
    expect(text['cfs-step']).toMatch(
      /thrown by the student \(at CfsScheduler\.scheduleCfs, starter\/cfs\/cfs-scheduler\.ts:\d+\)/,
    );
    expect(text['burst-p99-ttft']).toMatch(/at CfsScheduler\.scheduleCfs \(starter\/cfs\/cfs-scheduler\.ts:\d+:\d+\)/);
    expect(`${text['cfs-step']}${text['burst-p99-ttft']}`).not.toMatch(INTERNAL);
  });
});
