/**
 * Where labs are found: every folder `labs/<lab>/` holding a `manifest.json` is a lab, and its manifest's
 * `lab` must be the folder's name. Nothing else lists the labs, so a handout or a Gradescope bundle that
 * copies only one lab's folders knows only that lab, with no source rewritten.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../sim/config/paths.js';
import { InputError } from '../../sim/errors.js';
import { loadManifest } from './load.js';
import type { Manifest } from './schema.js';

/** The labs under `<repoRoot>/labs/`, sorted by name. */
export function labNames(repoRoot: string = REPO_ROOT): string[] {
  const labsDir = join(repoRoot, 'labs');
  if (!existsSync(labsDir)) return [];
  return readdirSync(labsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(labsDir, d.name, 'manifest.json')))
    .map((d) => d.name)
    .sort();
}

/** The validated manifest of one lab; an unknown name fails with the list of labs. */
export function labManifest(name: string, repoRoot: string = REPO_ROOT): Manifest {
  const names = labNames(repoRoot);
  if (!names.includes(name)) throw new InputError(`unknown lab "${name}"; labs: ${names.join(', ')}`);
  const file = join(repoRoot, 'labs', name, 'manifest.json');
  const manifest = loadManifest(file);
  if (manifest.lab !== name)
    throw new InputError(`invalid manifest ${file}: "lab" is "${manifest.lab}", not its folder's name "${name}"`);
  return manifest;
}

/** Every lab's manifest, sorted by lab name. */
export function labManifests(repoRoot: string = REPO_ROOT): Manifest[] {
  return labNames(repoRoot).map((name) => labManifest(name, repoRoot));
}
