import { describe, expect, it } from 'vitest';
import { KvBlockManager } from '../../../sim/memory/kv-block-manager.js';
import { SarathiReplicaScheduler } from '../../../sim/policies/replica/sarathi.js';
import { advance, holding, req, requestAt, scripted, step } from '../../../grader/kit/hand-made.js';

const init = { id: 1, arrivedAt: 2, numPrefillTokens: 100, numDecodeTokens: 50 };

describe('kit hand-made situations: part-way requests as batches would have left them', () => {
  it('requestAt: a prefill in progress, decoding, and a recompute victim', () => {
    const partial = requestAt(init, 40);
    expect([partial.numProcessedTokens, partial.isPrefillComplete, partial.status]).toEqual([40, false, 'running']);
    const decoding = requestAt(init, 105, { start: 2, end: 3, every: 0.5, duration: 0.01 });
    expect([decoding.numGeneratedTokens, decoding.prefillCompletedAt, decoding.lastBatchEndedAt]).toEqual([5, 3, 5]);
    expect(decoding.executionTime).toBeCloseTo(0.05);
    const victim = requestAt(init, 105, { restarted: true });
    expect([victim.prefillTarget, victim.numProcessedTokens, victim.status]).toEqual([105, 0, 'waiting']);
    expect(requestAt(init).status).toBe('pending');
  });

  it('scripted requests: batches 0.01 s (prefill in progress) or 0.05 s apart (decodes)', () => {
    const partial = scripted(req(1, 2, 100, { computed: 30 }));
    expect([partial.numProcessedTokens, partial.lastBatchEndedAt]).toEqual([30, 2.01]);
    const decoding = scripted(req(1, 2, 100, { prefilledAt: 4, generated: 3, tier: 1 }));
    expect([decoding.numGeneratedTokens, decoding.prefillCompletedAt, decoding.lastBatchEndedAt]).toEqual([3, 4, 4.1]);
  });

  it('holding, step and advance: one engine iteration on a scheduler holding the requests', () => {
    const limits = { batchSizeCap: 8, maxTokensInBatch: 4096, chunkSize: 64, maxRequestTokens: 4096 };
    const s = new SarathiReplicaScheduler({ replicaId: 0, kv: new KvBlockManager(100, 16, 0), limits });
    const { get } = holding(s, [req(0, 0, 20, { prefilledAt: 1 })], [req(1, 0.5, 100)]);
    expect(s.kv.blocksHeldBy(0)).toBe(2);
    expect(step(s, 2)).toEqual({
      batch: [
        [0, 1],
        [1, 63],
      ],
      waiting: [],
      running: [], // the batch's requests are executing, out of `running` until it ends
    });
    advance(s, 2.05);
    expect([get(0).numGeneratedTokens, get(1).numProcessedTokens]).toEqual([2, 63]);
  });
});
