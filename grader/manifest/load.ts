import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../sim/errors.js';
import { Manifest } from './schema.js';

export function parseManifest(json: unknown, where: string): Manifest {
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new InputError(`invalid manifest ${where}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function loadManifest(file: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read manifest ${file}: ${(err as Error).message}`);
  }
  return parseManifest(json, file);
}
