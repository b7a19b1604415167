/**
 * Wrong implementations of the fairness lab, each the reference with one plausible mistake, kept as
 * patches on the reference so they can never drift from it: a patch that stops applying fails the
 * test. `generate.ts` writes them out as complete submissions, and test/grader/fairness-mutants.test.ts
 * grades every one: each must lose points on the items listed in `loses`, so the grader is shown to
 * catch the mistake where the rubric says it should.
 */
import { applyMutant, type Mutant as SharedMutant } from '../../../grader/core/mutants.js';

/** A shared mutant (grader/core/mutants.ts) plus the rubric items it must lose points on. */
export interface Mutant extends SharedMutant<(typeof FAIRNESS_FILES)[number]> {
  readonly loses: readonly string[];
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'no-lift',
    description: 'LCF: no counter lift on arrival, so a client back from silence spends its banked credit',
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        `  updateCounterOnArrival(request: Request): void {
    const u = request.clientId;`,
        `  updateCounterOnArrival(request: Request): void {
    if (request.clientId >= 0) return; // mutant: no lift (least counter first)
    const u = request.clientId;`,
      ],
    ],
    loses: ['vtc-arrival', 'vtc-on-off'],
  },
  {
    name: 'lift-to-max',
    description: 'lifts an arriving client to the largest waiting counter instead of the smallest',
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        '    let othersMin = Number.POSITIVE_INFINITY;\n    for (const r of this.waiting) {\n      if (r.clientId === u) return; // u is already waiting: no lift\n      othersMin = Math.min(',
        '    let othersMin = Number.NEGATIVE_INFINITY;\n    for (const r of this.waiting) {\n      if (r.clientId === u) return; // u is already waiting: no lift\n      othersMin = Math.max(',
      ],
      [
        '    if (othersMin < Number.POSITIVE_INFINITY) this.virtualCounters',
        '    if (othersMin > Number.NEGATIVE_INFINITY) this.virtualCounters',
      ],
    ],
    loses: ['vtc-arrival'],
  },
  {
    name: 'no-empty-queue-lift',
    description: "the VTC artifact's rule: no lift when nobody else is waiting (ignores lastClientScheduled)",
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        '    else if (this.lastClientScheduled !== undefined)\n      this.virtualCounters.set(u, Math.max(own, this.counterOf(this.lastClientScheduled)));\n    else this.virtualCounters.set(u, own);\n  }\n\n  /**\n   * Charges the output tokens',
        '    else this.virtualCounters.set(u, own); // mutant: no empty-queue lift\n  }\n\n  /**\n   * Charges the output tokens',
      ],
    ],
    loses: ['vtc-arrival'],
  },
  {
    name: 'decode-once-per-batch',
    description: 'charges each client one decode token per batch instead of one per token generated',
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;`,
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    const charged = new Set<number>(); // mutant: once per client per batch
    for (const r of batch.requests) {
      if (!r.isPrefillComplete || charged.has(r.clientId)) continue;
      charged.add(r.clientId);
      const c = r.clientId;`,
      ],
    ],
    loses: ['vtc-batch-completion', 'vtc-weighted-short-long'],
  },
  {
    name: 'weights-ignored',
    description: "never divides a charge by the client's weight",
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        'this.counterOf(c) + getDecodeTokenServiceCost() / this.clientWeight(c)',
        'this.counterOf(c) + getDecodeTokenServiceCost() /* mutant: no weight */',
      ],
      [
        'getPrefillTokenServiceCost(request.newPromptTokens(tokens)) / this.clientWeight(c)',
        'getPrefillTokenServiceCost(request.newPromptTokens(tokens)) /* mutant: no weight */',
      ],
    ],
    loses: ['vtc-batch-completion', 'vtc-next-batch', 'vtc-weighted-short-long'],
  },
  {
    name: 'skips-blocked-head',
    description: "when the chosen client's request does not fit, skips that client and admits from the next one",
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        '    let longest = 0;\n    for (;;) {\n      const selected = this.selectNextRequest();',
        '    let longest = 0;\n    const blocked = new Set<number>();\n    for (;;) {\n      const selected = this.selectSkipping(blocked);',
      ],
      [
        `      if (!this.canAllocate(request)) break;
      if ((requests.length + 1) * Math.max(longest, tokens) > this.limits.maxTokensInBatch) break;`,
        `      if (!this.canAllocate(request) || (requests.length + 1) * Math.max(longest, tokens) > this.limits.maxTokensInBatch) {
        blocked.add(request.clientId); // mutant: skip past it to the next client
        continue;
      }`,
      ],
      [
        "  /**\n   * vLLM's prefill-prioritising iteration",
        `  /** Mutant: selectNextRequest among the clients not in \`blocked\`. */
  selectSkipping(blocked: ReadonlySet<number>): VtcSelection | undefined {
    let best: VtcSelection | undefined;
    this.waiting.forEach((request, index) => {
      const c = request.clientId;
      if (blocked.has(c)) return;
      if (best === undefined || isBefore(this.counterOf(c), c, this.counterOf(best.request.clientId), best.request.clientId)) best = { request, index };
    });
    return best;
  }

  /**
   * vLLM's prefill-prioritising iteration`,
      ],
    ],
    loses: ['vtc-next-batch'],
  },
  {
    name: 'prefill-charged-at-batch-end',
    description:
      'charges prompts when the batch ends instead of at admission, so one admission loop never sees its own charges',
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;`,
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    batch.requests.forEach((r, i) => {
      const tokens = batch.numTokens[i]!;
      if (tokens > 1) this.virtualCounters.set(r.clientId, this.counterOf(r.clientId) + getPrefillTokenServiceCost(tokens) / this.clientWeight(r.clientId)); // mutant
    });
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;`,
      ],
      [
        '      this.virtualCounters.set(\n        c,\n        this.counterOf(c) + getPrefillTokenServiceCost(request.newPromptTokens(tokens)) / this.clientWeight(c),\n      );\n',
        '      // mutant: prompt charged at batch end\n',
      ],
    ],
    loses: ['vtc-batch-completion', 'vtc-next-batch'],
  },
  {
    name: 'fcfs-select',
    description: 'selectNextRequest ignores the counters and returns the head of the queue (FCFS)',
    file: 'vtc-replica-scheduler.ts',
    patches: [
      [
        '  selectNextRequest(): VtcSelection | undefined {\n',
        '  selectNextRequest(): VtcSelection | undefined {\n    if (this.waiting.length > 0) return { request: this.waiting[0]!, index: 0 }; // mutant: FCFS\n',
      ],
    ],
    loses: ['vtc-select', 'vtc-next-batch', 'vtc-overload'],
  },
  {
    name: 'decode-cost-one',
    description: 'an output token costs 1 like a prompt token (w_q = 1)',
    file: 'service-cost.ts',
    patches: [
      [
        'export function getDecodeTokenServiceCost(): number {\n  return 2;',
        'export function getDecodeTokenServiceCost(): number {\n  return 1; // mutant',
      ],
    ],
    loses: ['cost-decode'],
  },
  {
    name: 'sarathi-partials-first',
    description:
      'plain Sarathi order: prompts in progress always get the budget first, VTC only picks among waiting requests',
    file: 'vtc-sarathi-replica-scheduler.ts',
    patches: [
      [
        '  selectNextRequest(runningPrefills: readonly Request[]): VtcSarathiSelection | undefined {\n',
        '  selectNextRequest(runningPrefills: readonly Request[]): VtcSarathiSelection | undefined {\n    if (runningPrefills.length > 0) return { request: runningPrefills[0]!, index: 0, isRunningPrefill: true }; // mutant\n',
      ],
    ],
    loses: ['sarathi-select', 'sarathi-next-batch'],
  },
  {
    name: 'sarathi-chunk-as-decode',
    description:
      "charges every token of a request whose prompt is complete after the batch as a decode token, so a prompt's last chunk costs 2 per token",
    file: 'vtc-sarathi-replica-scheduler.ts',
    patches: [
      [
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    for (const r of batch.requests) {
      if (!r.isPrefillComplete) continue;
      const c = r.clientId;
      this.virtualCounters.set(c, this.counterOf(c) + getDecodeTokenServiceCost() / this.clientWeight(c));
    }
  }`,
        `  updateCounterOnBatchCompletion(batch: Batch): void {
    batch.requests.forEach((r, i) => {
      if (!r.isPrefillComplete) return;
      const c = r.clientId;
      this.virtualCounters.set(c, this.counterOf(c) + (batch.numTokens[i]! * getDecodeTokenServiceCost()) / this.clientWeight(c)); // mutant
    });
  }`,
      ],
    ],
    loses: ['sarathi-batch-completion'],
  },
];

/** The mutant's version of `text` (the reference file); throws if a patch does not apply exactly once. */
export function applyPatches(mutant: Mutant, text: string): string {
  return applyMutant(text, mutant);
}

export const FAIRNESS_FILES = [
  'service-cost.ts',
  'vtc-replica-scheduler.ts',
  'vtc-sarathi-replica-scheduler.ts',
] as const;

/** The files of a mutant submission, from the reference's files (name → text). */
export function mutantFiles(mutant: Mutant, reference: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of FAIRNESS_FILES) {
    const text = reference.get(file);
    if (text === undefined) throw new Error(`the reference file ${file} is missing`);
    out.set(
      file,
      file === mutant.file
        ? `// MUTANT ${mutant.name}: ${mutant.description}.\n// Generated from the reference by reference/fairness/mutants/generate.ts; do not edit.\n${applyPatches(mutant, text)}`
        : text,
    );
  }
  return out;
}
