export * from './guid.js';
export * from './categories.js';
export * from './schemas.js';
