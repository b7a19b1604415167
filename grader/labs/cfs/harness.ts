/**
 * The CFS lab's child-side harness: runs inside the sandbox with the student's scheduler bundled in.
 * It executes what the parent asks (unit situations, cadence probes, simulations) and returns raw
 * observations: what the student's methods returned, the state they left, every step of a run.
 * Scores are computed by the parent, never here.
 */
import { serve } from '../../sandbox/child-runtime.js';
import { CfsScheduler } from '@student/cfs/cfs-scheduler.js';
import * as studentAnswers from '@student/cfs/cfs-answers.js';
import { Request } from '../../../sim/entities/request.js';
import { CpuSwapPool } from '../../../sim/memory/cpu-swap-pool.js';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import { VllmV0ReplicaScheduler } from '../../../sim/policies/replica/vllm-v0-replica-scheduler.js';
import {
  SwapSpaceExhaustedError,
  type BlockTransfer,
  type SchedulerOutputs,
  type VllmV0Scheduler,
  type VllmV0SchedulerInit,
} from '../../../sim/policies/replica/vllm-v0-step-scheduler.js';
import { describeThrown, hookMethod } from '../../kit/instance-hook.js';
import {
  CfsInput,
  encodeStep,
  Situation,
  type CadenceCase,
  type CadenceResult,
  type CfsOutput,
  type RunSteps,
  type UnitCase,
  type UnitResult,
  type UnitState,
} from './protocol.js';
import { simulateCfs, type CfsRun } from './simulate.js';

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const message = (err: unknown): string => describeThrown(err, 'starter/cfs');
const transfers = (list: unknown): [number | null, number | null][] =>
  Array.isArray(list)
    ? list.map((t: Partial<BlockTransfer> | undefined) => [num(t?.requestId), num(t?.numBlocks)])
    : [];

/** Block bytes and swap space chosen so the engine's CPU pool has exactly `cpuBlocks` blocks (powers of two). */
const UNIT_BLOCK_BYTES = 1024 * 1024;

const EMPTY_OUTPUTS: SchedulerOutputs = {
  scheduled: [],
  numPrefillGroups: 0,
  numBatchedTokens: 0,
  blocksToSwapIn: [],
  blocksToSwapOut: [],
  ignored: [],
  preempted: 0,
};

/** Builds the situation's engine around the student's scheduler; `mode` picks what schedule() runs (once). */
function buildSituation(raw: UnitCase['situation'], mode: 'cfs' | 'default') {
  const s = Situation.parse(raw);
  const kv = new KvBlockManager(s.numBlocks, 16, s.watermarkFraction);
  let calls = 0;
  let first: SchedulerOutputs | undefined;
  // Hooked on the instance, not subclassed, so traces keep the student's class name (shared/instance-hook.ts).
  const probe = (init: VllmV0SchedulerInit): VllmV0Scheduler => {
    const scheduler = new CfsScheduler(init);
    return hookMethod(scheduler, 'schedule', () => (): SchedulerOutputs => {
      if (calls++ > 0) return EMPTY_OUTPUTS; // the replica tries again after a step that ran nothing: one step only
      first = mode === 'cfs' ? scheduler.scheduleCfs() : scheduler.scheduleDefault();
      return first;
    });
  };
  class UnitReplica extends VllmV0ReplicaScheduler {
    protected override createScheduler(init: VllmV0SchedulerInit): VllmV0Scheduler {
      return probe(init);
    }
  }
  const replica = new UnitReplica(
    {
      replicaId: 0,
      kv,
      limits: {
        batchSizeCap: s.maxNumSeqs,
        maxTokensInBatch: s.maxNumBatchedTokens,
        chunkSize: 512,
        maxRequestTokens: 16368,
      },
    },
    {
      swapSpaceGiB: s.cpuBlocks / 1024,
      blockBytesPerGpu: UNIT_BLOCK_BYTES,
      swapBandwidthGBs: 25,
      preemptionMode: 'swap',
      cfsInterval: s.cfsInterval,
      recordUsage: false,
    },
  );
  const scheduler = replica.scheduler;
  const requests: Request[] = [];
  for (const spec of s.requests) {
    const r = new Request({
      id: spec.id,
      arrivedAt: spec.arrivedAt,
      numPrefillTokens: spec.prompt,
      numDecodeTokens: spec.decode,
    });
    if (spec.generated > 0) {
      r.onBatchStart(0);
      r.onBatchEnd(0, spec.prompt, 0.01);
      for (let k = 1; k < spec.generated; k++) r.onBatchEnd(0, 1, 0.01);
    }
    replica.addRequest(r, 0); // joins waiting; moved below
    scheduler.waiting.pop();
    requests.push(r);
    const blocks = spec.blocks ?? kv.blocksFor(r.numProcessedTokens);
    if (spec.at === 'waiting') {
      if (spec.restarted) r.restart();
      scheduler.waiting.push(r);
    } else if (spec.at === 'running') {
      kv.allocate(r.id, blocks);
      scheduler.running.push(r);
    } else {
      replica.cpu.swapOut(r.id, blocks);
      scheduler.swapped.push(r);
    }
  }
  replica.cpu.takeStepLog();
  return { replica, scheduler, requests, firstOutputs: () => first };
}

