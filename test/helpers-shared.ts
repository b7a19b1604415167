/** Where ../shared/vidur-data lives (beside the checkout); tests that need it skip when it is absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VIDUR_DATA } from '../bench/vidur-data.js';

export { VIDUR_DATA };
export const HAS_VIDUR_DATA = existsSync(join(VIDUR_DATA, 'README.md'));
