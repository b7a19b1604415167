import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOutput } from '../../../grader/core/child-output.js';
import { scoreItem, type ItemContext } from '../../../grader/core/lab.js';
import { handleRequest } from '../../../grader/kit/driver.js';
import type { Oracle } from '../../../grader/kit/oracle.js';
import type { ProbeSet } from '../../../grader/kit/probes.js';
import { publicExpectedFile } from '../../../grader/kit/public-expected.js';
import { unitItem, type UnitLab } from '../../../grader/kit/unit-item.js';
import { probeSeed, type UnitsInput } from '../../../grader/kit/unit-wire.js';

/** A toy lab: the module squares numbers; hidden variants draw their input from the probe seed. */
interface Toy {
  square(x: number): number;
}
const probes: ProbeSet<Toy> = (seed) => [
  { name: 'square of 3', hidden: false, run: (m) => m.square(3) },
  { name: 'square of 4', hidden: false, run: (m) => m.square(4) },
  { name: `square of ${seed % 97}`, hidden: true, run: (m) => m.square(seed % 97) },
  {
    name: 'square of -2, sign free',
    hidden: true,
    run: (m) => m.square(-2),
    compare: (w, g) => (Math.abs(Number(g)) === w ? undefined : 'wrong magnitude'),
  },
];
const right: Toy = { square: (x) => x * x };
const oracle: Oracle<Toy> = { reference: async () => right, load: async () => right };
const toy: UnitLab<Toy> = { lab: 'toy', oracle, probes: { squares: probes } };
const ctx: ItemContext = { hiddenSeed: 1234, publicSeed: 1, repoRoot: '/nonexistent' };

async function grade(student: Toy, context: ItemContext = ctx) {
  const item = unitItem(toy, 'squares');
  const { input, prepared } = item.prepare(context);
  const reply = handleRequest({ module: student, studentDir: 'starter/toy', probes: toy.probes }, input);
  return scoreItem(item, reply, prepared, context, 8);
}

describe('kit unit item: probes run on the student in the child and on the reference oracle in the parent', () => {
  it('gives full marks to the right module and to one that differs only where compare allows', async () => {
    expect((await grade(right)).score).toBe(8);
    expect((await grade({ square: (x) => (x < 0 ? -x * x : x * x) })).score).toBe(8);
  });

  it('scores a wrong module case by case and names the expected and actual values', async () => {
    const wrong: Toy = { square: (x) => (x === 4 ? 15 : x * x) };
    const out = await grade(wrong);
    expect(out.score).toBe(6);
    expect(out.message).toBe('3 of 4 cases passed (public 1 of 2, hidden variants 2 of 2)');
    expect(out.output).toContain('FAIL public case: square of 4');
    expect(out.output).toContain('expected 16');
    expect(out.output).toContain('got      15');
  });

  it('a probe that throws fails alone; every probe throwing marks the item as thrown', async () => {
    const some = await grade({
      square: (x) => {
        if (x === 3) throw new Error('boom');
        return x * x;
      },
    });
    expect(some.score).toBe(6);
    expect(some.threw).toBe(false);
    expect(some.output).toContain('an error: Error: boom');
    const all = await grade({
      square: () => {
        throw new Error('not implemented');
      },
    });
    expect(all.score).toBe(0);
    expect(all.threw).toBe(true);
    expect(all.outOfMemory).toBe(false);
    // Every case stopped by the memory cap (a RangeError the case caught): the item is memory, not error.
    const oom = await grade({
      square: () => {
        throw new RangeError('Array buffer allocation failed');
      },
    });
    expect(oom.threw).toBe(true);
    expect(oom.outOfMemory).toBe(true);
  });

  it('sends a one-way probe seed, never the hidden seed, and the same seed on a regrade', () => {
    const item = unitItem(toy, 'squares');
    const input = item.prepare(ctx).input as UnitsInput;
    expect(input.seed).toBe(probeSeed(1234, 'squares'));
    expect(input.seed).not.toBe(1234);
    expect(probeSeed(1234, 'other')).not.toBe(input.seed);
    expect(JSON.stringify(item.prepare(ctx).input)).toBe(JSON.stringify(input));
  });

  it('reruns probes one by one after a timeout and merges the results, the hung one named', () => {
    const split = unitItem(toy, 'squares').splitCases!;
    const input = unitItem(toy, 'squares').prepare(ctx).input;
    const alone = split.inputs(input)!;
    expect(alone.map((a) => (a.input as UnitsInput).only)).toEqual([0, 1, 2, 3]);
    const runs = alone.map((a, i) =>
      i === 1
        ? { failure: 'timed out after 3000 ms' }
        : { raw: handleRequest({ module: right, studentDir: 's', probes: toy.probes }, a.input) },
    );
    const merged = split.merge(input, runs) as { results: { name: string; error?: string; value?: unknown }[] };
    expect(merged.results.map((r) => r.error ?? r.value)).toEqual([
      9,
      'timed out after 3000 ms',
      expect.any(Number),
      4,
    ]);
  });

  it('rejects a reply of the wrong shape as invalid output before scoring', async () => {
    const item = unitItem(toy, 'squares');
    const { prepared } = item.prepare(ctx);
    await expect(scoreItem(item, { task: 'units', results: 'all passed' }, prepared, ctx, 8)).rejects.toBeInstanceOf(
      InvalidOutput,
    );
  });

  it('check mode scores public probes only, against the values a handout ships', async () => {
    const repoRoot = mkdtempSync(join(tmpdir(), 'kit-check-'));
    mkdirSync(join(repoRoot, 'labs', 'toy'), { recursive: true });
    // A shipped value that differs from the oracle's proves the file, not the oracle, was read.
    writeFileSync(
      join(repoRoot, publicExpectedFile('toy')),
      JSON.stringify({
        squares: [
          { name: 'square of 3', value: 9 },
          { name: 'square of 4', value: 17 },
        ],
      }),
    );
    const check: ItemContext = { ...ctx, repoRoot, mode: 'check' };
    const out = await grade(right, check);
    expect(out.message).toBe('1 of 2 cases passed');
  });
});

describe('kit driver', () => {
  it('refuses unknown tasks and probe sets with a message naming them', () => {
    const spec = { module: right, studentDir: 's', probes: toy.probes };
    expect(() => handleRequest(spec, { task: 'nope' })).toThrow('unknown task "nope"');
    expect(() => handleRequest(spec, { task: 'units', item: 'cubes', seed: 1, publicOnly: false })).toThrow(
      'no probe set named cubes',
    );
  });

  it('reports a starter default as not written, even when its value is right', () => {
    const defaults = new Set<string>();
    const starter = {
      square: (x: number) => {
        defaults.add('square');
        return x * x;
      },
    };
    const reply = handleRequest(
      { module: starter, studentDir: 'starter/toy', probes: toy.probes, starterDefaults: () => defaults },
      { task: 'units', item: 'squares', seed: 5, publicOnly: true },
    ) as { results: { error?: string }[] };
    expect(reply.results.map((r) => r.error)).toEqual([
      "not written yet: square (the starter's simple default ran) in starter/toy",
      "not written yet: square (the starter's simple default ran) in starter/toy",
    ]);
  });
});
