/** The kit's one schedule() call for unit probes (grader/kit/router-session.ts, scheduleCall). */
import { describe, expect, it } from 'vitest';
import { Request } from '../../../sim/entities/request.js';
import { Router, type Assignment } from '../../../sim/policies/router/router.js';
import { Rng } from '../../../sim/workload/rng.js';
import { finiteOrNull } from '../../../grader/kit/probes.js';
import { scheduleCall } from '../../../grader/kit/router-session.js';

/** A router whose schedule() returns whatever the test gives it. */
class Scripted extends Router {
  constructor(readonly out: unknown) {
    super({ cluster: { replicas: [] }, rng: new Rng(1) });
  }
  override schedule(): Assignment[] {
    return this.out as Assignment[];
  }
}

const request = new Request({ id: 3, arrivedAt: 0, numPrefillTokens: 10, numDecodeTokens: 1 });

describe('scheduleCall', () => {
  it('gives [requestId, replicaId] pairs in the order returned, null for what is not a finite number', () => {
    const out = [{ request, replicaId: 1 }, { request, replicaId: Number.NaN }, undefined, { replicaId: '2' }];
    expect(scheduleCall(new Scripted(out), 0)).toEqual([
      [3, 1],
      [3, null],
      [null, null],
      [null, 2],
    ]);
    // A stricter conversion: only numbers count.
    expect(scheduleCall(new Scripted(out), 0, finiteOrNull)[3]).toEqual([null, null]);
  });

  it('throws on a return that is not an array', () => {
    expect(() => scheduleCall(new Scripted(7), 0)).toThrow('schedule() returned number, not an array of assignments');
  });
});
