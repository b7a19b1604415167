export { makeSubmissionZip, ZIP_EXECUTABLE_MODE, ZIP_FILE_MODE, ZIP_FIXED_DATE, type ZipInput } from './make-zip.js';
export { prepareSubmission, type PrepareOptions, type PrepareReport } from './prepare.js';
export {
  fingerprint,
  readStubFingerprints,
  stubFingerprintsFile,
  stubFingerprintsText,
  StubFingerprints,
} from './stub-fingerprint.js';
