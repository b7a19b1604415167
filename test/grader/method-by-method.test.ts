/**
 * Issue 16, item 13: a student can work method by method. For each visible unit item of the fairness
 * and autoscaling labs, the starter with only that item's methods written (taken from the reference)
 * earns the item's points, and the next item, not written yet, fails naming the method to write.
 * The one dependency left is stated: getNextBatch chooses through selectNextRequest.
 */
import { describe, expect, it } from 'vitest';
import { gradeItems } from './grade-items.js';
import { label, withMethods, type StudentMethod } from './one-method.js';

const of = (file: string, cls: string | undefined, ...names: string[]): StudentMethod[] =>
  names.map((name) => ({ file, ...(cls !== undefined ? { cls } : {}), name }));

const VTC = 'vtc-replica-scheduler.ts';
const SARATHI = 'vtc-sarathi-replica-scheduler.ts';
/** Each visible unit item and the methods it grades, in handout order; `needs`: methods it calls that other items grade. */
const LABS: Record<string, { item: string; methods: StudentMethod[]; needs?: StudentMethod[] }[]> = {
  fairness: [
    { item: 'cost-prefill', methods: of('service-cost.ts', undefined, 'getPrefillTokenServiceCost') },
    { item: 'cost-decode', methods: of('service-cost.ts', undefined, 'getDecodeTokenServiceCost', 'getServiceCost') },
    {
      item: 'vtc-arrival',
      methods: [
        ...of(VTC, 'VtcReplicaScheduler', 'updateCounterOnArrival'),
        ...of(SARATHI, 'VtcSarathiReplicaScheduler', 'updateCounterOnArrival'),
      ],
    },
    { item: 'vtc-batch-completion', methods: of(VTC, 'VtcReplicaScheduler', 'updateCounterOnBatchCompletion') },
    { item: 'vtc-select', methods: of(VTC, 'VtcReplicaScheduler', 'selectNextRequest') },
    {
      item: 'vtc-next-batch',
      methods: of(VTC, 'VtcReplicaScheduler', 'getNextBatch'),
      needs: of(VTC, 'VtcReplicaScheduler', 'selectNextRequest'),
    },
    {
      item: 'sarathi-batch-completion',
      methods: of(SARATHI, 'VtcSarathiReplicaScheduler', 'updateCounterOnBatchCompletion'),
    },
    { item: 'sarathi-select', methods: of(SARATHI, 'VtcSarathiReplicaScheduler', 'selectNextRequest') },
    {
      item: 'sarathi-next-batch',
      methods: of(SARATHI, 'VtcSarathiReplicaScheduler', 'getNextBatch'),
      needs: of(SARATHI, 'VtcSarathiReplicaScheduler', 'selectNextRequest'),
    },
  ],
  autoscaling: [
    { item: 'round-robin', methods: of('scaling-routers.ts', 'RoundRobinRouter', 'schedule') },
    { item: 'lor', methods: of('scaling-routers.ts', 'LorRouter', 'schedule', 'markReplicaToFree') },
    {
      item: 'envelope',
      methods: of('network-envelope.ts', 'NetworkEnvelope', 'onRequestArrival', 'getMaxRequestRate'),
    },
    { item: 'throughput-ema', methods: of('inferline-autoscaler.ts', 'InferlineAutoscaler', 'onBatchEnd') },
    { item: 'tune', methods: of('inferline-autoscaler.ts', 'InferlineAutoscaler', 'tune') },
  ],
};

/** Methods with a stub in the starter that the variants below put back; others stay the starter's. */
const extra: Record<string, StudentMethod[]> = {
  fairness: [
    ...of(VTC, 'VtcReplicaScheduler', 'updateCounterOnArrival'),
    ...of(SARATHI, 'VtcSarathiReplicaScheduler', 'updateCounterOnArrival'),
  ],
  autoscaling: of('inferline-autoscaler.ts', 'InferlineAutoscaler', 'onRequestArrival'),
};

for (const [lab, items] of Object.entries(LABS)) {
  const all = [...items.flatMap((i) => i.methods), ...extra[lab]!].filter(
    (m, k, list) => list.findIndex((n) => label(n) === label(m) && n.file === m.file) === k,
  );
  describe(`${lab}: one item's methods written, the rest the starter's`, () => {
    items.forEach(({ item, methods, needs = [] }, k) => {
      const next = items[(k + 1) % items.length]!;
      it(`${item}: ${methods.map(label).join(', ')}${needs.length > 0 ? ` (with ${needs.map(label).join(', ')})` : ''}`, async () => {
        const out = await gradeItems(lab, withMethods(lab, all, [...methods, ...needs]), [item, next.item]);
        expect(out[item]!.score, out[item]!.output).toBe(out[item]!.max);
        expect(out[next.item]!.score).toBe(0);
        const notWritten = next.methods.map((m) =>
          m.file === 'service-cost.ts'
            ? `not written yet: ${m.name}`
            : `not implemented: ${label(m)} in starter/${lab}/${m.file}`,
        );
        expect(
          notWritten.some((text) => out[next.item]!.output?.includes(text)),
          out[next.item]!.output,
        ).toBe(true);
        if (needs.length > 0) {
          // Without the method it calls, the item names that one.
          const alone = await gradeItems(lab, withMethods(lab, all, methods), [item]);
          expect(alone[item]!.output).toContain(
            `not implemented: ${label(needs[0]!)} in starter/${lab}/${needs[0]!.file}`,
          );
        }
      });
    });
  });
}
