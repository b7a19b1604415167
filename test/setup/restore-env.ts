/**
 * Test files share a worker process (vitest.config.ts: `isolate: false`), so a file that sets or stubs an
 * environment variable must not leave it for the next file: each file starts from the environment the
 * worker had, and gets it back when it ends.
 */
import { afterAll, beforeAll, vi } from 'vitest';

let saved: NodeJS.ProcessEnv = {};

beforeAll(() => {
  saved = { ...process.env };
});

afterAll(() => {
  vi.unstubAllEnvs();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
