/**
 * The report's side-by-side timeline: a student's run and the reference's on the same workload,
 * compared on the requests in the system (waiting at the router or on replicas, or running; by
 * Little's law its mean is the arrival rate times the mean latency) and on KV use, in the window
 * where they differ most. Both timelines are also written as Chrome trace-event files
 * (narrowed to that window) for ui.perfetto.dev. The SVG is inline and self-contained: no scripts.
 */
import type { TimelineRecorder, TimelineSeries } from '../../sim/metrics/timeline/index.js';

/** What the view reads of a recorded run: a `TimelineRecorder` made with `keepSeries`, or one frozen in another thread. */
export type RecordedTimeline = Pick<TimelineRecorder, 'series' | 'toJson'>;

/** One recorded run and its end time. */
export interface RecordedRun {
  readonly recorder: RecordedTimeline;
  readonly endTime: number;
}

/** What a rubric item hands the report: the student's run and the reference's on one public workload. */
export interface TimelinePair {
  /** The workload, as the report names it ("public seed 1, 2 QPS"). */
  readonly workload: string;
  readonly student: RecordedRun;
  readonly reference: RecordedRun;
  /**
   * For runs too long to keep every event: `student` and `reference` hold series only
   * (`seriesOnly`), and this re-runs both recording just the chosen window.
   */
  readonly rerecord?: (window: readonly [number, number]) => {
    readonly student: RecordedRun;
    readonly reference: RecordedRun;
  };
}

export interface TimelineView {
  readonly window: readonly [number, number];
  readonly sentence: string;
  readonly svg: string;
  readonly studentJson: string;
  readonly referenceJson: string;
}

/** Buckets across the whole run when looking for the window, and the window's share of them (a twentieth: ~50 s of a 1000 s run, a few MiB of trace). */
const SEARCH_BUCKETS = 240;
const WINDOW_BUCKETS = 12;
/** Points drawn per panel. */
const DRAW_BUCKETS = 120;

interface Resampled {
  /** Mean requests waiting (router + replicas) per bucket. */
  readonly queued: number[];
  /** Mean requests in the system (waiting or running) per bucket. */
  readonly inSystem: number[];
  readonly kvShare: number[];
  readonly maxInSystem: number[];
}

/** Time-weighted means of a step series over `n` equal buckets of [from, to] (the value holds until the next point). */
export function resample(s: TimelineSeries, from: number, to: number, n: number): Resampled {
  const width = (to - from) / n;
  const queued = new Array<number>(n).fill(0);
  const inSystem = new Array<number>(n).fill(0);
  const kvShare = new Array<number>(n).fill(0);
  const maxInSystem = new Array<number>(n).fill(0);
  for (let i = 0; i < s.time.length; i++) {
    const start = Math.max(from, s.time[i]!);
    const end = Math.min(to, i + 1 < s.time.length ? s.time[i + 1]! : to);
    if (!(end > start) && !(end === start && i + 1 === s.time.length)) continue;
    const q = s.queued[i]!;
    const all = q + s.running[i]!;
    const k = s.kvCapacity[i]! > 0 ? s.kvBlocks[i]! / s.kvCapacity[i]! : 0;
    let b = Math.min(n - 1, Math.floor((start - from) / width));
    let t = start;
    while (t < end && b < n) {
      const bucketEnd = from + (b + 1) * width;
      const piece = Math.min(end, bucketEnd) - t;
      queued[b]! += (q * piece) / width;
      inSystem[b]! += (all * piece) / width;
      kvShare[b]! += (k * piece) / width;
      maxInSystem[b] = Math.max(maxInSystem[b]!, all);
      t = Math.min(end, bucketEnd);
      b++;
    }
    if (end === start && b < n) maxInSystem[b] = Math.max(maxInSystem[b]!, all);
  }
  return { queued, inSystem, kvShare, maxInSystem };
}

/**
 * The [start, end] (seconds) of the window of `WINDOW_BUCKETS` search buckets where requests in the
 * system and KV use differ most, and whether they differ at all (if not: the busiest window).
 */
