/**
 * The parent-side replay of the fairness lab: a faithful decision log reproduces the student's run
 * exactly, and logs that break the engine's rules (forged or from a scheduler that cheats) are refused
 * with a message saying what was wrong.
 */
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../../sim/entities/batch.js';
import type { Request } from '../../../../sim/entities/request.js';
import type { ReplicaSchedulerInit } from '../../../../sim/policies/replica/replica-scheduler.js';
import { logCall } from '../../../../grader/kit/batch-log.js';
import { ReplayError, ReplayReplicaScheduler } from '../../../../grader/kit/batch-replay.js';
import { toWire } from '../../../../grader/kit/wire.js';
import { replaySummary, summarize } from '../../../../grader/labs/fairness/scenarios.js';
import type { ScenarioRun, SchedulerKind } from '../../../../grader/labs/fairness/schemas.js';
import { simulateScenario } from '../../../../grader/labs/fairness/workloads.js';
import { KvBlockManager } from '../../../../sim/memory/kv-block-manager.js';
import { Request as Req } from '../../../../sim/entities/request.js';
import { VtcReplicaScheduler } from '../../../../reference/fairness/vtc-replica-scheduler.js';
import { VtcSarathiReplicaScheduler } from '../../../../reference/fairness/vtc-sarathi-replica-scheduler.js';
import { generateMultiClient, ClientWorkload } from '../../../../sim/workload/multi-client.js';
import { Rng } from '../../../../sim/workload/rng.js';

/** 40 s of two clients (the second prefill-heavy, so memory runs short and requests are preempted), measured as the overload workload. */
function smallRun(scheduler: SchedulerKind): ScenarioRun {
  const requests = generateMultiClient(
    {
      clients: [ClientWorkload.parse({ qps: 4 }), ClientWorkload.parse({ qps: 8, prefill: 600, decode: 40 })],
      duration: 40,
      maxTokens: 4096,
    },
    new Rng(5),
  );
  const wire = toWire(requests, { clientId: true });
  return { key: 'overload', label: 'small', scheduler, duration: 40, clientWeights: [1, 2], requests: wire };
}

const Reference = (kind: SchedulerKind) =>
  (kind === 'vtc' ? VtcReplicaScheduler : VtcSarathiReplicaScheduler) as typeof VtcReplicaScheduler;

/** The driver's recording, in process, around a reference scheduler. */
function record(run: ScenarioRun): { log: number[]; calls: number; preemptions: number } {
  const log: number[] = [];
  let calls = 0;
  class Recording extends Reference(run.scheduler) {
    protected override getNextBatch(now: number): Batch | undefined {
      const before: [Request, number][] = this.running.map((r) => [r, r.numRestarts]);
      const batch = super.getNextBatch(now);
      logCall(
        log,
        now,
        before.filter(([r, n]) => r.numRestarts > n).map(([r]) => r.id),
        batch,
      );
      calls++;
      return batch;
    }
  }
  const result = simulateScenario(run, (init) => new Recording(init));
  return { log, calls, preemptions: result.numPreemptions };
}

describe('fairness replay', () => {
  it.each(['vtc', 'vtc-sarathi'] as const)(
    '%s: replaying a faithful log reproduces the run, preemptions included',
    (kind) => {
      const run = smallRun(kind);
      const { log, preemptions } = record(run);
      expect(preemptions).toBeGreaterThan(0);
      const Cls = Reference(kind);
      expect(replaySummary(run, { key: run.key, log })).toEqual(summarize(run, (init) => new Cls(init)));
    },
  );

  const init = (numBlocks: number): ReplicaSchedulerInit => ({
    replicaId: 0,
    kv: new KvBlockManager(numBlocks, 16, 0),
    limits: { batchSizeCap: 128, maxTokensInBatch: 4096, chunkSize: 512, maxRequestTokens: 4096 },
  });
  const replayer = (log: number[], kind: SchedulerKind, numBlocks = 100) => {
    const s = new ReplayReplicaScheduler(init(numBlocks), log, kind === 'vtc' ? 'vllm' : 'sarathi');
    const rs = [320, 800, 2100].map((p, id) => new Req({ id, arrivedAt: 0, numPrefillTokens: p, numDecodeTokens: 10 }));
    for (const r of rs) s.addRequest(r, 0);
    return s;
  };

  it("refuses logs that break the engine's rules, saying what was wrong", () => {
    const cases: [number[], SchedulerKind, number, RegExp][] = [
      [[0, 0, 1, -1, 320], 'vtc', 10, /prompt's KV blocks .* were not free/],
      [[5, 0, 1, -1, 320], 'vtc', 100, /recorded at t=5\.000000 s but happens at t=0\.000000 s/],
      [
        [0, 0, 1, -1, 100],
        'vtc',
        100,
        /admitted with 100 of its 320 prompt tokens; the vllm schedule computes whole prompts/,
      ],
      [[0, 0, 2, -1, 320, -3, 2100], 'vtc', 400, /pads to 4200 > maxTokensInBatch 4096/],
      [[0, 0, 2, -1, 320, -2, 300], 'vtc-sarathi', 100, /620 prompt tokens exceed the 512-token budget/],
      [[0, 0, 1, -1, 400], 'vtc-sarathi', 100, /given 400 prompt tokens with 320 left/],
      [[0, 0, 1, 7], 'vtc', 100, /never routed to this replica/],
      [[0, 0, 2, -1, 320, -1, 320], 'vtc', 100, /appears twice/],
      [[0, 1, 0, 0], 'vtc', 100, /request 0 was preempted, but it was not running/],
    ];
    for (const [log, kind, blocks, message] of cases) {
      const s = replayer(log, kind, blocks);
      let error: unknown;
      try {
        s.schedule(0);
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(log)).toBeInstanceOf(ReplayError);
      expect((error as Error).message, JSON.stringify(log)).toMatch(message);
    }
  });

  it('a log that stops early, or has calls left over, is a problem for the item, not a crash', () => {
    const run = smallRun('vtc');
    const { log } = record(run);
    const short = replaySummary(run, { key: run.key, log: log.slice(0, 40) });
    expect('problem' in short && short.problem).toMatch(/break the engine's rules/);
    const long = replaySummary(run, { key: run.key, log: [...log, 1e6, 0, 0] });
    expect('problem' in long && long.problem).toMatch(/calls the replay never made/);
    expect(replaySummary(run, undefined)).toEqual({ problem: 'no result for this workload' });
  });
});
