/**
 * A compact model of a trace's request lengths and arrival rate, and a seeded generator that draws
 * a synthetic trace from it. The model holds published summary figures only (quantiles of prompt and
 * output lengths, their rank correlation, the mean arrival rate), never rows of the source trace.
 *
 * Sampling: a Gaussian copula keeps the prompt/output rank correlation; each marginal is the inverse
 * of the piecewise-linear CDF through the quantile knots.
 */
import { z } from 'zod';
import { Rng } from '../sim/workload/rng.js';

export const LengthModel = z.object({
  name: z.string(),
  source: z.string(),
  numRequests: z.number().int().positive(),
  arrivalRate: z.number().positive().describe('mean requests per second of the source trace'),
  /** Percentile levels (0..100, increasing) shared by both quantile lists. */
  levels: z.array(z.number().min(0).max(100)),
  prefillQuantiles: z.array(z.number().nonnegative()),
  decodeQuantiles: z.array(z.number().nonnegative()),
  spearman: z.number().min(-1).max(1),
});
export type LengthModel = z.infer<typeof LengthModel>;

/** Inverse of the piecewise-linear CDF through (levels[i]/100, quantiles[i]). */
export function inverseCdf(levels: readonly number[], quantiles: readonly number[], u: number): number {
  const p = u * 100;
  if (p <= levels[0]!) return quantiles[0]!;
  for (let i = 1; i < levels.length; i++) {
    if (p <= levels[i]!) {
      const t = (p - levels[i - 1]!) / (levels[i]! - levels[i - 1]!);
      return quantiles[i - 1]! + t * (quantiles[i]! - quantiles[i - 1]!);
    }
  }
  return quantiles[quantiles.length - 1]!;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface SyntheticTraceRow {
  readonly arrivedAt: number;
  readonly numPrefillTokens: number;
  readonly numDecodeTokens: number;
}

/** Draws `model.numRequests` requests with Poisson arrivals at the model's rate, the first at t = 0. */
export function generateTrace(model: LengthModel, seed: number): SyntheticTraceRow[] {
  const rng = new Rng(seed);
  const arrivals = rng.fork('arrivals');
  const lengths = rng.fork('lengths');
  // Pearson correlation of the copula that yields the target Spearman rank correlation.
  const rho = 2 * Math.sin((Math.PI * model.spearman) / 6);
  const rows: SyntheticTraceRow[] = [];
  let t = 0;
  for (let i = 0; i < model.numRequests; i++) {
    if (i > 0) t += arrivals.exponential(model.arrivalRate);
    const z1 = lengths.normal();
    const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * lengths.normal();
    const prefill = Math.max(1, Math.round(inverseCdf(model.levels, model.prefillQuantiles, normalCdf(z1))));
    const decode = Math.max(1, Math.round(inverseCdf(model.levels, model.decodeQuantiles, normalCdf(z2))));
    rows.push({ arrivedAt: t, numPrefillTokens: prefill, numDecodeTokens: decode });
  }
  return rows;
}
