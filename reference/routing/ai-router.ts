/**
 * Routing lab, reference solution: a cost-based router that never looks at decode lengths and learns
 * how fast each kind of replica serves from what it can see.
 *
 * Where latency goes. On the benchmark (Llama-2-7B, A100, `vllm`, 4 replicas, ~1 request per replica in
 * flight) a request's e2e is mostly its own decode, one token per ~9.5 ms iteration. Sharing a replica
 * adds two costs, and these are what routing can lower:
 *
 * 1. Prefill stalls. `vllm` runs a new prompt's prefill as its own iteration, ahead of decodes, so every
 *    request already on the replica waits for it. The stall costs about (requests there) × (prefill time),
 *    and prefill time grows about linearly with the prompt: ~9.5 ms at 16 tokens, ~77 ms at 1 K, ~340 ms
 *    at 4 K. A short prompt barely hurts a busy replica; a long one should go where the fewest wait.
 * 2. Attention work. A decode iteration costs ~9.5 ms plus ~0.36 µs per token of KV context it reads, so
 *    every request sharing a replica slows every other by its context length, each iteration, for as
 *    long as they overlap. The replica's KV usage (blocks in use) measures exactly that context.
 *
 * On a cluster of unequal replicas (`--replica-mix`) a third cost dominates: the same load takes longer
 * on a slower replica, and least-outstanding routing (`llq`) gives every replica the same count.
 *
 * Routing cost of sending request x to replica r, in "average request" units so that no hardware
 * constants or block size are needed:
 *
 *     cost(r) = slowness(kind(r)) × [ (outstanding(r) + waiting(r)) × prompt(x) / meanPrompt
 *                                     + λ × usedBlocks(r) × (meanCapacity / capacity(r)) / meanBlocksPerRunning
 *                                     + OWN ]
 *
 * - The first term is the stall x imposes on the residents, plus the prefills x itself waits behind
 *   (requests not yet admitted count twice: their prefills still lie ahead of x's; measured +1 % with
 *   code lengths at 20 QPS, +0.2 % with conversation lengths at 16 QPS).
 * - The second, the context x will share. λ turns context into stall units: a context token costs
 *   ~0.36 µs for each iteration two requests share (roughly 140 on the benchmark), a prompt token
 *   ~0.08 ms of prefill, a ratio of about 0.6 per token. Tuned on the benchmark, λ = 0.75 (0.5–1 is
 *   within ~0.1 % there; 1.5 gains ~0.5 % at 16 QPS but loses ~1 % on mixed clusters). Scaling by
 *   capacity (KV blocks) makes a half-size replica count as full at half the blocks: on A100-40GB beside
 *   A100-80GB at 14 QPS the gain over `llq` went from 2–8 % (median 4.7 %, seeds 1–8) to 5.4–7.9 %
 *   (median 6.9 %); on the four-kind cluster it costs ~1 % (9.5 → 8.4 %). Equal replicas: no change.
 * - OWN is x's own service, so that among idle replicas the fastest kind wins (slowness scales it).
 * - slowness(k) = T_k / T, where T_k is the mean time a request spends on replicas of kind k and T
 *   the same over all routable replicas, both by Little's law: (time-integral of outstanding) /
 *   (completions), decayed with a 30 s time constant. Completions are not announced to routers, so the
 *   router counts them itself: a drop in a replica's outstanding count since its last call (after the
 *   requests it assigned then). Estimates are pooled per `kind`, so equal replicas (one kind) always
 *   get slowness exactly 1, and 5 completions' worth of the cluster mean keep early estimates sane.
 *   T_k includes queueing as well as speed, so a kind that is sent too much looks slower and gets
 *   less: the estimate corrects itself. The square of the ratio favoured the fast kind more and did
 *   better on A100 + H100 (11.7 % against 9.9 %) but worse on the other mixed clusters (6.7 % against
 *   7.8 % on A100-40GB + A100), where the plain ratio keeps more margin.
 *
 * Measured with `npm run bench:routing -- --seeds 10` (workloads in sim/analysis/routing-workloads.ts;
 * gain = 1 − mean e2e / the baseline's, median over seeds 1–10):
 *
 *     workload             vs llq   vs round robin   vs lor
 *     benchmark (3 QPS)     0.5 %        2.6 %        47.1 %
 *     heavy-conv            5.0 %        7.9 %        45.5 %
 *     bursty-mixed-h100     9.9 %       54.9 %        67.4 %
 *     four-kinds            8.8 %       70.2 %        58.1 %
 *     memory-unequal        7.8 %       45.4 %        40.4 %
 *     median over workloads 7.8 % vs llq
 *
 * At 2 QPS on the benchmark: 0.3 % below `llq`, 1.9 % below round robin (seeds 1–5).
 *
 * Tried and left out:
 * - On equal replicas, the two terms above add ~0.1 % at 1 QPS to ~0.9 % at 4 QPS over `llq`, and ~5 %
 *   at 16–20 QPS, where ~37 requests share each replica and prefill stalls are a third of its time.
 * - Estimating residents' remaining decode from their age: even the true remaining lengths (an oracle
 *   experiment) did no better than the KV term, so the router keeps no per-request state.
 * - A per-replica (not per-kind) speed estimate: noise of ±5 % in T_r cost ~0.5 % on equal clusters.
 * - A penalty that grows steeply as a replica's KV fills, or when its free blocks cannot hold the
 *   prompt: no better than the capacity scaling above (5.3–5.7 % against 6.9 % on A100-40GB + A100).
 * - Keeping idle replicas free for later long prompts, or a steeper prompt weight (prompt^1.5):
 *   nothing measurable at 1–2 QPS.
 * - Holding requests back (late binding): the held request waits the whole hold, while the stall it
 *   spares others is one prefill per resident (~0.1 s); requests spend ~4 ms unadmitted as it is.
 *
 * Ties (mostly among idle replicas of one kind) are broken uniformly at random with the seeded RNG,
 * so replica 0 is not favoured. Work per request is O(replicas).
 */
