export * from './replica-scheduler.js';
export * from './vllm.js';
export * from './sarathi.js';
export * from './orca.js';
export * from './vllm-v0-step-scheduler.js';
export * from './vllm-v0-replica-scheduler.js';
export * from './registry.js';
