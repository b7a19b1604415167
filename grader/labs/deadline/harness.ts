/**
 * The deadline lab's child-side harness: runs inside the sandbox with the student's scheduler bundled
 * in and returns raw observations (probe values, violation rates, batch logs). Scores are computed by
 * the parent, never here.
 */
import { serve } from '../../sandbox/child-runtime.js';
import * as student from '@student/deadline/deadline-scheduler.js';
import type { Batch } from '../../../sim/entities/batch.js';
import type { Request } from '../../../sim/entities/request.js';
import type { DeadlineOptions } from '../../../sim/policies/replica/deadline/deadline-options.js';
import type { ReplicaSchedulerInit } from '../../../sim/policies/replica/replica-scheduler.js';
import { logCall } from '../../kit/batch-log.js';
import { describeThrown, hookMethod } from '../../kit/instance-hook.js';
import { runProbes, type DeadlineModule } from './probes.js';
import { DeadlineInput, type DeadlineOutput } from './protocol.js';
import { bracketOf, capacityOf, simulateAt, type Workload } from './simulate.js';

const lab = student as unknown as DeadlineModule;
const message = (err: unknown): string => describeThrown(err, 'starter/deadline');

/**
 * The student's scheduler, recording every getNextBatch call into `sink.log`. Wrapped on the instance
 * (shared/instance-hook.ts), so traces keep the student's class name.
 */
function recording(sink: { log: number[] }) {
  const Student = lab.DeadlineScheduler as unknown as new (
    init: ReplicaSchedulerInit,
    options: DeadlineOptions,
  ) => { running: Request[] };
  return (init: ReplicaSchedulerInit, options: DeadlineOptions) => {
    const scheduler = new Student(init, options);
    return hookMethod(scheduler, 'getNextBatch', (original: (now: number) => Batch | undefined) => (now) => {
      const before: [Request, number][] = scheduler.running.map((r) => [r, r.numRestarts]);
      const batch = original(now);
      logCall(
        sink.log,
        now,
        before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id),
        batch,
      );
      return batch;
    }) as never;
  };
}

function capacitySearch(w: Workload) {
  const logs = new Map<number, number[]>();
  const sink = { log: [] as number[] };
  try {
    const trace = capacityOf(w, recording(sink), (qps) => {
      logs.set(qps, sink.log);
      sink.log = [];
    });
    const { pass, fail } = bracketOf(trace.probes);
    const keep = [pass, fail].filter((p) => p !== undefined).map((p) => ({ qps: p.qps, log: logs.get(p.qps) ?? [] }));
    return {
      probes: trace.probes.map((p) => ({ qps: p.qps, maxRate: p.maxRate, perTier: [...p.perTier] })),
      logs: keep,
    };
  } catch (err) {
    return { probes: [], logs: [], error: message(err) };
  }
}

serve((raw): DeadlineOutput => {
  const input = DeadlineInput.parse(raw);
  switch (input.task) {
    case 'units':
      return { task: 'units', results: runProbes(lab, input.item, input.seed, input.publicOnly, input.only) };
    case 'capacity':
      return { task: 'capacity', searches: input.workloads.map(capacitySearch) };
    case 'overload':
      return {
        task: 'overload',
        runs: input.runs.map(({ workload, qps, batchSizeCap }) => {
          const sink = { log: [] as number[] };
          try {
            simulateAt(workload, qps, recording(sink), [], undefined, batchSizeCap);
            return { log: sink.log };
          } catch (err) {
            return { log: sink.log, error: message(err) };
          }
        }),
      };
  }
});