import { Router, type Assignment, type ReplicaView } from '../../sim/policies/router/router.js';

/** Weight of shared KV context against prefill stalls (see the header for where 0.75 comes from). */
const KV_WEIGHT = 0.75;
/** The request's own service, in the cost's units; on mixed clusters 2 measured ~1 % better than 1, 3 the same. */
const OWN_COST = 2;
/** Seconds over which the time-in-system estimates forget; 100 s measured no better (within ±0.3 %). */
const SPEED_TIME_CONSTANT = 30;
/** Completions' worth of the cluster-wide mean blended into each kind's estimate. */
const SPEED_PRIOR_COMPLETIONS = 5;
/** Smoothing of the running means that set the cost's units; slow, so units drift with the workload, not per request. */
const MEAN_SMOOTHING = 0.02;

/** What the router remembers about one replica between calls, to estimate time in system. */
interface DrainState {
  /** Time of the last call that saw this replica. */
  seenAt: number;
  /** Its outstanding count after that call's assignments. */
  outstanding: number;
  /** Decayed time-integral of its outstanding count (request-seconds). */
  area: number;
  /** Decayed count of its completions. */
  completions: number;
}

export class AiRouter extends Router {
  // readsKvState stays true (the default): the cost reads kv.numFreeBlocks, which must be current.

  /** Running mean of prompt lengths seen: the unit of the stall term. */
  #meanPrompt = 0;
  /** Running mean of KV blocks held per running request, across replicas: the unit of the KV term. */
  #meanBlocksPerRunning = 0;
  /** Per replica id, for the drain-rate estimates. */
  readonly #drain = new Map<number, DrainState>();

