/**
 * Monotone smoothing and piecewise-linear lookup for profiled operator times.
 *
 * Profiles are noisy medians on a grid; Vidur smooths them implicitly with a random forest. We
 * smooth explicitly with isotonic regression (PAVA), interpolate linearly between profiled points and
 * clamp outside them, which is what a tree ensemble does beyond its last split.
 * Lookups run once per batch in the simulator's hot loop, so compiled tables are typed arrays
 * searched without allocating.
 */

/**
 * Isotonic (non-decreasing) least-squares fit by the pool-adjacent-violators algorithm.
 * Returns a new array; `weights` default to 1 (e.g. pass the number of rows averaged into each point).
 */
export function pava(values: ArrayLike<number>, weights?: ArrayLike<number>): number[] {
  const n = values.length;
  const sum = new Float64Array(n);
  const wsum = new Float64Array(n);
  const count = new Int32Array(n);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) throw new Error(`pava: weight ${w} at index ${i} must be positive`);
    sum[blocks] = values[i]! * w;
    wsum[blocks] = w;
    count[blocks] = 1;
    blocks++;
    // Merge while the previous block's mean exceeds the new one (cross-multiplied to avoid dividing).
    while (blocks > 1 && sum[blocks - 2]! * wsum[blocks - 1]! > sum[blocks - 1]! * wsum[blocks - 2]!) {
      sum[blocks - 2]! += sum[blocks - 1]!;
      wsum[blocks - 2]! += wsum[blocks - 1]!;
      count[blocks - 2]! += count[blocks - 1]!;
      blocks--;
    }
  }
  const out: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const mean = sum[b]! / wsum[b]!;
    for (let k = 0; k < count[b]!; k++) out.push(mean);
  }
  return out;
}

/** Index of the last element ≤ x in a sorted array (0 if x is below the first). Assumes length ≥ 1. */
function floorIndex(xs: Float64Array, lo: number, hi: number, x: number): number {
  // Invariant: xs[lo] ≤ x < xs[hi] once the edges are handled by the caller.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Linear interpolation on knots xs[lo..hi), constant beyond the first and last knot. */
function interpolate(xs: Float64Array, ys: Float64Array, lo: number, hi: number, x: number): number {
  if (x <= xs[lo]!) return ys[lo]!;
  const last = hi - 1;
  if (x >= xs[last]!) return ys[last]!;
  const i = floorIndex(xs, lo, last, x);
  const x0 = xs[i]!;
  return ys[i]! + ((x - x0) / (xs[i + 1]! - x0)) * (ys[i + 1]! - ys[i]!);
}

function checkKnots(xs: ArrayLike<number>, ys: ArrayLike<number>, what: string): void {
  if (xs.length === 0 || xs.length !== ys.length) {
    throw new Error(
      `${what}: needs at least one knot and as many y values as x values (got ${xs.length} x, ${ys.length} y)`,
    );
  }
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!))
      throw new Error(`${what}: knot ${i} is not finite (${xs[i]}, ${ys[i]})`);
    if (i > 0 && !(xs[i]! > xs[i - 1]!))
      throw new Error(`${what}: x must increase strictly (x[${i - 1}]=${xs[i - 1]}, x[${i}]=${xs[i]})`);
  }
}

/** A piecewise-linear function, constant outside its first and last knot. */
export class PiecewiseLinear {
  readonly xs: Float64Array;
  readonly ys: Float64Array;

  constructor(xs: ArrayLike<number>, ys: ArrayLike<number>, what = 'piecewise-linear table') {
    checkKnots(xs, ys, what);
    this.xs = Float64Array.from(xs);
    this.ys = Float64Array.from(ys);
  }

  at(x: number): number {
    return interpolate(this.xs, this.ys, 0, this.xs.length, x);
  }

  get minX(): number {
    return this.xs[0]!;
  }

  get maxX(): number {
    return this.xs[this.xs.length - 1]!;
  }

  /**
   * Σ weights[k]·curves[k](x) + constant as one table. Exact, because a sum of piecewise-linear
   * functions (each constant beyond its ends) is piecewise-linear on the union of their knots.
   */
  static combine(curves: readonly PiecewiseLinear[], weights: readonly number[], constant = 0): PiecewiseLinear {
    const knots = [...new Set(curves.flatMap((c) => Array.from(c.xs)))].sort((a, b) => a - b);
    const ys = knots.map((x) => curves.reduce((s, c, k) => s + weights[k]! * c.at(x), constant));
    return new PiecewiseLinear(knots, ys, 'combined table');
  }
}

