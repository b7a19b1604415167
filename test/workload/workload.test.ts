import { describe, expect, it } from 'vitest';
import { makeIntervalGenerator } from '../../sim/workload/intervals.js';
import { clipLength, makeLengthGenerator, type LengthOptions } from '../../sim/workload/lengths.js';
import { generateSynthetic, replayTrace } from '../../sim/workload/request-source.js';
import { Rng } from '../../sim/workload/rng.js';
import { parseTrace, TraceFormatError } from '../../sim/workload/trace-file.js';
import { mean } from '../../sim/metrics/stats.js';

const LENGTHS: LengthOptions = {
  kind: 'fixed',
  maxTokens: 4096,
  prefillScale: 1,
  decodeScale: 1,
  prefillTokens: 100,
  decodeTokens: 20,
  minTotalTokens: 64,
  maxTotalTokens: 1024,
  prefillToDecodeRatio: 3,
  zipfTheta: 0.99,
};

describe('Rng', () => {
  it('repeats for the same seed, differs for another, and forks independent streams', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new Rng(seed)),
      );
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    const r = new Rng(7);
    expect(r.fork('a').next()).not.toBe(r.fork('b').next());
    expect(new Rng(7).fork('a').next()).toBe(new Rng(7).fork('a').next());
  });

  it('draws with the right means', () => {
    const r = new Rng(11);
    const n = 20_000;
    expect(mean(Array.from({ length: n }, () => r.next()))).toBeCloseTo(0.5, 1);
    expect(mean(Array.from({ length: n }, () => r.exponential(4)))).toBeCloseTo(0.25, 1);
    expect(mean(Array.from({ length: n }, () => r.gamma(0.25, 2)))).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: n }, () => r.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });
});

describe('intervals', () => {
  it('poisson gaps have mean ≈ 1/qps and are clipped at 3/qps like Vidur', () => {
    const next = makeIntervalGenerator({ kind: 'poisson', qps: 2, gammaCv: 1 }, new Rng(3));
    const gaps = Array.from({ length: 20_000 }, next);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1.5);
    expect(mean(gaps)).toBeGreaterThan(0.45);
    expect(mean(gaps)).toBeLessThan(0.5); // clipping trims the mean a little below 0.5
  });

  it('gamma gaps keep the mean and show the requested burstiness', () => {
    const next = makeIntervalGenerator({ kind: 'gamma', qps: 4, gammaCv: 2 }, new Rng(3));
    const gaps = Array.from({ length: 40_000 }, next);
    const m = mean(gaps);
    const sd = Math.sqrt(mean(gaps.map((g) => (g - m) ** 2)));
    expect(m).toBeCloseTo(0.25, 1);
    expect(sd / m).toBeGreaterThan(1.7);
    expect(sd / m).toBeLessThan(2.3);
  });

  it('rejects a non-positive rate', () => {
    expect(() => makeIntervalGenerator({ kind: 'fixed', qps: 0, gammaCv: 1 }, new Rng(1))).toThrow(/qps/);
  });
});

describe('lengths', () => {
  it('clips over-long requests proportionally, like Vidur', () => {
    expect(clipLength(3000, 2000, 4096)).toEqual({ numPrefillTokens: 3000 - 543, numDecodeTokens: 2000 - 362 });
    expect(clipLength(100, 20, 4096)).toEqual({ numPrefillTokens: 100, numDecodeTokens: 20 });
    expect(clipLength(9000, 1, 4096).numDecodeTokens).toBe(1);
  });

  it('samples trace rows in a seeded shuffled order and cycles', () => {
    const traceRows = [1, 2, 3].map((i) => ({
      arrivedAt: undefined,
      numPrefillTokens: i * 100,
      numDecodeTokens: i,
      clientId: undefined,
      tier: undefined,
    }));
    const next = makeLengthGenerator({ ...LENGTHS, kind: 'trace', traceRows }, new Rng(5));
    const six = Array.from({ length: 6 }, next).map((l) => l.numDecodeTokens);
    expect(new Set(six.slice(0, 3))).toEqual(new Set([1, 2, 3]));
    expect(six.slice(3)).toEqual(six.slice(0, 3));
  });

  it('uniform and zipf stay within the total range and follow the ratio', () => {
    for (const kind of ['uniform', 'zipf'] as const) {
      const next = makeLengthGenerator({ ...LENGTHS, kind }, new Rng(9));
      for (let i = 0; i < 500; i++) {
        const l = next();
        const total = l.numPrefillTokens + l.numDecodeTokens;
        expect(total).toBeGreaterThanOrEqual(64);
        expect(total).toBeLessThanOrEqual(1025);
        expect(l.numPrefillTokens / l.numDecodeTokens).toBeGreaterThan(2.5);
      }
    }
    const zipf = makeLengthGenerator({ ...LENGTHS, kind: 'zipf' }, new Rng(9));
    const totals = Array.from({ length: 2000 }, () => {
      const l = zipf();
      return l.numPrefillTokens + l.numDecodeTokens;
    });
    expect(totals.filter((t) => t < 200).length).toBeGreaterThan(totals.filter((t) => t > 800).length); // skewed short
  });
});

