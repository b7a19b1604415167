/**
 * Wrong implementations of the deadline lab, each the reference with one plausible mistake, kept as
 * patches on the reference (grader/core/mutants.ts) so they cannot drift from it.
 * test/grader/deadline-mutants.test.ts grades each and checks it loses points where it should.
 */
import type { Mutant } from '../../../grader/core/mutants.js';

export const MUTANTS: readonly Mutant<'deadline-scheduler.ts'>[] = [
  {
    name: 'no-relegation',
    description: 'Deadline lab mutant "no-relegation": the reference with one bug, shouldRelegate never relegates.',
    file: 'deadline-scheduler.ts',
    patches: [
      [
        '    if (this.isRelegated(r) || this.kv.holds(r.id)) return false;\n    return now + (r.prefillTarget - r.numProcessedTokens) / this.prefillThroughput > r.arrivedAt + this.ttftDeadline(r);\n',
        '    void r;\n    void now;\n    return false; // BUG: never relegates\n',
      ],
    ],
  },
  {
    name: 'relegates-repeatedly',
    description:
      'Deadline lab mutant "relegates-repeatedly": the reference with one bug, shouldRelegate forgets that a request was already relegated.',
    file: 'deadline-scheduler.ts',
    patches: [
      [
        '    if (this.isRelegated(r) || this.kv.holds(r.id)) return false;\n',
        '    if (this.kv.holds(r.id)) return false; // BUG: a relegated request can be relegated again\n',
      ],
    ],
  },
  {
    name: 'alpha-sign-flipped',
    description:
      'Deadline lab mutant "alpha-sign-flipped": the reference with one bug, long prompts get priority (− α × remaining).',
    file: 'deadline-scheduler.ts',
    patches: [
      [
        '    return r.arrivedAt + this.ttftDeadline(r) + this.deadline.hybridAlpha * (r.prefillTarget - r.numProcessedTokens);\n',
        '    return r.arrivedAt + this.ttftDeadline(r) - this.deadline.hybridAlpha * (r.prefillTarget - r.numProcessedTokens); // BUG: sign\n',
      ],
    ],
  },
  {
    name: 'decodes-by-descending-slack',
    description:
      'Deadline lab mutant "decodes-by-descending-slack": the reference with one bug, decodes sort most slack first (the research code\'s order), so the most urgent are cut when decodes exceed the budget.',
    file: 'deadline-scheduler.ts',
    patches: [
      [
        '    return this.tokenDeadline(a) - now - (this.tokenDeadline(b) - now) || byArrival(a, b);\n',
        '    return this.tokenDeadline(b) - now - (this.tokenDeadline(a) - now) || byArrival(a, b); // BUG: descending slack\n',
      ],
    ],
  },
  {
    name: 'static-chunk',
    description:
      'Deadline lab mutant "static-chunk": the reference with one bug, the prefill limit is always chunkSize − decodes (no dynamic chunking).',
    file: 'deadline-scheduler.ts',
    patches: [
      [
        '    const limit = this.prefillSizeBySlack(minSlack, taken, this.kv.numFreeBlocks);\n',
        '    void minSlack;\n    const limit = Math.max(0, this.limits.chunkSize - taken.length); // BUG: static chunk\n',
      ],
      [
        '    const sizes = (freeBlocks * this.kv.blockSize) / 32 < 1000 ? LOW_MEMORY_CHUNK_SIZES : CHUNK_SIZES;\n    const d = decodes.length;\n',
        '    const sizes = (freeBlocks * this.kv.blockSize) / 32 < 1000 ? LOW_MEMORY_CHUNK_SIZES : CHUNK_SIZES;\n    const d = decodes.length;\n    if (sizes.length > 0) return Math.max(0, this.limits.chunkSize - d); // BUG: static chunk\n',
      ],
    ],
  },
];
