export * from './router.js';
export * from './lor.js';
export * from './llq.js';
export * from './round-robin.js';
export * from './random.js';
export * from './registry.js';
