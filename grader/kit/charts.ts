/** The report's charts and timeline pairs (grader/report/), re-exported for labs: labs → kit → report. */
export { barChart, cdfChart, lineChart, scatterChart, type Plot } from '../report/charts.js';
export type { RecordedRun, TimelinePair } from '../report/timeline-view.js';

/** A long series for a chart: the whole mean of each of `buckets` equal x windows, so the report stays small and readable. */
export function binMeans(points: readonly [number, number][], buckets = 240): [number, number][] {
  if (points.length === 0) return [];
  const width = Math.max(points[points.length - 1]![0] / buckets, 1e-9);
  const sum = new Array<number>(buckets + 1).fill(0);
  const count = new Array<number>(buckets + 1).fill(0);
  for (const [t, v] of points) {
    const k = Math.min(buckets, Math.floor(t / width));
    sum[k]! += v;
    count[k]!++;
  }
  return sum.flatMap((s, k): [number, number][] =>
    count[k]! > 0 ? [[Math.round((k + 0.5) * width * 1000) / 1000, Math.round(s / count[k]!)]] : [],
  );
}

/** A long series for a chart: at most `bins` points over [0, `end`], keeping each bin's largest value so peaks survive. */
export function binPeaks(points: readonly [number, number][], bins: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let bin = -1;
  for (const [x, y] of points) {
    const b = Math.min(bins - 1, Math.floor(x / (end / bins)));
    if (b !== bin || points.length <= bins) out.push([x, y]);
    else if (y > out[out.length - 1]![1]) out[out.length - 1] = [x, y];
    bin = b;
  }
  return out;
}
