/** Where ../shared/vidur-data lives (beside the checkout); tests that need it skip when it is absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';

export const VIDUR_DATA = process.env.SERVELAB_VIDUR_DATA ?? join(REPO_ROOT, '..', 'shared', 'vidur-data');
export const HAS_VIDUR_DATA = existsSync(join(VIDUR_DATA, 'README.md'));
