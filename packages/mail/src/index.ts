export * from './templates.js';
export * from './delivery.js';
export * from './errors.js';
