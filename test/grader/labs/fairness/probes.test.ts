/**
 * The fairness lab's unit probes, in process: the reference answers every probe (and, on the public
 * cases, what the handout states), the starter fails each one naming the method to write, a method is
 * checked on its own (another method's starter default is not held against it), hidden variants come
 * from the seed, and wrong schedulers lose probes while a batch with its decodes in another order does not.
 */
import { describe, expect, it } from 'vitest';
import { Batch } from '../../../../sim/entities/batch.js';
import type { Request } from '../../../../sim/entities/request.js';
import { compareFields, runProbes, type ProbeResult } from '../../../../grader/kit/probes.js';
import { FAIRNESS_PROBES } from '../../../../grader/labs/fairness/probes.js';
import type { FairnessModule } from '../../../../grader/labs/fairness/student.js';
import * as refCost from '../../../../reference/fairness/service-cost.js';
import * as refVtc from '../../../../reference/fairness/vtc-replica-scheduler.js';
import * as refSarathi from '../../../../reference/fairness/vtc-sarathi-replica-scheduler.js';
import * as starterCost from '../../../../starter/fairness/service-cost.js';
import * as starterVtc from '../../../../starter/fairness/vtc-replica-scheduler.js';
import * as starterSarathi from '../../../../starter/fairness/vtc-sarathi-replica-scheduler.js';

const reference: FairnessModule = { cost: refCost, vtc: refVtc, vtcSarathi: refSarathi };
const ITEMS = Object.keys(FAIRNESS_PROBES);
const run = (m: FairnessModule, item: string, seed = 42): ProbeResult[] =>
  runProbes(m, FAIRNESS_PROBES[item]!(seed), {
    studentDir: 'starter/fairness',
    starterDefaults: (x) => x.cost.STARTER_DEFAULTS,
  });
const byName = (results: ProbeResult[]) => new Map(results.map((r) => [r.name, r]));
/** The probes of `item` that `m` answers differently from the reference (or with an error). */
function lost(m: FairnessModule, item: string, seed = 42): string[] {
  const want = run(reference, item, seed);
  return run(m, item, seed)
    .filter((got, i) => got.error !== undefined || compareFields(want[i]!.value, got.value) !== undefined)
    .map((r) => r.name);
}
const withVtc = (cls: typeof refVtc.VtcReplicaScheduler): FairnessModule => ({
  ...reference,
  vtc: { VtcReplicaScheduler: cls },
});
const withSarathi = (cls: typeof refSarathi.VtcSarathiReplicaScheduler): FairnessModule => ({
  ...reference,
  vtcSarathi: { VtcSarathiReplicaScheduler: cls },
});
const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
/** Every probe of `item` that `m` loses on any of the seeds, by name. */
const lostOnSeeds = (m: FairnessModule, item: string) => new Set(SEEDS.flatMap((seed) => lost(m, item, seed)));

/** A lift written differently: waiting clients' counters gathered in a Map first, the larger kept with `if`, ids compared by the band. */
function liftOtherwise<T extends refVtc.VtcReplicaScheduler | refSarathi.VtcSarathiReplicaScheduler>(
  s: T,
  request: Request,
) {
  const others = new Map<number, number>();
  for (const r of s.waiting) others.set(r.clientId, s.virtualCounters.get(r.clientId) ?? 0);
  if (others.has(request.clientId)) return;
  const own = s.virtualCounters.get(request.clientId) ?? 0;
  const target =
    others.size > 0
      ? Math.min(...others.values())
      : s.lastClientScheduled === undefined
        ? own
        : (s.virtualCounters.get(s.lastClientScheduled) ?? 0);
  if (target > own) s.virtualCounters.set(request.clientId, target);
}