export function mostDifferentWindow(
  a: TimelineSeries,
  b: TimelineSeries,
  endTime: number,
): { window: [number, number]; differ: boolean } {
  if (!(endTime > 0)) return { window: [0, 1], differ: false };
  const ra = resample(a, 0, endTime, SEARCH_BUCKETS);
  const rb = resample(b, 0, endTime, SEARCH_BUCKETS);
  const scale = Math.max(1, ...ra.inSystem, ...rb.inSystem);
  let diff = ra.inSystem.map(
    (q, i) => Math.abs(q - rb.inSystem[i]!) / scale + Math.abs(ra.kvShare[i]! - rb.kvShare[i]!),
  );
  const differ = diff.some((d) => d > 1e-9);
  if (!differ) diff = ra.inSystem;
  let best = 0;
  let bestSum = -1;
  let sum = 0;
  for (let i = 0; i < SEARCH_BUCKETS; i++) {
    sum += diff[i]!;
    if (i >= WINDOW_BUCKETS) sum -= diff[i - WINDOW_BUCKETS]!;
    if (i >= WINDOW_BUCKETS - 1 && sum > bestSum + 1e-12) {
      bestSum = sum;
      best = i - WINDOW_BUCKETS + 1;
    }
  }
  const width = endTime / SEARCH_BUCKETS;
  return { window: [best * width, (best + WINDOW_BUCKETS) * width], differ };
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const secs = (t: number) => (t >= 100 ? t.toFixed(0) : t.toFixed(1));
const pct = (x: number) => `${Math.round(100 * x)}%`;
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

function describe(window: readonly [number, number], a: Resampled, b: Resampled, differ: boolean): string {
  const [na, nb] = [mean(a.inSystem), mean(b.inSystem)];
  const [ka, kb] = [mean(a.kvShare), mean(b.kvShare)];
  if (!differ) {
    return `Your run and the reference's keep the same number of requests in the system and the same KV use throughout; shown is the busiest stretch, ${secs(window[0])} s to ${secs(window[1])} s (${na.toFixed(1)} requests on average).`;
  }
  const head = `Between ${secs(window[0])} s and ${secs(window[1])} s the two runs differ most:`;
  const more = na > nb * 1.05 ? ' (more requests in the system for the same arrivals means longer latencies)' : '';
  return (
    `${head} your run holds ${na.toFixed(1)} requests on average (${mean(a.queued).toFixed(1)} waiting, peak ${Math.max(...a.maxInSystem)}) ` +
    `against the reference's ${nb.toFixed(1)} (${mean(b.queued).toFixed(1)} waiting, peak ${Math.max(...b.maxInSystem)})${more}; ` +
    `KV use averages ${pct(ka)} against ${pct(kb)}.`
  );
}

function panel(x0: number, title: string, r: Resampled, window: readonly [number, number], qMax: number): string {
  const w = 300;
  const h = 120;
  const top = 22;
  const px = (i: number) => x0 + 36 + ((w - 44) * (i + 0.5)) / DRAW_BUCKETS;
  const py = (v: number) => top + h - (h * v) / qMax;
  const pk = (v: number) => top + h - h * v;
  const line = (vals: readonly number[], y: (v: number) => number) =>
    vals.map((v, i) => `${px(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return [
    `<g class="panel">`,
    `<text x="${x0 + 36}" y="14" font-size="12" font-weight="600">${escapeXml(title)}</text>`,
    `<rect x="${x0 + 36}" y="${top}" width="${w - 44}" height="${h}" fill="none" stroke="#ccc"/>`,
    `<text x="${x0 + 32}" y="${top + 8}" font-size="9" text-anchor="end">${qMax}</text>`,
    `<text x="${x0 + 32}" y="${top + h}" font-size="9" text-anchor="end">0</text>`,
    `<text x="${x0 + 36}" y="${top + h + 12}" font-size="9">${secs(window[0])} s</text>`,
    `<text x="${x0 + w - 8}" y="${top + h + 12}" font-size="9" text-anchor="end">${secs(window[1])} s</text>`,
    `<polyline fill="none" stroke="#1a73e8" stroke-width="1.5" points="${line(r.inSystem, py)}"/>`,
    `<polyline fill="none" stroke="#8ab4f8" stroke-width="1" points="${line(r.queued, py)}"/>`,
    `<polyline fill="none" stroke="#e37400" stroke-width="1.5" stroke-dasharray="4 2" points="${line(r.kvShare, pk)}"/>`,
    `</g>`,
  ].join('');
}

/** Compares the two runs, draws the side-by-side SVG and narrows both trace files to the window. */
export function timelineView(pair: TimelinePair): TimelineView {
  const sa = pair.student.recorder.series;
  const sb = pair.reference.recorder.series;
  if (sa === undefined || sb === undefined) throw new Error('timeline recorders for the report need keepSeries: true');
  const endTime = Math.max(pair.student.endTime, pair.reference.endTime);
  const { window, differ } = mostDifferentWindow(sa, sb, endTime);
  const a = resample(sa, window[0], window[1], DRAW_BUCKETS);
  const b = resample(sb, window[0], window[1], DRAW_BUCKETS);
  const qMax = Math.max(1, Math.ceil(Math.max(...a.inSystem, ...b.inSystem)));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 620 175" width="620" height="175" role="img" aria-label="${escapeXml(`Queue and KV use, yours beside the reference, ${pair.workload}`)}" font-family="system-ui, sans-serif">`,
    panel(0, 'yours', a, window, qMax),
    panel(310, 'reference', b, window, qMax),
    `<g font-size="10"><line x1="20" y1="167" x2="38" y2="167" stroke="#1a73e8" stroke-width="1.5"/><text x="42" y="170">requests in the system, 0–${qMax}</text>`,
    `<line x1="220" y1="167" x2="238" y2="167" stroke="#8ab4f8"/><text x="242" y="170">of them waiting</text>`,
    `<line x1="380" y1="167" x2="398" y2="167" stroke="#e37400" stroke-width="1.5" stroke-dasharray="4 2"/><text x="402" y="170">KV blocks in use, 0–100%</text></g>`,
    `</svg>`,
  ].join('');
  const files = pair.rerecord?.(window) ?? pair;
  return {
    window,
    sentence: describe(window, a, b, differ),
    svg,
    studentJson: files.student.recorder.toJson(files.student.endTime, window),
    referenceJson: files.reference.recorder.toJson(files.reference.endTime, window),
  };
}
