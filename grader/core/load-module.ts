/** Loading a lab file from a folder by path (the student's or the reference's), for `npm run try`. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadExport<T>(dir: string, file: string, name: string): Promise<T> {
  const path = resolve(join(dir, file));
  if (!existsSync(path)) throw new Error(`${path} not found`);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const value = module[name];
  if (value === undefined) throw new Error(`${file} does not export ${name}; keep its name and export`);
  return value as T;
}