export interface Row {
  readonly r: number;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/**
 * A 2-D table stored as rows: each row (key r) is its own piecewise-linear function of x, and a
 * query interpolates linearly in r between the two neighbouring rows; with one shared x grid this
 * is plain bilinear interpolation.
 *
 * Profiles are ragged: at large batches the longest KV caches do not fit in GPU memory, and
 * prefill rows stop where chunk + KV reaches the context limit. A row that ends early continues
 * along its chord (first to last knot) up to the table's longest x, so a query between a short and
 * a long row is not dragged down by a clamped value; beyond the table's x range, and below each
 * row's first knot, values are constant, as Vidur's forest is outside its training data.
 */
export class RowTable {
  readonly rowKeys: Float64Array;
  /** Row k's knots are xs/ys[rowStart[k] .. rowStart[k+1]). */
  readonly rowStart: Int32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Slope of each row's chord, used between its last knot and maxX. */
  readonly chordSlope: Float64Array;
  readonly maxX: number;

  constructor(rows: readonly Row[], what = 'row table') {
    if (rows.length === 0) throw new Error(`${what}: needs at least one row`);
    this.rowKeys = new Float64Array(rows.length);
    this.rowStart = new Int32Array(rows.length + 1);
    this.chordSlope = new Float64Array(rows.length);
    const total = rows.reduce((s, row) => s + row.x.length, 0);
    this.xs = new Float64Array(total);
    this.ys = new Float64Array(total);
    let at = 0;
    let maxX = Number.NEGATIVE_INFINITY;
    rows.forEach((row, k) => {
      checkKnots(row.x, row.y, `${what} row ${row.r}`);
      if (!Number.isFinite(row.r) || (k > 0 && !(row.r > rows[k - 1]!.r))) {
        throw new Error(`${what}: row keys must increase strictly (row ${k} has key ${row.r})`);
      }
      const n = row.x.length;
      this.rowKeys[k] = row.r;
      this.rowStart[k] = at;
      this.chordSlope[k] = n > 1 ? (row.y[n - 1]! - row.y[0]!) / (row.x[n - 1]! - row.x[0]!) : 0;
      this.xs.set(row.x, at);
      this.ys.set(row.y, at);
      at += n;
      maxX = Math.max(maxX, row.x[n - 1]!);
    });
    this.rowStart[rows.length] = at;
    this.maxX = maxX;
  }

  rowAt(k: number, x: number): number {
    const lo = this.rowStart[k]!;
    const last = this.rowStart[k + 1]! - 1;
    const xLast = this.xs[last]!;
    if (x > xLast) return this.ys[last]! + (Math.min(x, this.maxX) - xLast) * this.chordSlope[k]!;
    return interpolate(this.xs, this.ys, lo, last + 1, x);
  }

  at(r: number, x: number): number {
    const keys = this.rowKeys;
    const n = keys.length;
    if (r <= keys[0]!) return this.rowAt(0, x);
    if (r >= keys[n - 1]!) return this.rowAt(n - 1, x);
    const k = floorIndex(keys, 0, n - 1, r);
    const r0 = keys[k]!;
    const v0 = this.rowAt(k, x);
    if (r === r0) return v0;
    return v0 + ((r - r0) / (keys[k + 1]! - r0)) * (this.rowAt(k + 1, x) - v0);
  }

  get numRows(): number {
    return this.rowKeys.length;
  }

