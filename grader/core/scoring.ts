/** Pure scoring helpers shared by labs. */

/** Points rising linearly from 0 at `from` to `max` at `to` (either direction), clamped. */
export function linearPoints(value: number, from: number, to: number, max: number): number {
  if (!Number.isFinite(value)) return 0;
  const t = (value - from) / (to - from);
  return roundPoints(max * Math.min(1, Math.max(0, t)));
}

/** Rounds to 1/1000 of a point so sums print cleanly and regrades compare byte for byte. */
export function roundPoints(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Fixed-width text table for item output (student-visible). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * True when each of `count` raw case results is a throw the harness reported (`{ error: string }`):
 * the item is then `error`, like a throw that stops the child (ItemOutcome.threw).
 */
export function everyCaseThrew(results: readonly unknown[] | undefined, count: number): boolean {
  if (count === 0 || results === undefined) return false;
  for (let i = 0; i < count; i++) {
    const r = results[i];
    if (typeof r !== 'object' || r === null || typeof (r as { error?: unknown }).error !== 'string') return false;
  }
  return true;
}
