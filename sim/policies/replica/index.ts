export * from './replica-scheduler.js';
export * from './vllm.js';
export * from './sarathi.js';
export * from './orca.js';
export * from './vllm-v0-scheduler.js';
export * from './vllm-v0.js';
export * from './registry.js';
