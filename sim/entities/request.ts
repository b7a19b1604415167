/**
 * One inference request and its life cycle.
 *
 * Progress follows Vidur's token accounting (`vidur/entities/request.py`): `numProcessedTokens`
 * counts prompt tokens computed plus output tokens generated; the iteration that completes the
 * prefill also yields the first output token, so a request with one decode token finishes with its
 * prefill. A recompute preemption (`restart`) folds everything computed so far into the prompt of the
 * next attempt, which must prefill it again.
 *
 * Unset times are `undefined`, never 0; reading one through the `require*` accessors throws.
 */
export type RequestStatus = 'pending' | 'waiting' | 'running' | 'finished';

export interface RequestInit {
  readonly id: number;
  readonly arrivedAt: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
  readonly clientId?: number;
  readonly tier?: number;
}

export class Request {
  readonly id: number;
  readonly arrivedAt: number;
  /** Prompt length as submitted (metrics report these, not the post-restart values). */
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
  readonly clientId: number;
  readonly tier: number | undefined;

  status: RequestStatus = 'pending';
  /** Tokens this attempt must prefill: the prompt, or prompt + generated tokens after a restart. */
  prefillTarget: number;
  numProcessedTokens = 0;
  isPrefillComplete = false;
  /**
   * Prompt tokens (of the submitted prompt) computed at least once, over every attempt: a restart
   * does not lower it, so a fair scheduler can tell new prompt work from recompute (`newPromptTokens`).
   */
  numPromptTokensComputed = 0;
  numRestarts = 0;

  replicaId: number | undefined;
  /** First time any batch containing this request started. */
  scheduledAt: number | undefined;
  /** End of the iteration that first completed the prefill (TTFT = this − arrivedAt). */
  prefillCompletedAt: number | undefined;
  completedAt: number | undefined;
  /** Sum of the durations of the batches this request was part of. */
  executionTime = 0;
  /** Time spent admitted but between iterations (Vidur's `preempted_time`). */
  preemptedTime = 0;
  lastBatchEndedAt: number | undefined;

  constructor(init: RequestInit) {
    if (!(init.numPrefillTokens >= 1) || !(init.numDecodeTokens >= 1)) {
      throw new RangeError(
        `request ${init.id}: needs at least 1 prefill and 1 decode token, got ${init.numPrefillTokens}/${init.numDecodeTokens}`,
      );
    }
    this.id = init.id;
    this.arrivedAt = init.arrivedAt;
    this.numPrefillTokens = init.numPrefillTokens;
    this.numDecodeTokens = init.numDecodeTokens;
    this.clientId = init.clientId ?? 0;
    this.tier = init.tier;
    this.prefillTarget = init.numPrefillTokens;
  }

  /** A new request, not yet started, with this one's submitted fields and `changes` (e.g. another arrival time or tier). */
  resubmitted(changes: Partial<RequestInit>): Request {
    return new Request({
      id: this.id,
      arrivedAt: this.arrivedAt,
      numPrefillTokens: this.numPrefillTokens,
      numDecodeTokens: this.numDecodeTokens,
      clientId: this.clientId,
      tier: this.tier,
      ...changes,
    });
  }

  get totalTokens(): number {
    return this.numPrefillTokens + this.numDecodeTokens;
  }

  /** Prompt tokens of the current attempt not yet computed (0 once the prefill is complete). */
  get remainingPrefillTokens(): number {
    return this.isPrefillComplete ? 0 : this.prefillTarget - this.numProcessedTokens;
  }

  /** Output tokens produced so far, including those folded into the prompt by restarts. */
  get numGeneratedTokens(): number {
    const folded = this.prefillTarget - this.numPrefillTokens;
    return folded + (this.isPrefillComplete ? this.numProcessedTokens - this.prefillTarget : 0);
  }

  /**
   * Of the next `tokens` tokens this request computes, how many are prompt tokens never computed
   * before (0 for recompute after a preemption and for decode tokens).
   */
  newPromptTokens(tokens: number): number {
    return Math.max(
      0,
      Math.min(this.numProcessedTokens + tokens, this.numPrefillTokens) - this.numPromptTokensComputed,
    );
  }

  get isFinished(): boolean {
    return this.status === 'finished';
  }

  requireCompletedAt(): number {
    if (this.completedAt === undefined) throw new Error(`request ${this.id} has not completed`);
    return this.completedAt;
  }

  /** Called when a batch containing this request starts. */
  onBatchStart(now: number): void {
    if (this.status === 'finished') throw new Error(`request ${this.id} is finished and cannot be batched`);
    this.status = 'running';
    if (this.scheduledAt === undefined) this.scheduledAt = now;
    if (this.lastBatchEndedAt !== undefined) this.preemptedTime += now - this.lastBatchEndedAt;
  }

  /** Called when a batch that gave this request `tokens` tokens ends, after `duration` seconds. */
  onBatchEnd(now: number, tokens: number, duration: number): void {
    this.numProcessedTokens += tokens;
    this.numPromptTokensComputed = Math.max(
      this.numPromptTokensComputed,
      Math.min(this.numProcessedTokens, this.numPrefillTokens),
    );
    this.executionTime += duration;
    this.lastBatchEndedAt = now;
    if (this.numProcessedTokens > this.totalTokens) {
      throw new Error(`request ${this.id} processed ${this.numProcessedTokens} of ${this.totalTokens} tokens`);
    }
    if (!this.isPrefillComplete && this.numProcessedTokens === this.prefillTarget) {
      this.isPrefillComplete = true;
      this.numProcessedTokens += 1; // the prefill iteration also produces the first output token
      this.prefillCompletedAt ??= now;
    }
    if (this.numProcessedTokens === this.totalTokens) {
      this.status = 'finished';
      this.completedAt = now;
    }
  }

  /**
   * The first `count` iterations of a decode run ended at `ends[i]` after `durations[i]`: the same as
   * `onBatchEnd(ends[i], 1, durations[i])` for each, without a completion (a run stops at the first one).
   */
  onDecodeIterations(ends: Float64Array, durations: Float64Array, count: number): void {
    if (count <= 0) return;
    if (!this.isPrefillComplete || this.numProcessedTokens + count >= this.totalTokens) {
      throw new Error(`request ${this.id}: ${count} decode iterations do not fit its remaining tokens`);
    }
    let execution = this.executionTime;
    for (let i = 0; i < count; i++) execution += durations[i]!;
    this.executionTime = execution;
    this.numProcessedTokens += count;
    this.lastBatchEndedAt = ends[count - 1];
  }

  /**
   * Preemption by recompute: the KV cache is gone, so everything computed so far becomes prompt
   * for the next attempt. Unlike Vidur, a victim caught mid-prefill keeps its full prompt target
   * (Vidur would shrink the prompt to the chunks already done).
   */
  restart(): void {
    if (this.status === 'finished') throw new Error(`request ${this.id} is finished and cannot restart`);
    this.prefillTarget = Math.max(this.prefillTarget, this.numProcessedTokens);
    this.numProcessedTokens = 0;
    this.isPrefillComplete = false;
    this.numRestarts += 1;
    this.status = 'waiting';
  }
}
