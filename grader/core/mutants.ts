/**
 * Mutants: wrong implementations used to prove the grader catches each mistake where the rubric says.
 * Each is kept as exact-text patches on the reference, not as a copy, so it cannot drift from the
 * reference: a patch whose text no longer occurs exactly once fails loudly.
 */
export interface Mutant<File extends string = string> {
  readonly name: string;
  readonly description: string;
  /** The student file it replaces, relative to the lab's student folder. */
  readonly file: File;
  /** Exact reference text and its replacement; each `find` must occur exactly once. */
  readonly patches: readonly (readonly [find: string, replace: string])[];
}

export function applyMutant(reference: string, mutant: Mutant): string {
  let text = reference;
  for (const [find, replace] of mutant.patches) {
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) {
      throw new Error(
        `mutant ${mutant.name}: a patch for ${mutant.file} ${at < 0 ? 'no longer matches' : 'matches more than once in'} the reference; update the patch`,
      );
    }
    text = text.slice(0, at) + replace + text.slice(at + find.length);
  }
  return text;
}
