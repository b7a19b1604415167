/**
 * Request's guards (sim/entities/request.ts): each misuse of the lifecycle the engine could make throws with the
 * request's id instead of corrupting the counts, and the lifecycle a scheduler drives gives the documented fields.
 */
import { describe, expect, test } from 'vitest';
import { Request } from '../../sim/entities/request.js';

const make = (numPrefillTokens = 4, numDecodeTokens = 3) =>
  new Request({ id: 7, arrivedAt: 0, numPrefillTokens, numDecodeTokens });

describe('Request guards', () => {
  test.each([
    [0, 3],
    [4, 0],
    [Number.NaN, 3],
  ])('%s prompt / %s output tokens is refused at construction', (p, d) => {
    expect(() => make(p, d)).toThrow(
      new RegExp(`request 7: needs at least 1 prefill and 1 decode token, got ${p}/${d}`),
    );
  });

  test('no completion time before it finishes; a finished request cannot be batched or restarted', () => {
    const r = make(4, 2);
    expect(() => r.requireCompletedAt()).toThrow('request 7 has not completed');
    r.onBatchStart(1);
    r.onBatchEnd(2, 4, 1); // the prefill, and with it the first output token
    expect([r.isPrefillComplete, r.remainingPrefillTokens, r.numGeneratedTokens]).toEqual([true, 0, 1]);
    r.onBatchStart(3);
    r.onBatchEnd(4, 1, 1);
    expect([r.isFinished, r.requireCompletedAt(), r.preemptedTime]).toEqual([true, 4, 1]);
    expect(() => r.onBatchStart(5)).toThrow('request 7 is finished and cannot be batched');
    expect(() => r.restart()).toThrow('request 7 is finished and cannot restart');
  });

  test('more tokens than the request has is an error, not a silent overrun', () => {
    const r = make(4, 2);
    r.onBatchStart(0);
    expect(() => r.onBatchEnd(1, 7, 1)).toThrow('request 7 processed 7 of 6 tokens');
  });

  test('decode iterations: none is a no-op; before the prefill, or up to the last token, they are refused', () => {
    const r = make(2, 5);
    const none = new Float64Array(0);
    r.onDecodeIterations(none, none, 0);
    expect(r.numProcessedTokens).toBe(0);
    expect(() => r.onDecodeIterations(new Float64Array([1]), new Float64Array([1]), 1)).toThrow(
      'request 7: 1 decode iterations do not fit its remaining tokens',
    );
    r.onBatchStart(0);
    r.onBatchEnd(1, 2, 1); // 3 of 7 tokens: prompt plus the first output token
    // Four more would finish it (7 of 7): a decode run stops before the completion.
    expect(() => r.onDecodeIterations(new Float64Array(4).fill(2), new Float64Array(4).fill(0.5), 4)).toThrow(
      /4 decode iterations do not fit/,
    );
    r.onDecodeIterations(new Float64Array([2, 3, 4]), new Float64Array([0.5, 0.5, 0.5]), 3);
    expect([r.numProcessedTokens, r.executionTime, r.lastBatchEndedAt]).toEqual([6, 2.5, 4]);
  });

  test('a restart mid-prefill keeps the full prompt as its target and counts nothing as generated', () => {
    const r = make(8, 2);
    r.onBatchStart(0);
    r.onBatchEnd(1, 3, 1);
    expect(r.remainingPrefillTokens).toBe(5);
    r.restart();
    expect([r.prefillTarget, r.numProcessedTokens, r.numRestarts, r.status, r.numGeneratedTokens]).toEqual([
      8,
      0,
      1,
      'waiting',
      0,
    ]);
  });
});