describe('fairness probes', () => {
  it('the reference answers every probe, public and hidden, on several seeds', () => {
    for (const seed of [1, 42, 777, 20261207, 31337])
      for (const item of ITEMS)
        for (const r of run(reference, item, seed)) expect(r.error, `${seed} ${item}: ${r.name}`).toBeUndefined();
  });

  it("the public cases give what the handout's worked examples state", () => {
    const value = (item: string, name: string) => byName(run(reference, item)).get(name)?.value;
    expect(value('cost-prefill', 'prefill cost of 100 tokens')).toBe(100);
    expect(value('cost-decode', 'decode token cost')).toBe(2);
    expect(value('cost-decode', 'service cost of a 100/10 request')).toBe(120);
    expect(value('vtc-arrival', 'lift to the smallest waiting counter')).toEqual({ counters: { 0: 50, 1: 80, 2: 50 } });
    expect(value('vtc-arrival', 'nobody waiting: lift to the last client scheduled')).toEqual({
      counters: { 0: 90, 1: 90 },
    });
    expect(value('vtc-batch-completion', 'weights divide the decode charge')).toEqual({ counters: { 0: 12, 1: 11 } });
    expect(value('vtc-batch-completion', 'a prefill batch charges only the first output token')).toEqual({
      counters: { 0: 302, 1: 502 },
    });
    expect(value('vtc-select', 'the head of the smallest counter')).toMatchObject({
      selection: { id: 0, index: 0 },
      waiting: [0, 1, 2],
    });
    expect(value('vtc-select', 'ties go to the lower client id')).toMatchObject({ selection: { id: 1, index: 1 } });
    expect(value('vtc-next-batch', 'admission order follows the counters, charged as admitted')).toEqual({
      batch: {
        decodes: [],
        prompts: [
          [0, 300],
          [3, 300],
          [1, 300],
          [4, 300],
          [2, 300],
        ],
      },
      waiting: [],
      lastClientScheduled: 0,
      blocks: [
        [0, 19],
        [1, 19],
        [2, 19],
        [3, 19],
        [4, 19],
      ],
      counters: { 0: 900, 1: 850 },
    });
    expect(value('vtc-next-batch', "head of line: the smallest client's request does not fit")).toMatchObject({
      batch: { decodes: [[0, 1]], prompts: [] },
      waiting: [1, 2],
      counters: { 0: 0, 1: 100, 2: 400 },
    });
    expect(value('sarathi-batch-completion', 'mixed batch: decodes, an unfinished chunk, a last chunk')).toEqual({
      counters: { 0: 104, 1: 100, 2: 102 },
    });
    expect(value('sarathi-select', 'a waiting client below the partial prefill')).toMatchObject({
      selection: { id: 1, index: 0, isRunningPrefill: false },
    });
    expect(value('sarathi-select', "the client's prompt in progress before its waiting requests")).toMatchObject({
      selection: { id: 0, index: 0, isRunningPrefill: true },
    });
    expect(value('sarathi-next-batch', "decodes first, then the smallest counter's chunk")).toMatchObject({
      batch: {
        decodes: [
          [0, 1],
          [1, 1],
        ],
        prompts: [[2, 510]],
      },
      waiting: [3],
      counters: { 0: 510, 1: 100, 2: 10000 },
      blocks: expect.arrayContaining([[2, 63]]),
    });
    expect(value('sarathi-next-batch', 'a low-counter newcomer overtakes a prompt in progress')).toMatchObject({
      batch: {
        decodes: [],
        prompts: [
          [1, 300],
          [0, 212],
        ],
      },
      counters: { 0: 4300, 1: 5212 },
      lastClientScheduled: 0,
    });
  });

  it('the untouched starter fails every probe, naming the method to write', () => {
    const starter: FairnessModule = { cost: starterCost, vtc: starterVtc, vtcSarathi: starterSarathi };
    for (const item of ITEMS)
      for (const r of run(starter, item))
        expect(r.error, `${item}: ${r.name}`).toMatch(
          item.startsWith('cost-')
            ? /^not written yet: get\w+ \(the starter's simple default ran\)/
            : /not implemented: \w+/,
        );
  });

  it("each method is checked on its own: another method's starter default it calls is not held against it", () => {
    // getServiceCost written over the starter's prefill default: the cost-decode item still passes.
    const cost = {
      ...starterCost,
      getDecodeTokenServiceCost: refCost.getDecodeTokenServiceCost,
      getServiceCost: (p: number, d: number) => starterCost.getPrefillTokenServiceCost(p) + 2 * d,
    };
    expect(lost({ ...reference, cost }, 'cost-decode')).toEqual([]);
    expect(lost({ ...reference, cost }, 'cost-prefill')).toHaveLength(5);
    // A scheduler that charges through the starter's cost defaults keeps its points.
    class ThroughStarterCosts extends refVtc.VtcReplicaScheduler {
      override updateCounterOnBatchCompletion(batch: Batch): void {
        starterCost.getDecodeTokenServiceCost();
        super.updateCounterOnBatchCompletion(batch);
      }
    }
    expect(lost(withVtc(ThroughStarterCosts), 'vtc-batch-completion')).toEqual([]);
  });

  it('public cases are fixed; hidden variants are drawn from the seed', () => {
    for (const item of ITEMS) {
      const [a, b] = [FAIRNESS_PROBES[item]!(1), FAIRNESS_PROBES[item]!(2)];
      expect(a.filter((p) => !p.hidden).map((p) => p.expect)).toEqual(b.filter((p) => !p.hidden).map((p) => p.expect));
      const hidden = (seed: number) => JSON.stringify(run(reference, item, seed).filter((_, i) => a[i]!.hidden));
      expect(hidden(1), item).not.toBe(hidden(2));
    }
  });

  it('wrong schedulers lose probes; decodes listed in another order lose none', () => {
    class NoLift extends refVtc.VtcReplicaScheduler {
      override updateCounterOnArrival(): void {}
    }
    class LiftToMax extends refVtc.VtcReplicaScheduler {
      override updateCounterOnArrival(request: Request): void {
        if (this.waiting.some((r) => r.clientId === request.clientId)) return;
        const others = this.waiting.map((r) => this.virtualCounters.get(r.clientId) ?? 0);
        const own = this.virtualCounters.get(request.clientId) ?? 0;
        if (others.length > 0) this.virtualCounters.set(request.clientId, Math.max(own, ...others));
        else super.updateCounterOnArrival(request);
      }
    }
    class FcfsSelect extends refVtc.VtcReplicaScheduler {
      override selectNextRequest() {
        const request = this.waiting[0];
        return request === undefined ? undefined : { request, index: 0 };
      }
    }
    class ReversedDecodes extends refVtc.VtcReplicaScheduler {
      override schedule(now: number): Batch | undefined {
        const batch = super.schedule(now);
        if (batch === undefined || batch.numTokens.some((t) => t !== 1)) return batch;
        return new Batch(batch.replicaId, [...batch.requests].reverse(), [...batch.numTokens]);
      }
    }
    expect(lost(withVtc(NoLift), 'vtc-arrival')).toContain('lift to the smallest waiting counter');
    expect(lost(withVtc(LiftToMax), 'vtc-arrival')).toContain('lift to the minimum of three waiting clients');
    expect(lost(withVtc(FcfsSelect), 'vtc-select')).toContain('ties go to the lower client id');
    expect(lost(withVtc(FcfsSelect), 'vtc-next-batch').length).toBeGreaterThan(0);
    expect(lost(withVtc(ReversedDecodes), 'vtc-next-batch')).toEqual([]);
    expect(
      run(withVtc(ReversedDecodes), 'vtc-next-batch').some((r) =>
        JSON.stringify(r.value).includes('"decodes":[[0,1],[1,1],[2,1]]'),
      ),
    ).toBe(true);
  });

  it('a wrong value is named field by field', () => {
    expect(compareFields({ counters: { 1: 5 }, waiting: [1] }, { counters: { 1: 6 }, waiting: [1] })).toBe(
      'counters: expected {"1":5}, got {"1":6}',
    );
    expect(compareFields(2, 2)).toBeUndefined();
  });

  it('updateCounterOnArrival, both parts: lifts written differently keep every case on 30 seeds', () => {
    class VtcOtherwise extends refVtc.VtcReplicaScheduler {
      override updateCounterOnArrival(request: Request): void {
        liftOtherwise(this, request);
      }
    }
    class SarathiOtherwise extends refSarathi.VtcSarathiReplicaScheduler {
      override updateCounterOnArrival(request: Request): void {
        liftOtherwise(this, request);
      }
    }
    // Part 2 through the lowest-counter client that selection would pick (the band decides ties): the same value.
    class SarathiViaSelection extends refSarathi.VtcSarathiReplicaScheduler {
      override updateCounterOnArrival(request: Request): void {
        if (this.waiting.some((r) => r.clientId === request.clientId)) return;
        const pick = this.selectNextRequest([]);
        if (pick === undefined) return super.updateCounterOnArrival(request);
        const own = this.virtualCounters.get(request.clientId) ?? 0;
        const min = Math.min(...this.waiting.map((r) => this.virtualCounters.get(r.clientId) ?? 0));
        this.virtualCounters.set(request.clientId, Math.max(own, min));
      }
    }
    const both = { ...withVtc(VtcOtherwise), vtcSarathi: { VtcSarathiReplicaScheduler: SarathiOtherwise } };
    expect([...lostOnSeeds(both, 'vtc-arrival')]).toEqual([]);
    expect([...lostOnSeeds(withSarathi(SarathiViaSelection), 'vtc-arrival')]).toEqual([]);
  });

  it('updateCounterOnArrival, part 2: each wrong lift loses the hidden case aimed at it on every one of 30 seeds', () => {
    const lift = (target: (s: refSarathi.VtcSarathiReplicaScheduler, u: number) => number | undefined) =>
      class extends refSarathi.VtcSarathiReplicaScheduler {
        override updateCounterOnArrival(request: Request): void {
          const u = request.clientId;
          if (this.waiting.some((r) => r.clientId === u)) return;
          if (this.waiting.length === 0) return super.updateCounterOnArrival(request);
          const t = target(this, u);
          if (t !== undefined) this.virtualCounters.set(u, Math.max(this.virtualCounters.get(u) ?? 0, t));
        }
      };
    const counter = (s: refSarathi.VtcSarathiReplicaScheduler, c: number) => s.virtualCounters.get(c) ?? 0;
    const waitingCounters = (s: refSarathi.VtcSarathiReplicaScheduler) => s.waiting.map((r) => counter(s, r.clientId));
    const wrong = {
      'no lift': lift(() => undefined),
      'lift to the largest': lift((s) => Math.max(...waitingCounters(s))),
      'prompts in progress count': lift((s) =>
        Math.min(
          ...[...s.waiting, ...s.running]
            .filter((r) => !r.isPrefillComplete || s.waiting.includes(r))
            .map((r) => counter(s, r.clientId)),
        ),
      ),
      'lift by service, not counter': lift(
        (s, u) =>
          Math.min(...s.waiting.map((r) => counter(s, r.clientId) * s.clientWeight(r.clientId))) / s.clientWeight(u),
      ),
      'lift behind the pack (+1)': lift((s) => Math.min(...waitingCounters(s)) + 1),
    };
    for (const [name, cls] of Object.entries(wrong)) {
      for (const seed of SEEDS)
        expect(lost(withSarathi(cls), 'vtc-arrival', seed), `${name}, seed ${seed}`).toContain(
          'part 2: lift to the minimum of three waiting clients',
        );
    }
  });

  it('the 10⁻⁹ tie band: exact comparison loses the band case of vtc-select, on every seed', () => {
    const exact = (ca: number, a: number, cb: number, b: number) => ca < cb || (ca === cb && a < b);
    class VtcExact extends refVtc.VtcReplicaScheduler {
      override selectNextRequest() {
        let best: { request: Request; index: number } | undefined;
        const c = (r: Request) => this.virtualCounters.get(r.clientId) ?? 0;
        this.waiting.forEach((request, index) => {
          if (best === undefined || exact(c(request), request.clientId, c(best.request), best.request.clientId))
            best = { request, index };
        });
        return best;
      }
    }
    for (const seed of SEEDS.slice(0, 10)) {
      expect(lost(withVtc(VtcExact), 'vtc-select', seed)).toEqual(['counters within a relative 10⁻⁹ are equal']);
    }
  });

  it('selection and charging written differently keep every case of their items on 30 seeds', () => {
    /** Charges per client summed in a Map first, then applied once per client. */
    function chargeOtherwise(s: refVtc.VtcReplicaScheduler | refSarathi.VtcSarathiReplicaScheduler, batch: Batch) {
      const owed = new Map<number, number>();
      for (const r of batch.requests.filter((q) => q.isPrefillComplete))
        owed.set(r.clientId, (owed.get(r.clientId) ?? 0) + 2);
      for (const [c, units] of owed)
        s.virtualCounters.set(c, (s.virtualCounters.get(c) ?? 0) + units / s.clientWeight(c));
    }
    /** Candidates sorted by (counter, id) with the band, the first of each client kept. */
    function pickOtherwise(counter: (c: number) => number, candidates: { request: Request; rank: number }[]) {
      const key = (x: { request: Request; rank: number }) =>
        [counter(x.request.clientId), x.request.clientId, x.rank] as const;
      const sorted = [...candidates].sort((x, y) => {
        const [a, b] = [key(x), key(y)];
        const eps = 1e-9 * Math.max(1, Math.abs(a[0]), Math.abs(b[0]));
        return Math.abs(a[0] - b[0]) > eps ? a[0] - b[0] : a[1] - b[1] || a[2] - b[2];
      });
      return sorted[0];
    }
    class VtcOtherwise extends refVtc.VtcReplicaScheduler {
      override updateCounterOnBatchCompletion(batch: Batch): void {
        chargeOtherwise(this, batch);
      }
      override selectNextRequest() {
        const best = pickOtherwise(
          (c) => this.virtualCounters.get(c) ?? 0,
          this.waiting.map((request, rank) => ({ request, rank })),
        );
        return best === undefined ? undefined : { request: best.request, index: best.rank };
      }
    }
    class SarathiOtherwise extends refSarathi.VtcSarathiReplicaScheduler {
      override updateCounterOnBatchCompletion(batch: Batch): void {
        chargeOtherwise(this, batch);
      }
      override selectNextRequest(runningPrefills: readonly Request[]) {
        const n = runningPrefills.length;
        const all = [...runningPrefills, ...this.waiting].map((request, rank) => ({ request, rank }));
        const best = pickOtherwise((c) => this.virtualCounters.get(c) ?? 0, all);
        if (best === undefined) return undefined;
        const isRunningPrefill = best.rank < n;
        return { request: best.request, index: isRunningPrefill ? best.rank : best.rank - n, isRunningPrefill };
      }
    }
    const m = { ...withVtc(VtcOtherwise), vtcSarathi: { VtcSarathiReplicaScheduler: SarathiOtherwise } };
    for (const item of [
      'vtc-batch-completion',
      'vtc-select',
      'vtc-next-batch',
      'sarathi-batch-completion',
      'sarathi-select',
      'sarathi-next-batch',
    ])
      expect([...lostOnSeeds(m, item)], item).toEqual([]);
  });
});
