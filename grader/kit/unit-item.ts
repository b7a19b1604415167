/**
 * The unit-case item kind: a named probe set run on the student's module in the child and on the
 * reference in the parent (the oracle), compared probe by probe. A probe that hangs is rerun alone
 * and named (splitCases); a probe that throws fails alone. `npm run check` (mode 'check', no
 * reference in the handout) scores the public probes against the values the handout ships.
 */
import type { ItemContext, ItemImplementation, ItemOutcome } from '../core/lab.js';
import type { SplitCases } from '../core/split-cases.js';
import { caseLines, casesSummary, type CaseVerdict } from './messages.js';
import type { Oracle } from './oracle.js';
import { compareValues, runProbes, selectProbes, type ProbeResult, type ProbeSet } from './probes.js';
import { readPublicExpected } from './public-expected.js';
import { proportion } from './rules.js';
import { probeSeed, UnitsInput, UnitsOutput } from './unit-wire.js';

export interface UnitLab<M> {
  readonly lab: string;
  readonly oracle: Oracle<M>;
  /** Every unit item's probes by item id: the child-side driver gets the same map. */
  readonly probes: Readonly<Record<string, ProbeSet<M>>>;
}

interface UnitsPrepared {
  readonly input: UnitsInput;
}

/** Marks an item as a unit item, so defineLab ships its public expected values in the handout. */
export interface UnitItem<M> extends ItemImplementation<UnitsPrepared, UnitsOutput> {
  readonly unit: { readonly lab: UnitLab<M>; readonly item: string };
}

function splitProbes<M>(set: ProbeSet<M>): SplitCases {
  const input = (raw: unknown): UnitsInput => UnitsInput.parse(raw);
  const names = (i: UnitsInput) => selectProbes(set, i.seed, i.publicOnly).map((p) => p.name);
  return {
    inputs(raw) {
      const all = names(input(raw));
      return all.length < 2 ? undefined : all.map((name, only) => ({ name, input: { ...input(raw), only } }));
    },
    merge: (raw, runs) => ({
      task: 'units',
      results: names(input(raw)).map((name, i): ProbeResult => {
        const run = runs[i]!;
        if (!('raw' in run)) return { name, error: run.failure };
        const got = UnitsOutput.safeParse(run.raw);
        return (got.success ? got.data.results[0] : undefined) ?? { name, error: 'the case returned no result' };
      }),
    }),
  };
}

async function expectedValues<M>(unit: UnitLab<M>, item: string, input: UnitsInput, ctx: ItemContext) {
  if (input.publicOnly) {
    const shipped = readPublicExpected(ctx.repoRoot, unit.lab, item);
    if (shipped !== undefined) return shipped;
  }
  const probes = selectProbes(unit.probes[item]!, input.seed, input.publicOnly);
  return runProbes(await unit.oracle.reference(ctx), probes, { studentDir: `reference/${unit.lab}` });
}

/** The unit item `item` of `unit`. */
export function unitItem<M>(unit: UnitLab<M>, item: string): UnitItem<M> {
  const set = unit.probes[item];
  if (set === undefined) throw new Error(`lab ${unit.lab}: no probe set named ${item}`);
  return {
    unit: { lab: unit, item },
    output: UnitsOutput,
    splitCases: splitProbes(set),
    prepare(ctx) {
      const input: UnitsInput = {
        task: 'units',
        item,
        seed: probeSeed(ctx.hiddenSeed, item),
        publicOnly: ctx.mode === 'check',
      };
      return { input, prepared: { input } };
    },
    async score(out, { input }, ctx, maxScore): Promise<ItemOutcome> {
      const expected = await expectedValues(unit, item, input, ctx);
      const probes = selectProbes(set, input.seed, input.publicOnly);
      const verdicts = probes.map((p, i): CaseVerdict => {
        const want = expected[i];
        if (want === undefined || want.name !== p.name)
          throw new Error(`the expected values of ${unit.lab}/${item} do not match its probes (at "${p.name}")`);
        if (want.error !== undefined) throw new Error(`the reference fails probe "${p.name}": ${want.error}`);
        const got = out.results[i];
        const problem =
          got === undefined
            ? 'no result'
            : got.error !== undefined
              ? `an error: ${got.error}`
              : (p.compare ?? compareValues)(want.value, got.value);
        return { name: p.name, hidden: p.hidden, expect: p.expect, problems: problem === undefined ? [] : [problem] };
      });
      const passed = verdicts.filter((v) => v.problems.length === 0).length;
      return {
        score: proportion(passed, probes.length, maxScore),
        threw: probes.length > 0 && probes.every((_, i) => out.results[i]?.error !== undefined),
        // A RangeError from an allocation past the memory cap is caught in the case like any throw.
        outOfMemory:
          probes.length > 0 &&
          probes.every((_, i) =>
            /allocation failed|Cannot allocate memory|out of memory/i.test(out.results[i]?.error ?? ''),
          ),
        message: casesSummary(verdicts),
        output: verdicts.flatMap(caseLines).join('\n'),
      };
    },
  };
}
