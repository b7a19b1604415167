export * from './errors.js';
export * from './csv.js';
export * from './loader.js';
