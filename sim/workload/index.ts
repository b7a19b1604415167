export * from './rng.js';
export * from './trace-file.js';
export * from './intervals.js';
export * from './lengths.js';
export * from './request-source.js';
export * from './multi-client.js';
export * from './rate-profile.js';
