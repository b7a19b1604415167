/**
 * Wrong implementations of the autoscaling lab, each the reference with one plausible mistake, kept as
 * patches on the reference (grader/core/mutants.ts) so they cannot drift from it.
 * test/grader/autoscaling-mutants.test.ts grades each and checks it loses points where it should.
 */
import type { Mutant } from '../../../grader/core/mutants.js';

export const MUTANTS: readonly Mutant<
  'scaling-routers.ts' | 'network-envelope.ts' | 'inferline-autoscaler.ts' | 'custom-autoscaler.ts'
>[] = [
  {
    name: 'ema-wrong-weight',
    description:
      "MUTANT (ema-wrong-weight): the moving average puts α on the old estimate and 1 − α on the new batch. Identical at α = 0.5 (the handout's example passes); wrong for any other α. Loses: throughput-ema.",
    file: 'inferline-autoscaler.ts',
    patches: [
      [
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.181 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.183 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
      ],
      [
        '    const a = this.config.throughputAlpha;\n    this.throughput = a * (batch.totalTokens / elapsed) + (1 - a) * this.throughput;\n  }\n',
        '    const a = this.config.throughputAlpha;\n    this.throughput = (1 - a) * (batch.totalTokens / elapsed) + a * this.throughput;\n  }\n',
      ],
    ],
  },
  {
    name: 'envelope-partial-windows',
    description:
      'MUTANT (envelope-partial-windows): the reference structure with two classic mistakes: windows closed on the left ([s, s + W] instead of (s, s + W]), and, while the traffic is younger than W, dividing by the time since the first arrival instead of by W (the partial window inflates the rate). Loses: envelope.',
    file: 'network-envelope.ts',
    patches: [
      [
        '  windowSum = 0;\n  /** Deque of right-edge windows, as arrival indices and their sums; entries [head, sums.length) are live. */\n  readonly edges: number[] = [];\n',
        '  windowSum = 0;\n  /** Deque of right-edge windows, as arrival indices and their sums; [head, times.length) is live. */\n  readonly edges: number[] = [];\n',
      ],
      [
        '    }\n    return this.#query(state, time) / w;\n  }\n',
        '    }\n    const first = this.#times[0];\n    const span = first === undefined ? w : Math.min(w, Math.max(time - first, 1e-9));\n    return this.#query(state, time) / span;\n  }\n',
      ],
      [
        '      const start = edge - w;\n      while (times[s.tail]! <= start) s.windowSum -= tokens[s.tail++]!;\n      while (s.sums.length > s.head && s.sums[s.sums.length - 1]! <= s.windowSum) {\n',
        '      const start = edge - w;\n      while (times[s.tail]! < start) s.windowSum -= tokens[s.tail++]!;\n      while (s.sums.length > s.head && s.sums[s.sums.length - 1]! <= s.windowSum) {\n',
      ],
    ],
  },
  {
    name: 'lor-marks-busiest',
    description:
      'MUTANT (lor-marks-busiest): markReplicaToFree() picks the replica with the MOST outstanding requests, the one that takes longest to drain. Loses: lor.',
    file: 'scaling-routers.ts',
    patches: [
      [
        '    let best: ReplicaView | undefined;\n    for (const r of this.routableReplicas()) if (best === undefined || r.numOutstanding < best.numOutstanding) best = r;\n    if (best === undefined) return null;\n',
        '    let best: ReplicaView | undefined;\n    for (const r of this.routableReplicas()) if (best === undefined || r.numOutstanding > best.numOutstanding) best = r;\n    if (best === undefined) return null;\n',
      ],
    ],
  },
  {
    name: 'naive-envelope',
    description:
      'MUTANT (naive-envelope): a correct envelope that sweeps every arrival in the look-back on each query, O(arrivals in the look-back) per query instead of O(1) amortised. Loses: the efficiency check (envelope-scaling, informational) only; every value is right.',
    file: 'network-envelope.ts',
    patches: [
      [
        '\n/** What the envelope reads of a request. */\nexport interface ArrivingRequest {\n',
        'export interface ArrivingRequest {\n',
      ],
      [
        '\n/** Per-(W, L) incremental state. */\nclass WindowState {\n  /** Next arrival index not yet turned into a right-edge window. */\n  next = 0;\n  /** First arrival inside (a_next−1 − W, a_next−1]. */\n  tail = 0;\n  windowSum = 0;\n  /** Deque of right-edge windows, as arrival indices and their sums; entries [head, sums.length) are live. */\n  readonly edges: number[] = [];\n  readonly sums: number[] = [];\n  head = 0;\n  /** The leftmost window (t − L, t − L + W]: arrivals [lo, hi). */\n  lo = 0;\n  hi = 0;\n  leftSum = 0;\n\n  constructor(\n    readonly windowSize: number,\n    readonly lookBackTime: number,\n  ) {}\n}\n\nexport class NetworkEnvelope {\n',
        '\nexport class NetworkEnvelope {\n',
      ],
      [
        '  readonly #tokens: number[] = [];\n  readonly #states = new Map<string, WindowState>();\n\n',
        '  readonly #tokens: number[] = [];\n\n',
      ],
      [
        "    const w = Math.min(windowSize, lookBackTime);\n    const key = `${w}:${lookBackTime}`;\n    let state = this.#states.get(key);\n    if (state === undefined) {\n      state = new WindowState(w, lookBackTime);\n      this.#states.set(key, state);\n    }\n    return this.#query(state, time) / w;\n  }\n\n  /** The largest token count of a window of the pair's size inside (time − L, time]. */\n  #query(s: WindowState, time: number): number {\n    const times = this.#times;\n    const tokens = this.#tokens;\n    const n = times.length;\n    const w = s.windowSize;\n    // 1. New arrivals become right-edge windows (a_j − W, a_j].\n    for (; s.next < n; s.next++) {\n      const edge = times[s.next]!;\n      s.windowSum += tokens[s.next]!;\n      const start = edge - w;\n      while (times[s.tail]! <= start) s.windowSum -= tokens[s.tail++]!;\n      while (s.sums.length > s.head && s.sums[s.sums.length - 1]! <= s.windowSum) {\n        s.sums.pop();\n        s.edges.pop();\n      }\n      s.edges.push(s.next);\n      s.sums.push(s.windowSum);\n    }\n    // 2. Right-edge windows that start before the look-back are gone for good (time only grows).\n    const from = time - s.lookBackTime;\n    while (s.head < s.sums.length && times[s.edges[s.head]!]! - w < from) s.head++;\n    if (s.head > 1024 && s.head * 2 > s.sums.length) {\n      s.edges.splice(0, s.head);\n      s.sums.splice(0, s.head);\n      s.head = 0;\n    }\n    // 3. The leftmost window (from, from + W].\n    const leftEnd = from + w;\n    while (s.hi < n && times[s.hi]! <= leftEnd) s.leftSum += tokens[s.hi++]!;\n    while (s.lo < s.hi && times[s.lo]! <= from) s.leftSum -= tokens[s.lo++]!;\n    const best = s.head < s.sums.length ? s.sums[s.head]! : 0;\n    return Math.max(best, s.leftSum);\n  }\n",
        '    const w = Math.min(windowSize, lookBackTime);\n    const from = time - lookBackTime;\n    const times = this.#times;\n    const tokens = this.#tokens;\n    // Binary search for the first arrival after t − L, then a two-pointer sweep to the end.\n    let lo = 0;\n    let hi = times.length;\n    while (lo < hi) {\n      const mid = (lo + hi) >> 1;\n      if (times[mid]! <= from) lo = mid + 1;\n      else hi = mid;\n    }\n    const first = lo;\n    let best = 0;\n    let left = 0;\n    for (let i = first; i < times.length && times[i]! <= from + w; i++) left += tokens[i]!;\n    best = left;\n    let tail = first;\n    let sum = 0;\n    for (let j = first; j < times.length && times[j]! <= time; j++) {\n      sum += tokens[j]!;\n      while (times[tail]! <= times[j]! - w) sum -= tokens[tail++]!;\n      if (times[j]! - w >= from) best = Math.max(best, sum);\n    }\n    return best / w;\n  }\n',
      ],
    ],
  },
  {
    name: 'pareto-dominated-level',
    description:
      'MUTANT (pareto-dominated-level): service level 2 runs exactly like level 1, so the "front" has a duplicate point, (weakly) dominated by level 1: the true hypervolume ignores it, and the front is left with two points. Loses: pareto.',
    file: 'custom-autoscaler.ts',
    patches: [
      [
        "/** Target utilisation of a replica's capacity per service level. */\nconst UTILISATION: Readonly<Record<ServiceLevel, number>> = { 1: 1.0, 2: 0.8, 3: 0.6 };\n/** Batches with at least this many tokens show a replica's capacity (3/4 of the 4,096-token limit). */\n",
        "/** Target utilisation of a replica's capacity per service level. */\nconst UTILISATION: Readonly<Record<ServiceLevel, number>> = { 1: 1.0, 2: 1.0, 3: 0.6 };\n/** Batches with at least this many tokens show a replica's capacity (3/4 of the 4,096-token limit). */\n",
      ],
    ],
  },
  {
    name: 'rr-assumes-contiguous-ids',
    description:
      'MUTANT (rr-assumes-contiguous-ids): round robin with a counter taken modulo the number of replicas and used as the replica id, as if ids were always 0..n−1. Loses: round-robin.',
    file: 'scaling-routers.ts',
    patches: [
      [
        '    if (replicas.length === 0) return []; // requests wait until a replica can take them\n    let i = replicas.findIndex((r) => r.replicaId > this.#lastId);\n    if (i < 0) i = 0;\n    const out: Assignment[] = [];\n    for (const request of this.drainQueueByArrival()) {\n      const replica = replicas[i]!;\n      out.push({ replicaId: replica.replicaId, request });\n      this.#lastId = replica.replicaId;\n      i = (i + 1) % replicas.length;\n    }\n',
        '    if (replicas.length === 0) return []; // requests wait until a replica can take them\n    const out: Assignment[] = [];\n    for (const request of this.drainQueueByArrival()) {\n      this.#lastId = Number.isFinite(this.#lastId) ? this.#lastId + 1 : 0;\n      out.push({ replicaId: this.#lastId % replicas.length, request });\n    }\n',
      ],
    ],
  },
  {
    name: 'rr-routes-to-marked',
    description:
      'MUTANT (rr-routes-to-marked): round robin over every replica that exists, marked ones included (`this.cluster.replicas` instead of `this.routableReplicas()`). Loses: round-robin.',
    file: 'scaling-routers.ts',
    patches: [
      [
        '  schedule(_now: number): Assignment[] {\n    const replicas = this.routableReplicas();\n    if (replicas.length === 0) return []; // requests wait until a replica can take them\n',
        '  schedule(_now: number): Assignment[] {\n    const replicas = this.cluster.replicas;\n    if (replicas.length === 0) return []; // requests wait until a replica can take them\n',
      ],
    ],
  },
  {
    name: 'tune-double-counts-pending',
    description:
      "MUTANT (tune-double-counts-pending): tune() keeps its own count of the scale-ups it asked for and adds it to the engine's pendingScaleUps, so every pending scale-up is counted twice (the mistake seen in a public solution of the course lab). Loses: tune (and some tuning).",
    file: 'inferline-autoscaler.ts',
    patches: [
      [
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.181 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.183 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
      ],
      [
        '  #lastScaleUpAt = Number.NEGATIVE_INFINITY;\n\n',
        '  #lastScaleUpAt = Number.NEGATIVE_INFINITY;\n  #requested = 0;\n\n',
      ],
      [
        '    // Marked replicas are still in numReplicas and their scale-downs still pending: they cancel out.\n    const effective = state.numReplicas + state.pendingScaleUps - state.pendingScaleDowns;\n    const up = target(this.envelope.getMaxRequestRate(now, c.minWindowSizeScaleUp, c.lookBackTimeScaleUp));\n',
        "    // Marked replicas are still in numReplicas and their scale-downs still pending: they cancel out.\n    // Scale-ups requested earlier and not yet visible as replicas (they are: the engine's pendingScaleUps).\n    this.#requested = Math.min(this.#requested, state.pendingScaleUps);\n    const effective = state.numReplicas + state.pendingScaleUps + this.#requested - state.pendingScaleDowns;\n    const up = target(this.envelope.getMaxRequestRate(now, c.minWindowSizeScaleUp, c.lookBackTimeScaleUp));\n",
      ],
      [
        '      this.#lastScaleUpAt = now;\n      return up - effective;\n',
        '      this.#lastScaleUpAt = now;\n      this.#requested += up - effective;\n      return up - effective;\n',
      ],
    ],
  },
  {
    name: 'tune-no-stabilisation',
    description:
      'MUTANT (tune-no-stabilisation): tune() scales down as soon as the scale-down target is lower, without waiting for the stabilisation delay after a scale-up. Loses: tune.',
    file: 'inferline-autoscaler.ts',
    patches: [
      [
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.181 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
        ' *   whose first target would be the maximum (it matters only if a tune comes before any batch ends).\n * Against the defaults: on the shipped trace $26.2 and P90 0.134 s instead of $23.5 and 0.183 s; on\n * spiky traces P90 0.13 s instead of 0.35 s for about a third more cost.\n',
      ],
      [
        '    }\n    if (now - this.#lastScaleUpAt < c.stabilizationDelay) return 0;\n    const down = target(this.envelope.getMaxRequestRate(now, c.minWindowSizeScaleDown, c.lookBackTimeScaleDown));\n',
        '    }\n    const down = target(this.envelope.getMaxRequestRate(now, c.minWindowSizeScaleDown, c.lookBackTimeScaleDown));\n',
      ],
    ],
  },
];
