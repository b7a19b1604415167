export * from './trace-event.js';
export * from './recorder.js';
