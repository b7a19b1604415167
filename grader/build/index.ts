export { BUNDLE_FILE, buildSubmission, type BuildOptions, type BuildResult } from './build-submission.js';
export { displayPath, formatDiagnostic, isInside, type Diagnostic, type PathRoots } from './diagnostics.js';
export { importGuard, type ImportGuardOptions } from './import-guard.js';
export { parseDiagnostics, typecheck, type TypecheckOptions, type TypecheckResult } from './typecheck.js';
