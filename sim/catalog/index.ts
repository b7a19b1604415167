export * from './models.js';
export * from './devices.js';
