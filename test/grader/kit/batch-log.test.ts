/** Reading the flat batch log (grader/kit/batch-log.ts) back: well-formed logs, and logs a hostile child wrote. */
import { describe, expect, it } from 'vitest';
import { Batch } from '../../../sim/entities/batch.js';
import { Request } from '../../../sim/entities/request.js';
import { logCall, promptTokensPerCall } from '../../../grader/kit/batch-log.js';

const req = (id: number) => new Request({ id, arrivedAt: 0, numPrefillTokens: 500, numDecodeTokens: 8 });

describe('promptTokensPerCall', () => {
  it('gives each batch-forming call its prompt tokens, past preemptions and decodes', () => {
    const log: number[] = [];
    logCall(log, 0.5, [4], new Batch(0, [req(0), req(1), req(2)], [100, 1, 28]));
    logCall(log, 0.75, [], undefined);
    logCall(log, 1, [1, 2], new Batch(0, [req(3)], [1]));
    expect(promptTokensPerCall(log)).toEqual([
      [0.5, 128],
      [1, 0],
    ]);
  });

  it('stops at a count that breaks the format instead of looping or reading backwards', () => {
    expect(promptTokensPerCall([0, -5, 1, 2, 3])).toEqual([]);
    expect(promptTokensPerCall([0, 0, 1e300, -1, 5])).toEqual([]);
    expect(promptTokensPerCall([0, 0, 1, -1, 64, 1, -3])).toEqual([[0, 64]]);
  });
});
