/** Request length generators: (prefill, decode) token pairs for synthetic workloads. */
import type { Rng } from './rng.js';
import type { TraceRecord } from './trace-file.js';

export type LengthKind = 'trace' | 'uniform' | 'zipf' | 'fixed';

export interface LengthOptions {
  readonly kind: LengthKind;
  /** Prompt + output tokens are clipped to this many (Vidur: 4096). */
  readonly maxTokens: number;
  /** For `trace`: rows to sample from, used in a seeded shuffled order, cycling when exhausted. */
  readonly traceRows?: readonly TraceRecord[];
  readonly prefillScale: number;
  readonly decodeScale: number;
  /** For `fixed`. */
  readonly prefillTokens: number;
  readonly decodeTokens: number;
  /** For `uniform` and `zipf`: total-token range and the prefill:decode ratio that splits it. */
  readonly minTotalTokens: number;
  readonly maxTotalTokens: number;
  readonly prefillToDecodeRatio: number;
  readonly zipfTheta: number;
}

export interface RequestLength {
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
}

export type LengthGenerator = () => RequestLength;

/**
 * Vidur's proportional clipping: an over-long request loses ceil(excess × share) from each part,
 * then each part is at least 1.
 */
export function clipLength(prefill: number, decode: number, maxTokens: number): RequestLength {
  const total = prefill + decode;
  const excess = Math.max(0, total - maxTokens);
  let p = prefill;
  let d = decode;
  if (excess > 0) {
    p -= Math.ceil((excess * prefill) / total);
    d -= Math.ceil((excess * decode) / total);
  }
  return { numPrefillTokens: Math.max(1, p), numDecodeTokens: Math.max(1, d) };
}

function splitTotal(total: number, ratio: number): RequestLength {
  const decode = Math.max(1, Math.ceil(total / (1 + ratio)));
  return { numPrefillTokens: Math.max(1, Math.round(total) - decode), numDecodeTokens: decode };
}

export function makeLengthGenerator(options: LengthOptions, rng: Rng): LengthGenerator {
  const { maxTokens } = options;
  switch (options.kind) {
    case 'fixed': {
      const fixed = clipLength(options.prefillTokens, options.decodeTokens, maxTokens);
      return () => fixed;
    }
    case 'trace': {
      const rows = options.traceRows;
      if (rows === undefined || rows.length === 0)
        throw new Error('length generator "trace" needs a lengths trace with at least one row');
      const order = rng.shuffle(Array.from(rows.keys()));
      let next = 0;
      return () => {
        const row = rows[order[next]!]!;
        next = (next + 1) % order.length;
        return clipLength(
          Math.trunc(row.numPrefillTokens * options.prefillScale),
          Math.trunc(row.numDecodeTokens * options.decodeScale),
          maxTokens,
        );
      };
    }
    case 'uniform': {
      const { minTotalTokens: lo, maxTotalTokens: hi } = options;
      if (!(hi >= lo && lo >= 2)) throw new RangeError(`uniform lengths need 2 ≤ min ≤ max, got ${lo}..${hi}`);
      return () => {
        const l = splitTotal(rng.int(lo, hi), options.prefillToDecodeRatio);
        return clipLength(l.numPrefillTokens, l.numDecodeTokens, maxTokens);
      };
    }
    case 'zipf': {
      const { minTotalTokens: lo, maxTotalTokens: hi, zipfTheta: theta } = options;
      if (!(hi >= lo && lo >= 2)) throw new RangeError(`zipf lengths need 2 ≤ min ≤ max, got ${lo}..${hi}`);
      // Inverse-CDF over ranks 1..n with P(k) ∝ k^-θ; rank 1 maps to the shortest length.
      const n = hi - lo + 1;
      const cdf = new Float64Array(n);
      let acc = 0;
      for (let k = 1; k <= n; k++) cdf[k - 1] = acc += k ** -theta;
      return () => {
        const u = rng.next() * acc;
        let a = 0;
        let b = n - 1;
        while (a < b) {
          const m = (a + b) >> 1;
          if (cdf[m]! < u) a = m + 1;
          else b = m;
        }
        const l = splitTotal(lo + a, options.prefillToDecodeRatio);
        return clipLength(l.numPrefillTokens, l.numDecodeTokens, maxTokens);
      };
    }
  }
}
