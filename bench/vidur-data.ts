/**
 * Where Vidur's public data lives: ../shared/vidur-data beside the checkout, or SERVELAB_VIDUR_DATA.
 * CI points SERVELAB_VIDUR_DATA at an empty folder for its second run, to be a user who cloned the repository alone.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../sim/config/paths.js';

export const VIDUR_DATA = process.env.SERVELAB_VIDUR_DATA ?? join(REPO_ROOT, '..', 'shared', 'vidur-data');
