export * from './stats.js';
export * from './request-metrics.js';
export * from './summary.js';
export * from './fairness.js';
export * from './hypervolume.js';
export * from './kv-usage.js';
export * from './deadlines.js';