describe('request sources', () => {
  it('synthetic: first arrival after one gap, arrivals before the duration only, ids in order', () => {
    const rs = generateSynthetic(
      { intervals: { kind: 'fixed', qps: 2, gammaCv: 1 }, lengths: LENGTHS, duration: 10, count: undefined },
      new Rng(1),
    );
    expect(rs.map((r) => r.arrivedAt)).toEqual(Array.from({ length: 19 }, (_, i) => (i + 1) * 0.5));
    expect(rs.map((r) => r.id)).toEqual(Array.from({ length: 19 }, (_, i) => i));
    const counted = generateSynthetic(
      { intervals: { kind: 'poisson', qps: 2, gammaCv: 1 }, lengths: LENGTHS, duration: undefined, count: 7 },
      new Rng(1),
    );
    expect(counted).toHaveLength(7);
    expect(() =>
      generateSynthetic(
        { intervals: { kind: 'fixed', qps: 2, gammaCv: 1 }, lengths: LENGTHS, duration: undefined, count: undefined },
        new Rng(1),
      ),
    ).toThrow(/duration/);
  });

  it('replay scales time, clips lengths, keeps client ids and stops at the duration', () => {
    const rows = parseTrace(
      'arrived_at,num_prefill_tokens,num_decode_tokens,client_id\n0,10,5,1\n2,5000,100,0\n4,7,7,2\n',
      't.csv',
      { requireArrivals: true },
    );
    const rs = replayTrace({ rows, timeScale: 0.5, maxTokens: 4096, duration: 1.5 });
    expect(rs.map((r) => [r.arrivedAt, r.numPrefillTokens + r.numDecodeTokens, r.clientId])).toEqual([
      [0, 15, 1],
      [1, 4095, 0],
    ]);
  });
});

describe('trace files', () => {
  const parse = (text: string, requireArrivals = true) => parseTrace(text, 'bad.csv', { requireArrivals });

  it('names file, line and field for a bad value', () => {
    expect(() => parse('arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1,abc,5\n')).toThrow(
      /bad\.csv:3 \(num_prefill_tokens\).*"abc"/,
    );
    expect(() => parse('arrived_at,num_prefill_tokens,num_decode_tokens\n0,-3,5\n')).toThrow(TraceFormatError);
  });

  it('names missing columns and shows the header', () => {
    expect(() => parse('time,prompt,output\n0,1,1\n')).toThrow(
      /missing column\(s\) arrived_at, num_prefill_tokens, num_decode_tokens; header is: time,prompt,output/,
    );
    expect(parse('num_prefill_tokens,num_decode_tokens\n5,6\n', false)).toHaveLength(1);
  });

  it('refuses unsorted arrivals and empty files', () => {
    expect(() => parse('arrived_at,num_prefill_tokens,num_decode_tokens\n5,1,1\n4,1,1\n')).toThrow(
      /bad\.csv:3 \(arrived_at\).*sort/,
    );
    expect(() => parse('arrived_at,num_prefill_tokens,num_decode_tokens\n')).toThrow(/no rows/);
    expect(() => parse('arrived_at,num_prefill_tokens\n"unterminated,1\n')).toThrow(/bad\.csv:\d+: not valid CSV/);
  });
});
