export * from './request.js';
export * from './batch.js';
