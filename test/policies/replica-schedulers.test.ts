import { describe, expect, it } from 'vitest';
import { finishBatch, replica, req, tokensById } from '../helpers.js';

describe('vllm replica scheduler', () => {
  it('admits FCFS while the padded token count fits, as a prefill-only batch', () => {
    const s = replica('vllm', 10_000);
    const rs = [req(1000, 5), req(1000, 5), req(1000, 5), req(1000, 5), req(1000, 5)];
    rs.forEach((r) => s.addRequest(r, 0));
    const batch = s.schedule(0)!;
    expect(batch.requests.map((r) => r.id)).toEqual(rs.slice(0, 4).map((r) => r.id)); // 5 × 1000 > 4096
    expect(batch.numTokens).toEqual([1000, 1000, 1000, 1000]);
  });

  it('pads by the longest prompt, counting the candidate', () => {
    const s = replica('vllm', 10_000);
    const [a, b] = [req(100, 5), req(3000, 5)];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    expect(tokensById(s.schedule(0))).toEqual({ [a.id]: 100 }); // 2 × 3000 > 4096
  });

  it('stops at the batch-size cap, counting requests that already hold blocks', () => {
    const s = replica('vllm', 10_000, { batchSizeCap: 3 });
    const first = req(10, 5);
    s.addRequest(first, 0);
    finishBatch(s, s.schedule(0)!);
    const rs = [req(10, 5), req(10, 5), req(10, 5)];
    rs.forEach((r) => s.addRequest(r, 0));
    expect(s.schedule(1)!.requests.map((r) => r.id)).toEqual([rs[0]!.id, rs[1]!.id]);
  });

  it('blocks the queue at the first request whose prompt does not fit (head of line)', () => {
    const s = replica('vllm', 10); // 160 tokens
    const [a, b, c] = [req(100, 5), req(100, 5), req(10, 5)];
    [a, b, c].forEach((r) => s.addRequest(r, 0));
    expect(tokensById(s.schedule(0))).toEqual({ [a.id]: 100 });
    expect(s.kv.numAllocatedBlocks).toBe(7);
  });

  it('prefers prefills, then decodes every running request one token, oldest first', () => {
    const s = replica('vllm', 1000);
    const [a, b] = [req(20, 3, { arrivedAt: 0 }), req(30, 3, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    finishBatch(s, s.schedule(0)!);
    s.addRequest(b, 1);
    const prefill = s.schedule(1)!;
    expect(tokensById(prefill)).toEqual({ [b.id]: 30 }); // the new prefill goes first, alone
    finishBatch(s, prefill, 2);
    const decode = s.schedule(2)!;
    expect(decode.requests.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(decode.numTokens).toEqual([1, 1]);
  });

  it('preempts the newest running request by recompute when a decode needs a block', () => {
    const s = replica('vllm', 4); // 64 tokens, no watermark
    const [a, b] = [req(32, 10, { arrivedAt: 0 }), req(32, 10, { arrivedAt: 1 })];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    const prefill = s.schedule(0)!;
    expect(prefill.size).toBe(2);
    finishBatch(s, prefill); // both hold 2 blocks, processed = 33 → each needs a 3rd block
    const decode = s.schedule(1)!;
    expect(tokensById(decode)).toEqual({ [a.id]: 1 });
    expect(b.numRestarts).toBe(1);
    expect(b.prefillTarget).toBe(33); // prompt + the generated token are recomputed
    expect(b.numProcessedTokens).toBe(0);
    expect(s.waiting[0]).toBe(b);
    expect(s.kv.blocksHeldBy(b.id)).toBe(0);
    expect(s.kv.blocksHeldBy(a.id)).toBe(3);
    expect(s.numPreemptions).toBe(1);
  });

  it('preempts a lone request itself when even it cannot grow', () => {
    const s = replica('vllm', 2);
    const a = req(32, 10);
    s.addRequest(a, 0);
    finishBatch(s, s.schedule(0)!);
    expect(s.schedule(1)).toBeUndefined();
    expect(a.numRestarts).toBe(1);
    expect(s.waiting).toEqual([a]);
  });

  it('frees blocks of finished requests at batch end', () => {
    const s = replica('vllm', 100);
    const a = req(20, 1);
    s.addRequest(a, 0);
    finishBatch(s, s.schedule(0)!);
    expect(a.isFinished).toBe(true);
    expect(s.kv.numAllocatedBlocks).toBe(0);
    expect(s.isIdle).toBe(true);
  });

  it('keeps the watermark free when admitting', () => {
    const s = replica('vllm', 100, {}, 0.1); // watermark 10 blocks
    const [a, b] = [req(80 * 16, 5), req(16 * 11, 5)];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    expect(tokensById(s.schedule(0))).toEqual({ [a.id]: 1280 }); // 80 + 11 > 100 − 10
  });
});

describe('sarathi replica scheduler', () => {
  it('chunks a long prompt by the token budget and reserves the whole prompt at admission', () => {
    const s = replica('sarathi', 1000);
    const a = req(1000, 4);
    s.addRequest(a, 0);
    const first = s.schedule(0)!;
    expect(tokensById(first)).toEqual({ [a.id]: 512 });
    expect(s.kv.blocksHeldBy(a.id)).toBe(63);
    finishBatch(s, first);
    expect(a.isPrefillComplete).toBe(false);
    expect(tokensById(s.schedule(1))).toEqual({ [a.id]: 488 });
  });

  it('orders decodes, then ongoing prefills, then new requests, within one budget', () => {
    const s = replica('sarathi', 1000, { chunkSize: 600 });
    const d = req(10, 5, { arrivedAt: 0 });
    s.addRequest(d, 0);
    finishBatch(s, s.schedule(0)!); // d is now decoding
    const p = req(700, 5, { arrivedAt: 1 });
    s.addRequest(p, 1);
    const b1 = s.schedule(1)!;
    expect(tokensById(b1)).toEqual({ [d.id]: 1, [p.id]: 599 });
    finishBatch(s, b1);
    const n = req(300, 5, { arrivedAt: 2 });
    s.addRequest(n, 2);
    const b2 = s.schedule(2)!;
    expect(b2.requests.map((r) => r.id)).toEqual([d.id, p.id, n.id]);
    expect(b2.numTokens).toEqual([1, 101, 300]);
  });

  it('stops admitting at a request whose whole prompt does not fit', () => {
    const s = replica('sarathi', 50); // 800 tokens
    const [a, b] = [req(100, 5), req(1000, 5)];
    s.addRequest(a, 0);
    s.addRequest(b, 0);
    expect(tokensById(s.schedule(0))).toEqual({ [a.id]: 100 });
    expect(s.waiting).toEqual([b]);
  });
});

describe('orca replica scheduler', () => {
  it('reserves the maximum request length per admitted request and advances every running request', () => {
    const s = replica('orca', 512, { maxRequestTokens: 4096 }); // 2 reservations of 256 blocks
    const rs = [req(100, 5), req(200, 5), req(300, 5)];
    rs.forEach((r) => s.addRequest(r, 0));
    const b0 = s.schedule(0)!;
    expect(b0.numTokens).toEqual([100, 200]);
    expect(s.kv.numAllocatedBlocks).toBe(512);
    finishBatch(s, b0);
    expect(s.schedule(1)!.numTokens).toEqual([1, 1]);
  });
});
