export * from './stats.js';
export * from './request-metrics.js';
export * from './summary.js';