  row(k: number): Row {
    const a = this.rowStart[k]!;
    const b = this.rowStart[k + 1]!;
    return { r: this.rowKeys[k]!, x: Array.from(this.xs.subarray(a, b)), y: Array.from(this.ys.subarray(a, b)) };
  }
}

/** How far a simplified table may deviate from the point (r, x, y) it replaces (ms); r is 0 for 1-D tables. */
export type Allowance = (r: number, x: number, y: number) => number;

function excess(approx: number, y: number, allowed: number): number {
  return Math.abs(approx - y) - allowed;
}

/**
 * Keeps the fewest knots (top-down, Douglas–Peucker style) such that linear interpolation through the
 * kept ones reproduces every dropped point within its allowance. The ends are always kept, so the clamped
 * range is unchanged, and a subset of a monotone sequence stays monotone. Deterministic: ties keep
 * the lowest index.
 */
export function simplifyCurve(
  x: readonly number[],
  y: readonly number[],
  allow: Allowance,
  r = 0,
): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= 2) return { x: [...x], y: [...y] };
  const keep = splitAtWorst(n, (a, b) => {
    let worst = -1;
    let worstExcess = 0;
    for (let i = a + 1; i < b; i++) {
      const approx = y[a]! + ((x[i]! - x[a]!) / (x[b]! - x[a]!)) * (y[b]! - y[a]!);
      const e = excess(approx, y[i]!, allow(r, x[i]!, y[i]!));
      if (e > worstExcess) {
        worstExcess = e;
        worst = i;
      }
    }
    return worst;
  });
  const out = { x: [] as number[], y: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (keep[i]) {
      out.x.push(x[i]!);
      out.y.push(y[i]!);
    }
  }
  return out;
}

/**
 * Simplifies a row table: each row on its own, then drops whole rows that linear interpolation
 * between the kept neighbours reproduces within the allowance at the dropped row's original points. The first and last rows are always kept.
 */
export function simplifyRows(rows: readonly Row[], allow: Allowance): Row[] {
  const simplified = rows.map((row) => ({ r: row.r, ...simplifyCurve(row.x, row.y, allow, row.r) }));
  const n = rows.length;
  if (n <= 2) return simplified;
  // Evaluate rows exactly as lookups will (including chord extension past a row's end).
  const table = new RowTable(simplified);
  const keep = splitAtWorst(n, (a, b) => {
    let worst = -1;
    let worstExcess = 0;
    for (let i = a + 1; i < b; i++) {
      const w = (rows[i]!.r - rows[a]!.r) / (rows[b]!.r - rows[a]!.r);
      const row = rows[i]!;
      for (let j = 0; j < row.x.length; j++) {
        const xj = row.x[j]!;
        const va = table.rowAt(a, xj);
        const approx = va + w * (table.rowAt(b, xj) - va);
        const e = excess(approx, row.y[j]!, allow(row.r, xj, row.y[j]!));
        if (e > worstExcess) {
          worstExcess = e;
          worst = i;
        }
      }
    }
    return worst;
  });
  return simplified.filter((_, k) => keep[k] === 1);
}

/**
 * Douglas–Peucker-style selection over indices 0..n−1: keeps both ends, then recursively the index
 * `worstBetween(a, b)` names (−1 when every point between a and b is within tolerance).
 */
function splitAtWorst(n: number, worstBetween: (a: number, b: number) => number): Uint8Array {
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: [number, number][] = [[0, n - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const worst = worstBetween(a, b);
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([worst, b], [a, worst]);
    }
  }
  return keep;
}

/** Rounds to `digits` significant digits; order-preserving, so monotone tables stay monotone. */
export function roundSignificant(v: number, digits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  return Number(v.toPrecision(digits));
}

/** A measured value at (r, x), with the number of profile rows averaged into it as its weight. */
export interface GridPoint {
  readonly r: number;
  readonly x: number;
  y: number;
  readonly w: number;
}

/**
 * Makes a (possibly ragged) grid non-decreasing along x within each row and along r within each
 * x column by alternating weighted PAVA passes until a pass changes nothing. Each pass only pools
 * violating neighbours, so points already in order keep their measured values. Mutates `points`.
 */
export function pavaGrid(points: GridPoint[], maxPasses = 50): void {
  const byRow = groupSorted(
    points,
    (p) => p.r,
    (p) => p.x,
  );
  const byColumn = groupSorted(
    points,
    (p) => p.x,
    (p) => p.r,
  );
  for (let pass = 0; pass < maxPasses; pass++) {
    let changed = false;
    for (const line of [...byRow, ...byColumn]) {
      const fitted = pava(
        line.map((p) => p.y),
        line.map((p) => p.w),
      );
      line.forEach((p, i) => {
        if (p.y !== fitted[i]) {
          // Ignore float dust from re-pooling already-pooled blocks, or the loop never settles.
          if (Math.abs(p.y - fitted[i]!) > 1e-12 * Math.max(1, Math.abs(p.y))) changed = true;
          p.y = fitted[i]!;
        }
      });
    }
    if (!changed) return;
  }
}

function groupSorted<T>(items: readonly T[], key: (t: T) => number, order: (t: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!.sort((a, b) => order(a) - order(b)));
}