  schedule(now: number): Assignment[] {
    this.#observeDrain(now);
    const replicas = this.routableReplicas();
    if (replicas.length === 0) return []; // requests stay queued until a replica can take them
    this.#observeKvUsage(replicas);
    const slowness = this.#slowness(replicas);

    // Loads are bumped as requests are assigned, so a burst routed in one call spreads out.
    const outstanding = replicas.map((r) => r.numOutstanding);
    const waiting = replicas.map((r) => r.numWaiting);
    // KV in use, scaled to the mean capacity: a replica with half the memory is as full at half the blocks.
    const meanCapacity = replicas.reduce((sum, r) => sum + r.kv.numBlocks, 0) / replicas.length;
    const usedBlocks = replicas.map((r) =>
      r.kv.numBlocks > 0 ? ((r.kv.numBlocks - r.kv.numFreeBlocks) * meanCapacity) / r.kv.numBlocks : 0,
    );
    const out: Assignment[] = [];
    for (const request of this.drainQueueByArrival()) {
      const prompt = request.numPrefillTokens;
      this.#meanPrompt =
        this.#meanPrompt === 0 ? prompt : this.#meanPrompt + MEAN_SMOOTHING * (prompt - this.#meanPrompt);
      const promptUnits = prompt / this.#meanPrompt;
      // Until some replica has run a request there is no KV unit yet, and then no KV to compare.
      const kvUnit = this.#meanBlocksPerRunning > 0 ? KV_WEIGHT / this.#meanBlocksPerRunning : 0;

      let best = -1;
      let bestCost = Number.POSITIVE_INFINITY;
      let ties = 0;
      for (let i = 0; i < replicas.length; i++) {
        const cost =
          slowness[i]! * ((outstanding[i]! + waiting[i]!) * promptUnits + usedBlocks[i]! * kvUnit + OWN_COST);
        if (cost < bestCost) {
          best = i;
          bestCost = cost;
          ties = 1;
        } else if (cost === bestCost && this.rng.int(1, ++ties) === 1) {
          best = i; // reservoir sampling: each of the k tied replicas ends up chosen with probability 1/k
        }
      }
      outstanding[best]!++;
      // The prompt's blocks arrive at admission; count them now, in KV units, for later requests of this call.
      usedBlocks[best]! += promptUnits * this.#meanBlocksPerRunning;
      this.#drain.get(replicas[best]!.replicaId)!.outstanding++;
      out.push({ replicaId: replicas[best]!.replicaId, request });
    }
    return out;
  }

  override onReplicaRemoved(replicaId: number): void {
    super.onReplicaRemoved(replicaId);
    this.#drain.delete(replicaId);
  }

  /** Integrates every replica's outstanding count since the last call and counts its completions. */
  #observeDrain(now: number): void {
    for (const r of this.cluster.replicas) {
      const state = this.#drain.get(r.replicaId);
      if (state === undefined) {
        this.#drain.set(r.replicaId, { seenAt: now, outstanding: r.numOutstanding, area: 0, completions: 0 });
        continue;
      }
      const elapsed = now - state.seenAt;
      const decay = Math.exp(-elapsed / SPEED_TIME_CONSTANT);
      state.area = state.area * decay + state.outstanding * elapsed;
      state.completions = state.completions * decay + Math.max(0, state.outstanding - r.numOutstanding);
      state.seenAt = now;
      state.outstanding = r.numOutstanding;
    }
  }

  /** T_kind / T per replica, both by Little's law (see the header). */
  #slowness(replicas: readonly ReplicaView[]): number[] {
    const byKind = new Map<string, { area: number; completions: number }>();
    let area = 0;
    let completions = 0;
    for (const r of replicas) {
      const state = this.#drain.get(r.replicaId)!;
      const kind = byKind.get(r.kind ?? '') ?? { area: 0, completions: 0 };
      kind.area += state.area;
      kind.completions += state.completions;
      byKind.set(r.kind ?? '', kind);
      area += state.area;
      completions += state.completions;
    }
    if (byKind.size === 1 || completions === 0) return replicas.map(() => 1);
    const meanTime = area / completions;
    return replicas.map((r) => {
      const kind = byKind.get(r.kind ?? '')!;
      const kindTime = (kind.area + SPEED_PRIOR_COMPLETIONS * meanTime) / (kind.completions + SPEED_PRIOR_COMPLETIONS);
      return kindTime / meanTime;
    });
  }

  /** Updates the mean KV blocks per running request from what the replicas hold now. */
  #observeKvUsage(replicas: readonly ReplicaView[]): void {
    let blocks = 0;
    let running = 0;
    for (const r of replicas) {
      blocks += r.kv.numBlocks - r.kv.numFreeBlocks;
      running += r.numRunning;
    }
    if (running === 0) return;
    const sample = blocks / running;
    this.#meanBlocksPerRunning =
      this.#meanBlocksPerRunning === 0
        ? sample
        : this.#meanBlocksPerRunning + MEAN_SMOOTHING * (sample - this.#meanBlocksPerRunning);
  }
}
