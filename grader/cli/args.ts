/** Tiny flag parser for the grader's CLIs: positionals plus --name value / --name=value / --flag. */
import { InputError } from '../../sim/errors.js';

export interface ParsedCli {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

export function parseCli(
  argv: readonly string[],
  valued: readonly string[],
  booleans: readonly string[] = [],
): ParsedCli {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (booleans.includes(name)) {
      flags.set(name, true);
      continue;
    }
    if (!valued.includes(name))
      throw new InputError(
        `unknown flag --${name}; flags: ${[...valued, ...booleans].map((f) => `--${f}`).join(', ')}`,
      );
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

export function intFlag(flags: Map<string, string | true>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n)) throw new InputError(`--${name} expects an integer, got "${String(v)}"`);
  return n;
}
