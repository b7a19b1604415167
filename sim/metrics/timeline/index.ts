export * from './trace-event.js';
export * from './recorder.js';
export * from './frozen.js';