function stateOf(replica: VllmV0ReplicaScheduler, requests: readonly Request[]): UnitState {
  const s = replica.scheduler;
  const ids = (q: unknown) => (Array.isArray(q) ? q.map((r: Request | undefined) => num(r?.id)) : []);
  return {
    waiting: ids(s.waiting),
    running: ids(s.running),
    swapped: ids(s.swapped),
    holdings: requests.map((r) => [r.id, replica.kv.blocksHeldBy(r.id), replica.cpu.blocksHeldBy(r.id)]),
    generated: requests.map((r) => [r.id, r.numGeneratedTokens]),
  };
}

function runUnit(c: UnitCase): UnitResult {
  let built: ReturnType<typeof buildSituation> | undefined;
  const base = { name: c.name };
  try {
    built = buildSituation(c.situation, c.call.kind === 'default-step' ? 'default' : 'cfs');
    const { replica, scheduler, requests } = built;
    switch (c.call.kind) {
      case 'priority': {
        const priorities = c.call.ids.map((id) => {
          const p: unknown = scheduler.getPriority(requests.find((r) => r.id === id)!);
          return Array.isArray(p) ? ([num(p[0]), num(p[1])] as [number | null, number | null]) : null;
        });
        return { ...base, priorities };
      }
      case 'preemption': {
        const list: BlockTransfer[] = [];
        const returned = num(scheduler.schedulePriorityPreemption(scheduler.createBudget(), list));
        const moved = replica.cpu.takeStepLog();
        return {
          ...base,
          returned,
          blocksToSwapOut: transfers(list),
          scheduled: [],
          blocksToSwapIn: transfers(moved.swappedIn),
          ...(sameMoves(list, moved.swappedOut)
            ? {}
            : {
                engineProblem: `the CPU pool received ${describe(moved.swappedOut)} but blocksToSwapOut lists ${describe(list)}`,
              }),
          state: stateOf(replica, requests),
        };
      }
      case 'cfs-step':
      case 'default-step': {
        let engineProblem: string | undefined;
        try {
          replica.schedule(10);
        } catch (err) {
          // Thrown by the student's step itself: an error; thrown by the engine's checks after it: a problem with the step.
          if (built.firstOutputs() === undefined) throw err;
          engineProblem = message(err);
        }
        const out = built.firstOutputs();
        return {
          ...base,
          scheduled: Array.isArray(out?.scheduled)
            ? out.scheduled.map((g) => [num(g?.request?.id), num(g?.numTokens)] as [number | null, number | null])
            : [],
          blocksToSwapOut: transfers(out?.blocksToSwapOut),
          blocksToSwapIn: transfers(out?.blocksToSwapIn),
          ...(engineProblem !== undefined ? { engineProblem } : {}),
          state: stateOf(replica, requests),
        };
      }
      default: {
        const unreachable: never = c.call;
        throw new Error(`unknown call ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (err) {
    return { ...base, error: message(err), ...(built !== undefined ? { state: safeState(built) } : {}) };
  }
}

function safeState(built: ReturnType<typeof buildSituation>): UnitState | undefined {
  try {
    return stateOf(built.replica, built.requests);
  } catch {
    return undefined;
  }
}

function sameMoves(a: readonly BlockTransfer[], b: readonly BlockTransfer[]): boolean {
  const key = (t: BlockTransfer) => `${String(t?.requestId)}:${String(t?.numBlocks)}`;
  return a.map(key).sort().join() === b.map(key).sort().join();
}

const describe = (list: readonly BlockTransfer[]) =>
  list.length === 0 ? 'nothing' : list.map((t) => `request ${t?.requestId} (${t?.numBlocks} blocks)`).join(', ');

function runCadence(c: CadenceCase): CadenceResult {
  const traces: string[] = Array.from({ length: c.schedulers }, () => '');
  try {
    const schedulers = traces.map((_, index) => {
      let letters = '';
      const spy = new CfsScheduler({
        config: {
          maxNumSeqs: 512,
          maxNumBatchedTokens: 16368,
          maxModelLen: 16368,
          preemptionMode: 'swap',
          cfsInterval: c.cfsInterval,
        },
        gpu: new KvBlockManager(64, 16, 0),
        cpu: new CpuSwapPool(0),
      });
      // Hooked on the instance, not subclassed, so traces keep the student's class name.
      hookMethod(spy, 'scheduleCfs', () => (): SchedulerOutputs => {
        letters += 'c';
        return EMPTY_OUTPUTS;
      });
      hookMethod(spy, 'scheduleDefault', () => (): SchedulerOutputs => {
        letters += 'd';
        return EMPTY_OUTPUTS;
      });
      return {
        call: () => {
          letters = '';
          spy.schedule();
          traces[index] += letters === '' ? 'n' : letters === 'c' ? 'c' : letters === 'd' ? 'd' : 'b';
        },
      };
    });
    for (const [index, count] of c.calls) for (let k = 0; k < count; k++) schedulers[index]!.call();
    return { name: c.name, trace: traces };
  } catch (err) {
    return { name: c.name, trace: traces, error: message(err) };
  }
}

function runSimulations(runs: readonly CfsRun[]): RunSteps[] {
  return runs.map((run) => {
    const steps: number[] = [];
    try {
      simulateCfs(run, (init) => new CfsScheduler(init), { onStep: (s) => encodeStep(steps, s) });
    } catch (err) {
      // onSwapPoolFull chose 'raise': the run stops as vLLM V0's engine would; other errors stay fatal.
      if (!(err instanceof SwapSpaceExhaustedError)) throw err;
      return { label: run.label, steps, stopped: err.message.slice(0, 2000) };
    }
    return { label: run.label, steps };
  });
}

serve((raw): CfsOutput => {
  const input = CfsInput.parse(raw);
  switch (input.task) {
    case 'units':
      return { task: 'units', cases: input.cases.map(runUnit) };
    case 'cadence':
      return { task: 'cadence', cases: input.cases.map(runCadence), runs: runSimulations(input.runs) };
    case 'simulate':
      return { task: 'simulate', runs: runSimulations(input.runs) };
    case 'answers': {
      let answers: unknown = null;
      let answersError: string | undefined;
      try {
        answers = JSON.parse(JSON.stringify((studentAnswers as { answers?: unknown }).answers ?? null)) as unknown;
      } catch (err) {
        answersError = `cfs-answers.ts: answers is not plain data (${message(err)})`;
      }
      return {
        task: 'answers',
        answers,
        ...(answersError !== undefined ? { answersError } : {}),
        runs: runSimulations(input.runs),
      };
    }
    default: {
      const unreachable: never = input;
      throw new Error(`unknown task ${JSON.stringify(unreachable)}`);
    }
  }
});
