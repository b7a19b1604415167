/**
 * Command-line flags derived from the config schema: `--kebab-case value` for every field,
 * `--flag=value`, `--no-flag` for booleans, `--config file.json` for a base config.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  CONFIG_SECTIONS,
  ConfigError,
  FIELD_SECTIONS,
  SimulationConfig,
  type SimulationConfigInput,
} from '../config/schema.js';

type FieldKind = { kind: 'number' | 'string' | 'boolean' } | { kind: 'enum'; options: readonly string[] };

export interface FieldInfo {
  readonly key: keyof SimulationConfig;
  readonly flag: string;
  readonly type: FieldKind;
  readonly description: string;
  readonly defaultValue: unknown;
}

export const toFlag = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function fieldKind(schema: z.ZodType): FieldKind {
  let s = schema as z.ZodType & { def: { type: string; innerType?: z.ZodType }; options?: readonly string[] };
  while (s.def.type === 'default' || s.def.type === 'optional') s = s.def.innerType as typeof s;
  switch (s.def.type) {
    case 'number':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', options: s.options ?? [] };
    default:
      return { kind: 'string' };
  }
}

export function configFields(): FieldInfo[] {
  const defaults = SimulationConfig.parse({}) as Record<string, unknown>;
  return Object.entries(SimulationConfig.shape).map(([key, schema]) => ({
    key: key as keyof SimulationConfig,
    flag: `--${toFlag(key)}`,
    type: fieldKind(schema as z.ZodType),
    description: (schema as z.ZodType).description ?? '',
    defaultValue: defaults[key],
  }));
}

export interface ParsedArgs {
  readonly help: boolean;
  readonly config: SimulationConfigInput;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const fields = new Map(configFields().map((f) => [f.flag, f]));
  let base: Record<string, unknown> = {};
  const overrides: Record<string, unknown> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}": flags start with --; see --help`);
    const eq = arg.indexOf('=');
    let flag = eq >= 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (flag === '--config') {
      value ??= argv[++i];
      if (value === undefined) throw new ConfigError('--config needs a file path');
      base = readConfigFile(value);
      continue;
    }
    let negated = false;
    if (!fields.has(flag) && flag.startsWith('--no-') && fields.get(`--${flag.slice(5)}`)?.type.kind === 'boolean') {
      flag = `--${flag.slice(5)}`;
      negated = true;
    }
    const field = fields.get(flag);
    if (field === undefined)
      throw new ConfigError(`unknown flag ${flag}${suggest(flag, [...fields.keys()])}; run with --help for every flag`);
    if (field.type.kind === 'boolean') {
      // `--flag`, `--flag=false` and, as --help's `<boolean>` suggests, `--flag false`.
      if (value === undefined && !negated && (argv[i + 1] === 'true' || argv[i + 1] === 'false')) value = argv[++i];
      overrides[field.key] = negated ? false : value === undefined ? true : parseBoolean(flag, value);
      continue;
    }
    value ??= argv[++i];
    if (value === undefined || (value.startsWith('--') && field.type.kind !== 'number'))
      throw new ConfigError(`${flag} needs a value`);
    overrides[field.key] = field.type.kind === 'number' ? parseNumber(flag, value) : value;
  }
  return { help, config: { ...base, ...overrides } as SimulationConfigInput };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config file ${path} is not a JSON object: ${(err as Error).message}`);
  }
}

function parseNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${flag} expects a number, got "${value}"`);
  return n;
}

function parseBoolean(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${flag} expects true or false, got "${value}"`);
}

function suggest(flag: string, known: string[]): string {
  const close = known.filter((k) => k.includes(flag.slice(2, 6)) || flag.includes(k.slice(2)));
  return close.length > 0 ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : '';
}

export function helpText(command: string): string {
  const lines = [`Usage: ${command} [--config file.json] [--flag value ...]`, ''];
  const fields = configFields();
  for (const [section, title] of Object.entries(CONFIG_SECTIONS)) {
    lines.push(`${title}:`);
    for (const f of fields.filter((x) => FIELD_SECTIONS[x.key] === section)) {
      const type = f.type.kind === 'enum' ? f.type.options.join('|') : f.type.kind;
      const def = f.defaultValue === undefined ? '' : ` (default: ${String(f.defaultValue)})`;
      lines.push(`  ${`${f.flag} <${type}>`.padEnd(44)} ${f.description}${def}`);
    }
    lines.push('');
  }
  lines.push('A config file holds the same fields in camelCase (e.g. {"globalScheduler": "llq"}); flags override it.');
  return lines.join('\n');
}
